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
    errors += check_one_model_one_file(root)
    errors += check_module_state(root)
    return errors


def _class_models(tree):
    """(class node, _name or None, [inherited model names]) of each class of
    a module that sets _name or _inherit."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        name, inherits = None, []
        for stmt in node.body:
            if not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.AST):
                continue
            targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            try:
                value = ast.literal_eval(stmt.value)
            except ValueError:
                continue
            if "_name" in targets and isinstance(value, str):
                name = value
            if "_inherit" in targets:
                inherits = [value] if isinstance(value, str) else list(value)
        if name or inherits:
            yield node, name, inherits


def check_one_model_one_file(root):
    """One model, one file: a model of the module (a class setting _name) is
    extended nowhere else in the module, and a model of Odoo or of another
    module (_inherit without _name) is extended in one file of the module
    only. Mixins listed beside a _name (_inherit = ["mail.thread"]) are
    inheritance, not extension."""
    defined = {}  # model -> file defining it
    extended = {}  # model -> files extending it (_inherit without _name)
    for folder in ("models", "wizard", "report"):
        for path in iter_files(root / folder, ".py") if (root / folder).is_dir() else ():
            rel = str(path.relative_to(root))
            tree = ast.parse(path.read_text(encoding="utf-8"), rel)
            for _node, name, inherits in _class_models(tree):
                if name and name not in inherits:
                    if name in defined and defined[name] != rel:
                        errors_line = f"{rel}: {name} also defined in {defined[name]}"
                        extended.setdefault(name, set()).add(errors_line)
                    defined.setdefault(name, rel)
                elif inherits:
                    for model in inherits:
                        extended.setdefault(model, set()).add(rel)
    errors = []
    for model, files in sorted(extended.items()):
        files = sorted(files)
        if model in defined:
            for rel in files:
                if rel != defined[model]:
                    errors.append(
                        f"{rel}: extends {model}, a model of this module defined in "
                        f"{defined[model]} (one model, one file)"
                    )
        elif len(files) > 1:
            errors.append(
                f"{model} is extended in {len(files)} files ({', '.join(files)}): one "
                "model, one file"
            )
    return errors


# Calls that build a mutable container; a module-level name bound to one is
# state shared by every request and thread of the server.
MUTABLE_CALLS = frozenset(
    {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque", "bytearray"}
)
# Wrappers that make a container read-only.
FROZEN_CALLS = frozenset({"MappingProxyType", "frozenset", "tuple"})


def _is_mutable(value):
    if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in FROZEN_CALLS:
            return False
        return name in MUTABLE_CALLS
    return False


def check_module_state(root):
    """No module-level mutable state in models/ and wizard/: a module-level
    name bound to a list, dict or set (literal, comprehension or
    constructor) is flagged unless wrapped in types.MappingProxyType,
    frozenset or tuple. __all__ is allowed."""
    errors = []
    for folder in ("models", "wizard"):
        if not (root / folder).is_dir():
            continue
        for path in iter_files(root / folder, ".py"):
            rel = str(path.relative_to(root))
            tree = ast.parse(path.read_text(encoding="utf-8"), rel)
            for stmt in tree.body:
                if isinstance(stmt, ast.Assign):
                    targets, value = stmt.targets, stmt.value
                elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                    targets, value = [stmt.target], stmt.value
                else:
                    continue
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                if names == ["__all__"]:
                    continue
                if _is_mutable(value):
                    errors.append(
                        f"{rel}:{stmt.lineno}: module-level mutable {', '.join(names)}: "
                        "make it a tuple, frozenset or types.MappingProxyType (shared "
                        "by every request and thread of the server)"
                    )
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
