"""The template language of records mappings: `{path|filter:arg|filter}` placeholders.

A template is literal text with placeholders in braces (`{{` and `}}` are literal braces):

- `{a.b.0.c}` a dotted path: dict keys, list indexes (negative from the end: `terms.-1`).
  The first segment is a loop variable when one of that name is in scope, a special
  (`$key` record key, `$index` record/item index, `$file` source file name, `$mapping`),
  else a field of the record.
- `{@id}` the name of the entity that entity template `id` renders in this scope;
  `{@id.type}`, `{@id.key}` its ontology type and its key.
- `{#name}` (sentence templates only) the rendered sentence list `name`.

Filters, applied left to right: `map:NAME` (look the value up in the mapping's map NAME;
a `"*"` entry is the fallback), `key` (normalized like gazetteer keys: "Donald J. Trump" →
"donald j trump"), `lower`, `upper`, `default:TEXT` (when the value is missing or empty),
`format:PATTERN` (`%s` replaced by the value; an empty value stays empty).

A value is missing when the path does not exist or holds null or "": rendering then fails
with the path, unless a `default:` filter supplies a value.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from extraction.records import normalize_name

FILTERS = {"map", "key", "lower", "upper", "default", "format"}
_NEEDS_ARG = {"map", "default", "format"}
_NAME = re.compile(r"^[A-Za-z_][\w-]*$")
_SEGMENT = re.compile(r"^(\$?[\w-]+|-?\d+)$")
ENTITY_ATTRS = ("name", "type", "key")


class TemplateError(ValueError):
    """A template that does not parse."""


@dataclass(frozen=True)
class Placeholder:
    kind: str  # "path", "entity" or "list"
    target: str  # the dotted path, the entity template id or the list name
    attr: str = "name"  # for entities: name, type or key
    filters: tuple[tuple[str, str | None], ...] = ()
    source: str = ""

    @property
    def segments(self) -> list[str]:
        return self.target.split(".")


@dataclass(frozen=True)
class Template:
    source: str
    parts: tuple[str | Placeholder, ...] = field(default_factory=tuple)

    def placeholders(self) -> list[Placeholder]:
        return [p for p in self.parts if isinstance(p, Placeholder)]


def parse_template(source: str) -> Template:
    parts: list[str | Placeholder] = []
    text: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char in "{}" and source[i:i + 2] in ("{{", "}}"):
            text.append(char)
            i += 2
            continue
        if char == "}":
            raise TemplateError(f"unmatched '}}' at {i} (write '}}}}' for a literal brace)")
        if char != "{":
            text.append(char)
            i += 1
            continue
        end = source.find("}", i + 1)
        if end < 0:
            raise TemplateError(f"unclosed '{{' at {i}")
        inner = source[i + 1:end]
        if "{" in inner:
            raise TemplateError(f"nested '{{' at {i} (placeholders do not nest)")
        if text:
            parts.append("".join(text))
            text = []
        parts.append(_placeholder(inner))
        i = end + 1
    if text:
        parts.append("".join(text))
    return Template(source=source, parts=tuple(parts))


def _placeholder(inner: str) -> Placeholder:
    head, *raw_filters = inner.split("|")
    head = head.strip()
    if not head:
        raise TemplateError("empty placeholder '{}'")
    filters = []
    for raw in raw_filters:
        name, sep, arg = raw.partition(":")
        name = name.strip()
        if name not in FILTERS:
            raise TemplateError(f"unknown filter {name!r}; known: {', '.join(sorted(FILTERS))}")
        if name in _NEEDS_ARG and not sep:
            raise TemplateError(f"filter {name!r} needs an argument ({name}:...)")
        if name not in _NEEDS_ARG and sep:
            raise TemplateError(f"filter {name!r} takes no argument")
        if name == "map" and not _NAME.match(arg.strip()):
            raise TemplateError(f"bad map name {arg!r}")
        if name == "format" and "%s" not in arg:
            raise TemplateError(f"format pattern {arg!r} has no %s")
        filters.append((name, arg.strip() if name == "map" else (arg if sep else None)))
    if head.startswith("@"):
        ref, _, attr = head[1:].partition(".")
        attr = attr or "name"
        if not _NAME.match(ref):
            raise TemplateError(f"bad entity reference {head!r}")
        if attr not in ENTITY_ATTRS:
            raise TemplateError(f"entity attribute {attr!r} unknown; known: {', '.join(ENTITY_ATTRS)}")
        return Placeholder("entity", ref, attr, tuple(filters), inner)
    if head.startswith("#"):
        if not _NAME.match(head[1:]):
            raise TemplateError(f"bad list reference {head!r}")
        if filters:
            raise TemplateError("a list placeholder takes no filters")
        return Placeholder("list", head[1:], "name", (), inner)
    segments = head.split(".")
    if not all(_SEGMENT.match(s) for s in segments):
        raise TemplateError(f"bad path {head!r} (dotted names and list indexes)")
    return Placeholder("path", head, "name", tuple(filters), inner)


# -- rendering ---------------------------------------------------------------------------------
class Missing(Exception):
    """A placeholder's path has no value (and no `default:` filter)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class NotInMap(Exception):
    def __init__(self, value: str, map_name: str) -> None:
        super().__init__(value)
        self.value = value
        self.map_name = map_name


