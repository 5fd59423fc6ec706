"""The README's table of error codes, written from the catalogues (core/errors.py's convention).

    .venv/bin/python -m tools.error_table           # rewrite the block between the markers in README.md
    .venv/bin/python -m tools.error_table --check   # exit 1 when the README's block is not current

For each package: every code of its catalogue, the message template, the exception classes that raise it
(found in the source: `SomeError(Errors.X123, ...)`) and the HTTP status the API answers them with
(`api/errors.py`).
"""
from __future__ import annotations

import argparse
import ast
import importlib
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import Catalogue, GovKGError, family_of

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = "<!-- error-table:start -->"
END = "<!-- error-table:end -->"
# each package's catalogue, in the README's order
CATALOGUE_MODULES = ("extraction.errors", "graph.errors", "ontology.errors", "qa.errors", "service.auth.errors",
                     "service.errors")
# the source that raises them (tests are left out)
SOURCE_DIRS = ("core", "extraction", "graph", "ontology", "qa", "service", "api", "cli", "tools")
CODE = re.compile(r"^[A-Z]\d{3}$")


@dataclass
class RaiseSites:
    """What the source raises: the classes each code is raised with, and the calls that break the convention."""

    classes: dict[str, set[type[GovKGError]]] = field(default_factory=lambda: defaultdict(set))
    wrong: list[str] = field(default_factory=list)  # "path:line: why"


def families() -> list[type[GovKGError]]:
    """Every package's base class, in the README's order."""
    for name in CATALOGUE_MODULES:
        importlib.import_module(name)
    order = {name: i for i, name in enumerate(CATALOGUE_MODULES)}
    return sorted(GovKGError.__subclasses__(), key=lambda cls: order.get(cls.__module__, len(order)))


def error_classes() -> dict[str, type[GovKGError]]:
    """Every GovKGError subclass by name."""
    found: dict[str, type[GovKGError]] = {}
    todo = list(GovKGError.__subclasses__())
    while todo:
        cls = todo.pop()
        found.setdefault(cls.__name__, cls)
        todo.extend(cls.__subclasses__())
    return found


def catalogue_of_code() -> dict[str, type[Catalogue]]:
    return {entry.name: family.catalogue for family in families() for entry in family.catalogue}


def scan(root: Path = ROOT) -> RaiseSites:
    """Every call of a GovKGError subclass in the source: the catalogue entry it names, or why it breaks the
    convention (a message instead of an entry, an entry of another package's catalogue, an unknown code)."""
    codes = catalogue_of_code()  # imports the catalogue modules first
    classes = error_classes()
    sites = RaiseSites()
    for folder in SOURCE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                cls = classes.get(name or "")
                if cls is None:
                    continue
                where = f"{path.relative_to(root)}:{node.lineno}"
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Attribute) and CODE.match(first.attr)):
                    sites.wrong.append(f"{where}: {name}(...) without a catalogue entry")
                    continue
                code = first.attr
                if code not in codes:
                    sites.wrong.append(f"{where}: {name}({code}): no catalogue has {code}")
                elif family_of(cls).catalogue is not codes[code]:
                    family = family_of(cls).__name__
                    sites.wrong.append(f"{where}: {name}({code}): {code} is not of {family}'s catalogue")
                else:
                    sites.classes[code].add(cls)
    return sites


def _cell(text: str) -> str:
    """A message template as a Markdown table cell: pipes escaped, one line, no HTML outside `code`."""
    parts = text.replace("\n", " ").replace("|", "\\|").split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;").replace(">", "&gt;") for i, p in enumerate(parts))


def table(sites: RaiseSites | None = None) -> str:
    """The Markdown block that goes between the README's markers."""
    from api.errors import status_for

    sites = sites or scan()
    lines = ["<!-- written by `python -m tools.error_table` from the catalogues; edit those, then rerun it -->", "",
             "Every error carries a code and reads `[CODE] message`; the API answers it as "
             '`{"error": {"status", "message", "code"}}` with the status below (503 with `Retry-After`, 401 with '
             "`WWW-Authenticate`). Each package keeps its messages in one catalogue (`Errors` in its `errors.py`), "
             "its exceptions derive from one base class, and every base class from `core.errors.GovKGError`."]
    for family in families():
        module = family.__module__.replace(".", "/") + ".py"
        lines += ["", f"**{family.package}** (`{module}`, `{family.__name__}`)", "",
                  "| Code | Message | Raised as | HTTP |", "|---|---|---|---|"]
        for entry in sorted(family.catalogue, key=lambda entry: entry.name):
            raised = sorted(sites.classes.get(entry.name, ()), key=lambda cls: cls.__name__)
            names = ", ".join(cls.__name__ for cls in raised) or "—"
            statuses = ", ".join(str(s) for s in sorted({status_for(cls) for cls in raised})) or "—"
            lines.append(f"| {entry.name} | {_cell(entry.value)} | {names} | {statuses} |")
    return "\n".join(lines) + "\n"


def replace_block(text: str, block: str) -> str:
    """`text` with what lies between the markers replaced by `block`."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{README.name}: the markers {START} and {END} are missing")
    return text[: start + len(START)] + "\n" + block + text[end:]


def current_block(text: str) -> str:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return ""
    return text[start + len(START):end].removeprefix("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.error_table", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the README's table is not current")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    sites = scan()
    for problem in sites.wrong:
        print(f"error convention: {problem}", file=sys.stderr)
    text = args.readme.read_text(encoding="utf-8")
    block = table(sites)
    if args.check:
        if current_block(text) != block:
            print(f"{args.readme}: the error table is stale; run `python -m tools.error_table`", file=sys.stderr)
            return 1
        return 1 if sites.wrong else 0
    updated = replace_block(text, block)
    if updated != text:
        args.readme.write_text(updated, encoding="utf-8")
        print(f"{args.readme}: error table rewritten")
    return 1 if sites.wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
