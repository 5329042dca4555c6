# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""PEP 517 build backend of the module: OCA's whool, under the module's name.

whool builds the wheel ``odoo-addon-<folder>`` of the addon whose manifest is in
the current folder, taking the addon's name from that folder's name. This
repository's root is the module, but a clone or a git worktree may be called
anything (``main``, ``wt-contact``...). So when the folder is not called
``account_dunning_automation``, whool is given a link of that name, made in a
temporary folder outside the checkout (a link inside it would be a loop for
tools that walk the tree), pointing to the checkout; whool then reads the
manifest, the git history (for the 18.0.x.y.z.N version) and the git-tracked
files through it, exactly as in an OCA repository.
"""

import contextlib
import shutil
import tempfile
from pathlib import Path

from whool import buildapi as _whool

ADDON_NAME = "account_dunning_automation"
# What the wheel leaves out: the development tools (benchmark, crash test, test
# runner, this backend), the maintainers' notes, and the dotfiles and linters'
# configuration (.pylintrc, .gitignore, .pre-commit-config.yaml, .ci/). The
# wheel ships the module Odoo loads, with its tests, readme and translations.
DEV_ONLY_FOLDERS = ("scripts", "docs")
DEV_ONLY_FILES = ("ruff.toml",)


def is_dev_only(path):
    """True for a git-tracked path (relative, with /) the wheel leaves out."""
    parts = path.split("/")
    return (
        parts[0] in DEV_ONLY_FOLDERS
        or path in DEV_ONLY_FILES
        or any(part.startswith(".") for part in parts)
    )


@contextlib.contextmanager
def _module_files_only():
    """whool copies the files git tracks: only the module's (see is_dev_only)."""
    ls_files = _whool._scm_ls_files

    def module_files(addon_dir):
        return [path for path in ls_files(addon_dir) if not is_dev_only(path)]

    _whool._scm_ls_files = module_files
    try:
        yield
    finally:
        _whool._scm_ls_files = ls_files


@contextlib.contextmanager
def _addon_dir():
    root = Path.cwd()
    # In an unpacked sdist, whool takes name and version from PKG-INFO.
    if root.name == ADDON_NAME or (root / "PKG-INFO").is_file():
        yield root
        return
    tmp = Path(tempfile.mkdtemp(prefix="whool-addon-"))
    try:
        link = tmp / ADDON_NAME
        link.symlink_to(root, target_is_directory=True)
        yield link
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with _addon_dir() as addon_dir, _module_files_only():
        return _whool._build_wheel(addon_dir, Path(wheel_directory), editable=False)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    with _addon_dir() as addon_dir:
        name = _whool._build_wheel(addon_dir, Path(wheel_directory), editable=True)
    # whool's link build/__editable__/odoo/addons/<addon> must outlive the
    # temporary link: point it to the checkout itself.
    editable = Path.cwd() / "build" / "__editable__" / "odoo" / "addons" / ADDON_NAME
    if editable.is_symlink() and not editable.exists():
        editable.unlink()
        editable.symlink_to(Path.cwd(), target_is_directory=True)
    return name


def build_sdist(sdist_directory, config_settings=None):
    with _addon_dir() as addon_dir:
        return _whool._build_sdist(addon_dir, Path(sdist_directory))


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with _addon_dir() as addon_dir:
        return _whool._make_dist_info(
            _whool._get_metadata(addon_dir), Path(metadata_directory)
        )


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
