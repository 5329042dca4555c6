"""Tests of the architecture checks of scripts/static_checks.py (one model,
one file; no module-level mutable state) on small fake modules made here."""

import importlib.util
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("static_checks", SCRIPTS / "static_checks.py")
static_checks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(static_checks)


def module(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


OWN = 'from odoo import models\n\n\nclass A(models.Model):\n    _name = "x.a"\n'
EXTEND_OWN = 'from odoo import models\n\n\nclass A(models.Model):\n    _inherit = "x.a"\n'
PARTNER = 'from odoo import models\n\n\nclass P(models.Model):\n    _inherit = "res.partner"\n'
MIXIN = (
    'from odoo import models\n\n\nclass B(models.Model):\n    _name = "x.b"\n'
    '    _inherit = ["mail.thread", "x.a"]\n'
)


def test_own_model_extended_in_another_file_is_listed(tmp_path):
    root = module(tmp_path, {"models/a.py": OWN, "models/a_more.py": EXTEND_OWN})
    errors = static_checks.check_one_model_one_file(root)
    assert errors == [
        "models/a_more.py: extends x.a, a model of this module defined in models/a.py "
        "(one model, one file)"
    ]


def test_core_model_extended_in_two_files_is_listed(tmp_path):
    root = module(
        tmp_path,
        {"models/res_partner.py": PARTNER, "wizard/other.py": PARTNER, "models/a.py": OWN},
    )
    errors = static_checks.check_one_model_one_file(root)
    assert len(errors) == 1 and "res.partner is extended in 2 files" in errors[0]


def test_one_file_per_model_and_mixins_pass(tmp_path):
    # _inherit beside a _name is inheritance (a new model), not an extension
    root = module(
        tmp_path, {"models/a.py": OWN, "models/b.py": MIXIN, "models/res_partner.py": PARTNER}
    )
    assert static_checks.check_one_model_one_file(root) == []


def test_module_level_mutable_state_is_listed(tmp_path):
    root = module(
        tmp_path,
        {
            "models/state.py": (
                "from collections import defaultdict\n"
                "from types import MappingProxyType\n\n"
                "PASSES = {}\n"
                "SEEN = set()\n"
                "BY_KEY = defaultdict(list)\n"
                "NAMES = [n for n in 'ab']\n"
                "FORMULAS = MappingProxyType({'daily': '1D'})\n"
                "CHOICES = (('a', 'A'),)\n"
                "KINDS = frozenset({'a'})\n"
                "LIMIT = 3\n"
                "__all__ = ['LIMIT']\n"
            ),
            "scripts/tool.py": "CACHE = {}\n",  # outside models/ and wizard/
        },
    )
    errors = static_checks.check_module_state(root)
    flagged = sorted(error.split(": module-level mutable ")[1].split(":")[0] for error in errors)
    assert flagged == ["BY_KEY", "NAMES", "PASSES", "SEEN"]
