"""Names inside one document: short person names, acronyms in parentheses, organisation types by head word.

- "Saddam" → "Saddam Hussein", "Grassley" → "Chuck Grassley", "Ms. Bianchi" → "Gina Bianchi": a short
  person name resolves to the one full name used earlier in the same document that starts or ends with
  it; when two earlier full names fit ("Bush" after George W. and Laura Bush), it stays unresolved.
- "International Energy Agency (IEA)": the acronym right after a name, in parentheses, is that name.
- An organisation a model found as plain Organization gets the class its head word says
  ("… Subcommittee" → Committee, "Office of …" → Agency, "… Court …" → Court).
"""
from __future__ import annotations

import re

from extraction.records import Mention, normalize_name

# titles of address before a name: "Ms.", "Sen.", "the Honorable", "His Excellency"
HONORIFIC = re.compile(r"^(?:(?:(?:the\s+)?Honorable|(?:(?:His|Her)\s+)?(?:Honor|Excellency)|Mr|Mrs|Ms|Dr|Sen|Rep|Gov|"
                       r"Gen|Adm|Judge|Justice)\.?\s+)+")
_SUFFIX = {"jr", "sr", "ii", "iii", "iv"}
_ACRONYM = re.compile(r"^[A-Z][A-Za-z&.]{1,9}$")
_SMALL_WORDS = {"of", "and", "the", "for", "on", "in", "to", "at", "&"}

_HEAD_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:Sub)?[Cc]ommittee\b|\bCommission\b|\bCouncil\b|\bTask Force\b|\bBoard\b"), "Committee"),
    (re.compile(r"\bCourt\b"), "Court"),
    (re.compile(r"^(?:U\.S\.\s+|United States\s+)?(?:Senate|House(?: of Representatives)?|Congress|Parliament|"
                r"Knesset|Bundestag|Duma|Legislature|General Assembly|National Assembly)$"), "Legislature"),
    (re.compile(r"\bParty$|^(?:Republican|Democratic|Democrat|Libertarian|GOP)s?$"), "PoliticalParty"),
    (re.compile(r"\bDepartment of\b|\bDepartment$"), "Department"),
    (re.compile(r"^Office of\b|\b(?:Office|Bureau|Administration|Agency|Service|Authority)$"), "Agency"),
)


def singular_title(text: str) -> str | None:
    """"Senators" → "Senator", "Secretaries" → "Secretary"; None when the title is not a plural."""
    if " of " in text or " to " in text:
        return None
    head, _, last = text.rstrip().rpartition(" ")
    if len(last) <= 3 or not last[0].isalpha():
        return None
    if last.endswith("ies"):
        single = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        single = last[:-1]
    else:
        return None
    return f"{head} {single}" if head else single


def organization_type(text: str) -> str | None:
    """The class an organisation's head word gives, or None (it stays Organization)."""
    for pattern, cls in _HEAD_TYPES:
        if pattern.search(text):
            return cls
    return None


def name_tokens(text: str) -> tuple[str, ...]:
    """A person name's words without honorifics, initials and suffixes ("Joseph R. Biden, Jr." → joseph, biden)."""
    text = HONORIFIC.sub("", text.strip())
    words = normalize_name(text).split()
    return tuple(w for w in words if w not in _SUFFIX and len(w) > 1)


def short_name_owner(short: tuple[str, ...], full_names: dict[str, tuple[str, ...]]) -> str | None:
    """The one entity (id → name tokens) whose full name starts or ends with `short`; None if none or several."""
    if not short:
        return None
    n = len(short)
    owners = {eid for eid, tokens in full_names.items()
              if len(tokens) > n and (tokens[-n:] == short or tokens[:n] == short)}
    return owners.pop() if len(owners) == 1 else None


def is_acronym_of(acronym: str, name: str) -> bool:
    """"IEA" of "International Energy Agency", "DARPA" of "Defense Advanced Research Projects Agency"."""
    if not _ACRONYM.match(acronym):
        return False
    letters = acronym.replace(".", "").replace("&", "").upper()
    words = [w for w in re.split(r"[\s\-–]+", name) if w and w.lower() not in _SMALL_WORDS]
    initials = "".join(w[0] for w in words if w[0].isalpha()).upper()
    return letters == initials or (len(letters) >= 3 and initials.startswith(letters))


def parenthesised(before: Mention, acronym: Mention) -> bool:
    """The acronym stands right after the name, in parentheses: "Name (ACR)"."""
    return acronym.start - before.end == 2 and acronym.sentence_index == before.sentence_index
