"""Static checks of the module that need no Odoo: syntax, XML, CSV, manifest.

Usage: python3 scripts/static_checks.py <module-root>
"""

import ast
import csv
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

SKIP_DIRS = {".venv", ".git", "__pycache__", ".ci"}


def iter_files(root, suffix):
    for path in sorted(root.rglob(f"*{suffix}")):
        if not SKIP_DIRS.intersection(path.relative_to(root).parts):
            yield path


def check(root):
    errors = []
    for path in iter_files(root, ".py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except SyntaxError as exc:
            errors.append(f"{path}: {exc}")
            continue
        if "dunning_engine" in path.relative_to(root).parts:
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(name == "odoo" or name.startswith("odoo.") for name in names):
                    errors.append(f"{path}: the engine must not import odoo")
    for path in iter_files(root, ".xml"):
        try:
            ElementTree.parse(path)
        except ElementTree.ParseError as exc:
            errors.append(f"{path}: {exc}")
    for path in iter_files(root, ".csv"):
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        width = len(rows[0]) if rows else 0
        for number, row in enumerate(rows, 1):
            if len(row) != width:
                errors.append(f"{path}:{number}: {len(row)} columns, {width} expected")
    manifest = ast.literal_eval((root / "__manifest__.py").read_text(encoding="utf-8"))
    for key in ("data", "demo"):
        for name in manifest.get(key, []):
            if not (root / name).is_file():
                errors.append(f"__manifest__.py: {key} file {name} does not exist")
    if not manifest.get("version", "").startswith("18.0."):
        errors.append("__manifest__.py: version must start with 18.0.")
    errors += check_translations(root)
    return errors


def check_translations(root):
    """Every .po parses, keeps the placeholders, and translates every term."""
    errors = []
    msgfmt = shutil.which("msgfmt")
    msgattrib = shutil.which("msgattrib")
    po_files = list(iter_files(root, ".po"))
    if not any(path.name == "fr.po" for path in po_files):
        errors.append("i18n/fr.po: the French translation is missing")
    for path in po_files:
        text = path.read_text(encoding="utf-8")
        if 'msgid ""' not in text:
            errors.append(f"{path}: not a PO file")
            continue
        if msgfmt:
            run = subprocess.run(
                [msgfmt, "-c", "--check-format", "-o", "/dev/null", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode:
                errors.append(f"{path}: msgfmt: {run.stderr.strip()}")
        if msgattrib:
            run = subprocess.run(
                [msgattrib, "--untranslated", "--no-obsolete", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            untranslated = run.stdout.count("\nmsgid ") + run.stdout.startswith("msgid ")
            # the header entry (msgid "") is the only one allowed to be empty
            if untranslated > 1:
                errors.append(f"{path}: {untranslated - 1} untranslated term(s)")
    return errors


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    errors = check(root)
    for error in errors:
        print(error)
    print(f"static checks: {'OK' if not errors else f'{len(errors)} problem(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