class NotScalar(Exception):
    def __init__(self, path: str, kind: str) -> None:
        super().__init__(path)
        self.path = path
        self.kind = kind


ABSENT = object()


def lookup(segments: list[str], record: Any, variables: Mapping[str, Any]) -> Any:
    """The value at a dotted path, `ABSENT` when there is none. Loop variables shadow fields."""
    first, rest = segments[0], segments[1:]
    if first in variables:
        value = variables[first]
    else:
        value = _step(record, first)
    for segment in rest:
        if value is ABSENT:
            break
        value = _step(value, segment)
    return value


def _step(value: Any, segment: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(segment, ABSENT)
    if isinstance(value, (list, tuple)) and re.fullmatch(r"-?\d+", segment):
        index = int(segment)
        return value[index] if -len(value) <= index < len(value) else ABSENT
    return ABSENT


def is_missing(value: Any) -> bool:
    return value is ABSENT or value is None or value == ""


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def apply_filters(value: Any, placeholder: Placeholder, maps: Mapping[str, Mapping[str, str]]) -> str:
    """Filters over a looked-up value; raises Missing, NotInMap or NotScalar."""
    missing = is_missing(value)
    if not missing and isinstance(value, (Mapping, list, tuple)):
        raise NotScalar(placeholder.target, type(value).__name__)
    text = "" if missing else scalar_text(value)
    for name, arg in placeholder.filters:
        if name == "default":
            if missing or text == "":
                text, missing = arg or "", False
            continue
        if missing:
            continue
        if name == "map":
            table = maps[arg or ""]
            if text in table:
                text = table[text]
            elif "*" in table:
                text = table["*"].replace("%s", text)
            else:
                raise NotInMap(text, arg or "")
        elif name == "key":
            text = normalize_name(text)
        elif name == "lower":
            text = text.lower()
        elif name == "upper":
            text = text.upper()
        elif name == "format":
            text = (arg or "%s").replace("%s", text) if text else ""
    if missing:
        raise Missing(placeholder.target)
    return text


def render(
    template: Template,
    record: Any,
    variables: Mapping[str, Any],
    maps: Mapping[str, Mapping[str, str]],
    entity: Callable[[Placeholder], str] | None = None,
    lists: Callable[[str], str] | None = None,
) -> str:
    """Render a template; `entity` and `lists` answer `{@id}` and `{#name}` placeholders."""
    out = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
        elif part.kind == "path":
            out.append(apply_filters(lookup(part.segments, record, variables), part, maps))
        elif part.kind == "entity":
            if entity is None:
                raise TemplateError(f"entity reference {{{part.source}}} is not allowed here")
            value = entity(part)
            out.append(apply_filters(value, part, maps) if part.filters else value)
        else:
            if lists is None:
                raise TemplateError(f"list reference {{{part.source}}} is not allowed here")
            out.append(lists(part.target))
    return "".join(out)
