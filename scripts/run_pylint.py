# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run pylint-odoo on the module with its configuration (.pylintrc).

The repository root is the module: pylint-odoo looks for an addon's manifest
from each file up to the top of the git checkout, the top excluded, so in a
checkout it never finds this module's manifest and silently skips its checks
per addon (consider-merging-classes-inherited among them). The module's files
(tracked, and new ones not ignored) are therefore copied into a temporary
folder named after the module, outside any checkout, and linted there.

Usage: python scripts/run_pylint.py [ROOT] [pylint options...]
Exit status: pylint's.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MODULE = "account_dunning_automation"


def module_files(root):
    try:
        out = subprocess.check_output(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root,
            text=True,
        )
        return [name for name in out.split("\0") if name and (root / name).is_file()]
    except (subprocess.CalledProcessError, FileNotFoundError):
        return [
            str(path.relative_to(root))
            for path in root.rglob("*")
            if path.is_file() and not {".git", ".venv", "__pycache__"} & set(path.parts)
        ]


def main(argv):
    root = Path(argv[0] if argv and not argv[0].startswith("-") else Path(__file__).parent.parent)
    root = root.resolve()
    options = [arg for arg in argv if arg.startswith("-")]
    with tempfile.TemporaryDirectory(prefix="pylint-") as tmp:
        target = Path(tmp) / MODULE
        for name in module_files(root):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target / name)
        result = subprocess.run(
            [sys.executable, "-m", "pylint", f"--rcfile={target / '.pylintrc'}", *options, MODULE],
            cwd=tmp,
            check=False,
        )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
