# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Check that an installed wheel of the module is what Odoo loads.

Run by scripts/test.sh with the wheel installed in a folder on PYTHONPATH
(``pip install --target``): with only Odoo's own addons folders as addons path,
Odoo must find account_dunning_automation in that folder (the ``odoo.addons``
namespace), with every file its manifest names, and import it.

It also lists the files of the installed module: the wheel ships the module
only, without the development scripts (scripts/), the maintainers' notes
(docs/) and the dotfiles (.pylintrc, .gitignore, .pre-commit-config.yaml, .ci/).

Usage: python check_wheel_install.py SITE_DIR ODOO_ADDONS_PATH
"""

import ast
import sys
from pathlib import Path

MODULE = "account_dunning_automation"


def main():
    site = Path(sys.argv[1]).resolve()
    addons_path = sys.argv[2]
    from odoo.modules.module import get_module_path, initialize_sys_path
    from odoo.tools import config

    config["addons_path"] = addons_path
    initialize_sys_path()
    path = get_module_path(MODULE, display_warning=False)
    errors = []
    if not path or not Path(path).resolve().is_relative_to(site):
        errors.append(f"Odoo finds {MODULE} at {path}, not in the installed wheel ({site})")
    else:
        manifest = ast.literal_eval((Path(path) / "__manifest__.py").read_text("utf-8"))
        for key in ("data", "demo"):
            for name in manifest.get(key, []):
                if not (Path(path) / name).is_file():
                    errors.append(f"{name} (manifest {key}) is missing from the wheel: "
                                  "is it tracked by git?")
        for name in ("i18n/fr.po", "static/description/icon.png", "dunning_engine/__init__.py"):
            if not (Path(path) / name).is_file():
                errors.append(f"{name} is missing from the wheel")
        shipped = sorted(
            str(file.relative_to(path)) for file in Path(path).rglob("*") if file.is_file()
        )
        dev_only = [
            name
            for name in shipped
            if name.split("/")[0] in ("scripts", "docs")
            or name == "ruff.toml"
            or any(part.startswith(".") for part in name.split("/"))
        ]
        if dev_only:
            errors.append(f"the wheel ships development files: {', '.join(dev_only)}")
        print(f"wheel install: {len(shipped)} files, top level: "
              f"{', '.join(sorted({name.split('/')[0] for name in shipped}))}")
        if not errors:
            __import__(f"odoo.addons.{MODULE}")
            module = sys.modules[f"odoo.addons.{MODULE}"]
            if not Path(module.__file__).resolve().is_relative_to(site):
                errors.append(f"odoo.addons.{MODULE} imported from {module.__file__}")
    for error in errors:
        print(f"wheel install: {error}")
    if errors:
        return 1
    print(f"wheel install: Odoo loads {MODULE} from {path} (manifest version "
          f"{manifest['version']}), every manifest file present, the package imports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
