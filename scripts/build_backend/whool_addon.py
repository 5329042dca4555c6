# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""PEP 517 build backend of the module: OCA's whool, under the module's name.

whool builds the wheel ``odoo-addon-<folder>`` of the addon whose manifest is in
the current folder, taking the addon's name from that folder's name. This
repository's root is the module, but a clone or a git worktree may be called
anything (``main``, ``wt-contact``...). So when the folder is not called
``account_dunning_automation``, the build goes through a link of that name in
``build/`` (ignored by git) pointing back to the checkout; whool then reads the
manifest, the git history (for the 18.0.x.y.z.N version) and the git-tracked
files through it, exactly as in an OCA repository.
"""

import os
from pathlib import Path

from whool import buildapi as _whool

ADDON_NAME = "account_dunning_automation"


def _addon_dir():
    root = Path.cwd()
    # In an unpacked sdist, whool takes name and version from PKG-INFO.
    if root.name == ADDON_NAME or (root / "PKG-INFO").is_file():
        return root
    build_dir = root / "build"
    link_dir = build_dir / "__addon__"
    link_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / ".gitignore").write_text("*\n", encoding="utf-8")
    link = link_dir / ADDON_NAME
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(root, link_dir), target_is_directory=True)
    return link


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _whool._build_wheel(_addon_dir(), Path(wheel_directory), editable=False)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _whool._build_wheel(_addon_dir(), Path(wheel_directory), editable=True)


def build_sdist(sdist_directory, config_settings=None):
    return _whool._build_sdist(_addon_dir(), Path(sdist_directory))


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _whool._make_dist_info(
        _whool._get_metadata(_addon_dir()), Path(metadata_directory)
    )


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
