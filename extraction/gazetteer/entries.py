"""Gazetteer entries built from the data files in data/gazetteers/.

Each entry is one real-world entity: a stable key, a canonical name, an ontology class and
the aliases under which text may name it. Aliases that two entries share are ambiguous and
are dropped from both, so the rule layer never guesses between two people.
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from extraction.errors import ConfigError, Errors
from extraction.records import normalize_name

try:
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _YamlLoader = yaml.SafeLoader  # type: ignore[misc]

MIN_ACRONYM = 2
# upper-case words that are acronyms in the list but ordinary words or codes in running text
_ACRONYM_STOPLIST = {"US", "ED", "IT", "AS", "ERIC", "VETS", "COPS", "ICE", "LOC"}


@dataclass(frozen=True)
class GazetteerEntry:
    key: str
    name: str
    type: str
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...] = ()  # matched case-sensitively only
    source: str = ""


def _read_tsv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ConfigError(Errors.E021, path=str(path))
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _read_yaml(path: Path) -> list | dict:
    if not path.is_file():
        raise ConfigError(Errors.E021, path=str(path))
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_YamlLoader)


def states(folder: Path) -> list[GazetteerEntry]:
    return [
        GazetteerEntry(key=f"state:{row['abbreviation']}", name=row["name"], type="StateOrRegion",
                       aliases=(), source="us_states.tsv")
        for row in _read_tsv(folder / "us_states.tsv")
    ]


def agencies(folder: Path, state_names: set[str]) -> list[GazetteerEntry]:
    """Agencies grouped by acronym: 'Department of Defense', 'Defense Department', 'DOD' are one."""
    groups: dict[str, list[str]] = defaultdict(list)
    for row in _read_tsv(folder / "agencies.tsv"):
        name, acronym = (row.get("name") or "").strip(), (row.get("acronym") or "").strip()
        if not name or name in state_names:
            continue
        acronym_ok = re.fullmatch(r"[A-Z][A-Za-z&/.-]*[A-Z]", acronym or "") and " " not in acronym
        groups[f"agency:{acronym}" if acronym_ok else f"agency:{normalize_name(name)}"].append(name)
        if acronym_ok:
            groups[f"agency:{acronym}"].append("\0" + acronym)
    entries = []
    for key, names in groups.items():
        acronyms = tuple(sorted({n[1:] for n in names if n.startswith("\0")}))
        plain = sorted({n for n in names if not n.startswith("\0")}, key=_canonical_order)
        kind = "Department" if any(re.search(r"\bDepartment\b", n) for n in plain) else "Agency"
        entries.append(GazetteerEntry(
            key=key, name=plain[0], type=kind, aliases=tuple(plain[1:]),
            acronyms=tuple(a for a in acronyms if len(a) >= MIN_ACRONYM and a not in _ACRONYM_STOPLIST),
            source="agencies.tsv",
        ))
    return entries


def _canonical_order(name: str) -> tuple[int, int, str]:
    # "Department of Defense" before "Defense Department" before "U.S. Department of Defense"
    return (name.startswith("U.S."), not name.startswith("Department of"), len(name), name)


def _person_names(name: dict) -> list[str]:
    first, last = name.get("first", ""), name.get("last", "")
    middle, nick, suffix = name.get("middle"), name.get("nickname"), name.get("suffix")
    names = [name.get("official_full") or ""]
    names.append(f"{first} {last}")
    if middle:
        initials = " ".join(f"{part[0]}." for part in middle.replace(".", " ").split())
        names.append(f"{first} {initials} {last}")
        names.append(f"{first} {middle} {last}")
    if nick:
        names.append(f"{nick} {last}")
    if suffix:
        names += [f"{n} {suffix}" for n in list(names) if n]
    seen, out = set(), []
    for n in names:
        n = re.sub(r"\s+", " ", n).strip()
        if n and n not in seen:
            seen.add(n)
            out.append(n)
    return out


def people(folder: Path) -> list[GazetteerEntry]:
    """Members of Congress and presidents/vice presidents, one entry per person (bioguide id)."""
    by_key: dict[str, tuple[str, list[str]]] = {}
    for filename in ("legislators-current.yaml", "executive.yaml"):
        for person in _read_yaml(folder / filename) or []:
            ids, name = person.get("id", {}), person.get("name", {})
            names = _person_names(name)
            if not names:
                continue
            born = (person.get("bio") or {}).get("birthday", "")
            key = f"person:{ids['bioguide']}" if ids.get("bioguide") else f"person:{normalize_name(names[-1])}:{born}"
            known = by_key.get(key)
            by_key[key] = (known[0] if known else filename, (known[1] if known else []) + names)
    entries = []
    for key, (source, names) in by_key.items():
        unique = list(dict.fromkeys(names))
        entries.append(GazetteerEntry(key=key, name=unique[0], type="Person", aliases=tuple(unique[1:]), source=source))
    return entries


def committees(folder: Path) -> list[GazetteerEntry]:
    entries = []
    for committee in _read_yaml(folder / "committees-current.yaml") or []:
        name, cid = committee.get("name"), committee.get("thomas_id")
        if not name or not cid:
            continue
        aliases = []
        chamber = {"house": "House", "senate": "Senate", "joint": "Joint"}.get(committee.get("type", ""), "")
        topic = re.sub(r"^(House|Senate|Joint) (Select |Special |Permanent Select )?Committee on (the )?", "", name)
        if chamber and topic != name:
            aliases.append(f"{chamber} {topic} Committee")
        entries.append(GazetteerEntry(key=f"committee:{cid}", name=name, type="Committee",
                                      aliases=tuple(aliases), source="committees-current.yaml"))
        for sub in committee.get("subcommittees") or []:
            if sub.get("name") and sub.get("thomas_id"):
                full = f"{name} Subcommittee on {sub['name']}"
                entries.append(GazetteerEntry(key=f"committee:{cid}{sub['thomas_id']}", name=full,
                                              type="Committee", aliases=(), source="committees-current.yaml"))
    return entries


def institutions(folder: Path) -> list[GazetteerEntry]:
    return [
        GazetteerEntry(key=f"institution:{normalize_name(row['name'])}", name=row["name"], type=row["type"],
                       aliases=tuple(a for a in (row.get("aliases") or "").split("|") if a),
                       source="institutions.tsv")
        for row in _read_tsv(folder / "institutions.tsv")
    ]


def load_entries(folder: Path) -> list[GazetteerEntry]:
    """All entries, with aliases shared by two entries removed from both."""
    state_entries = states(folder)
    entries = (
        state_entries
        + agencies(folder, {e.name for e in state_entries})
        + people(folder)
        + committees(folder)
        + institutions(folder)
    )
    owners: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for name in (entry.name, *entry.aliases):
            owners[normalize_name(name)].add(entry.key)
    cleaned = []
    for entry in entries:
        names = [n for n in (entry.name, *entry.aliases) if len(owners[normalize_name(n)]) == 1]
        if not names and not entry.acronyms:
            continue  # every name is ambiguous: text cannot tell this entity apart
        name = names[0] if names else entry.name
        cleaned.append(GazetteerEntry(entry.key, name, entry.type, tuple(names[1:]), entry.acronyms, entry.source))
    return cleaned
