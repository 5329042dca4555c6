# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Build static/description/index.html (the module's page in Odoo's Apps)
from the readme/ fragments, as OCA's readme generator does.

The fragments use a small part of Markdown: headings (# lines), paragraphs,
bullet and numbered lists (items may continue on indented lines), tables (|
lines), code blocks (lines indented by four spaces), **bold**, `code` and
[links](url). Usage: python gen_description.py [ROOT] [--check]
(--check: exit 1 when index.html is not the one the fragments give).
"""

import ast
import html
import re
import sys
from pathlib import Path

SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]
ITEM = re.compile(r"^(\*|-|\d+\.)\s+(.*)$")


def inline(text):
    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"\*([^*]+)\*", r"<i>\1</i>", text)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', text)


def blocks(markdown):
    """Headings, paragraphs, lists, tables and code blocks of a fragment, as
    (kind, [text, ...])."""
    result = []
    for chunk in re.split(r"\n\s*\n", markdown.strip()):
        lines = chunk.splitlines()
        while lines and lines[0].startswith("#"):
            result.append(("h4", [lines.pop(0).lstrip("#").strip()]))
        if not lines:
            continue
        if all(line.startswith("|") for line in lines):
            rows = [
                [cell.strip() for cell in line.strip().strip("|").split("|")]
                for line in lines
                if not re.match(r"^\|[\s|:-]+\|$", line.strip())
            ]
            result.append(("table", rows))
            continue
        if all(line.startswith("    ") for line in lines):
            result.append(("pre", ["\n".join(line[4:] for line in lines)]))
            continue
        match = ITEM.match(lines[0])
        if not match:
            result.append(("p", [" ".join(line.strip() for line in lines)]))
            continue
        kind = "ol" if match.group(1)[0].isdigit() else "ul"
        items = []
        for line in lines:
            match = ITEM.match(line)
            if match:
                items.append(match.group(2).strip())
            else:
                items[-1] += " " + line.strip()
        result.append((kind, items))
    return result


def render(root):
    readme = root / "readme"
    manifest = ast.literal_eval((root / "__manifest__.py").read_text(encoding="utf-8"))
    out = [
        "<!-- Generated from the readme/ fragments by scripts/gen_description.py:",
        "     edit the fragments, then run it. -->",
        '<section class="oe_container">',
        '    <div class="oe_row oe_spaced">',
        f'        <h2 class="oe_slogan">{html.escape(manifest["name"])}</h2>',
        f'        <h3 class="oe_slogan">{html.escape(manifest["summary"])}</h3>',
    ]
    for name, title in SECTIONS:
        path = readme / name
        if not path.is_file():
            continue
        if title:
            out.append(f"        <h3>{title}</h3>")
        for kind, texts in blocks(path.read_text(encoding="utf-8")):
            if kind in ("p", "h4"):
                out.append(f"        <{kind}>{inline(texts[0])}</{kind}>")
            elif kind == "pre":
                out.append(f"        <pre>{html.escape(texts[0], quote=False)}</pre>")
            elif kind == "table":
                out.append('        <table class="table table-sm">')
                for number, row in enumerate(texts):
                    tag = "th" if number == 0 else "td"
                    cells = "".join(f"<{tag}>{inline(cell)}</{tag}>" for cell in row)
                    out.append(f"            <tr>{cells}</tr>")
                out.append("        </table>")
            else:
                out.append(f"        <{kind}>")
                out.extend(f"            <li>{inline(text)}</li>" for text in texts)
                out.append(f"        </{kind}>")
    out += ["    </div>", "</section>", ""]
    return "\n".join(out)


def main(argv):
    check = "--check" in argv
    args = [arg for arg in argv if arg != "--check"]
    root = Path(args[0] if args else Path(__file__).resolve().parent.parent)
    target = root / "static" / "description" / "index.html"
    page = render(root)
    if check:
        if target.read_text(encoding="utf-8") != page:
            print("static/description/index.html is not up to date with readme/: "
                  "run python scripts/gen_description.py")
            return 1
        print("static/description/index.html matches readme/")
        return 0
    target.write_text(page, encoding="utf-8")
    print(f"{target} written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
