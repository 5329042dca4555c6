import ast
from pathlib import Path

import dunning_engine

ENGINE_DIR = Path(dunning_engine.__file__).parent


def test_public_submodules():
    assert sorted(dunning_engine.__all__) == [
        "bounds",
        "dates",
        "insight",
        "interest",
        "kpis",
        "levels",
        "references",
        "totals",
    ]
    for name in dunning_engine.__all__:
        assert hasattr(dunning_engine, name)


def test_engine_never_imports_odoo():
    for path in ENGINE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "odoo" for name in names), path
