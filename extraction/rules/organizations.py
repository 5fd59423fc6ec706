"""Organisations and events by their head word: a capitalised name that ends in Agency, Office, Committee,
Court, Association, Institute, Summit… ("California Labor and Workforce Development Agency",
"U.S. District Court for the Eastern District of Missouri", "East Asia Summit").

The name runs back from the head word over capitalised words and the small words inside names
(of, and, for, the, on); it stops at a title ("Secretary of the X Agency": the agency starts after
"of the") and at a unit's parent ("Executive Committee of the Republican Governors Association" is two
names, joined by subOrganizationOf). A court takes its district or circuit ("… for the Eastern District
of Missouri"). The class comes from the head word (extraction/names.py).
"""
from __future__ import annotations

from spacy.tokens import Doc, Token

from extraction.names import organization_type
from extraction.rules.common import ORG_WORDS, PATTERN, RuleContext, RuleSpan, is_name_word
from extraction.rules.positions import HEAD_SET

_EVENT_WORDS = frozenset({"summit", "conference", "meeting", "forum", "convention", "games", "olympics", "expo"})
_HEADS = (ORG_WORDS - {"party", "press", "times", "system", "team", "group", "network", "fund", "force", "forces",
                       "service", "services", "chamber", "inc", "llc", "ltd", "pty", "company", "church", "club",
                       "clubs", "union", "trust", "society"}) | _EVENT_WORDS
_INSIDE = frozenset({"of", "and", "for", "the", "on", "&", "to"})
_COURT_TAIL = frozenset({"of", "for", "the", "appeals", "district", "circuit", "claims"})


def find_organizations(doc: Doc, context: RuleContext) -> list[RuleSpan]:
    spans: list[RuleSpan] = []
    for i, token in enumerate(doc):
        if token.lower_ not in _HEADS or not token.text[:1].isupper():
            continue
        end = _court_end(doc, i) if token.lower_ == "court" else _complement_end(doc, i)
        start = _start(doc, i, named_after=end > i + 1)
        if start is None:
            continue
        text = doc[start:end].text
        kind = "Event" if token.lower_ in _EVENT_WORDS else organization_type(text) or "Organization"
        spans.append(RuleSpan(doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text), kind, PATTERN,
                              "organization"))
    return spans


def _start(doc: Doc, head: int, named_after: bool = False) -> int | None:
    """The first word of the name whose head word is at `head`; None when no capitalised word stands before
    the head and none after it ("the Office", "The Committee": a generic description, not a name)."""
    start = head
    j = head - 1
    while j >= 0:
        token = doc[j]
        if token.lower_ in HEAD_SET and token.text[:1].isupper():
            break  # "Secretary of the … Agency": the title is not part of the name
        if token.lower_ in _INSIDE:
            if j == 0 or not _capitalised(doc[j - 1]) or doc[j - 1].lower_ in _HEADS:
                break  # "Committee of the … Association": a unit and its parent are two names
            j -= 1
            continue
        if not _capitalised(token):
            break
        start = j
        j -= 1
    while start < head and doc[start].lower_ in _INSIDE:
        start += 1
    if not named_after and (start == head or not any(is_name_word(t) for t in doc[start:head])):
        return None
    return start


def _capitalised(token: Token) -> bool:
    return token.text[:1].isupper() and any(c.isalpha() for c in token.text) or token.text in {"U.S.", "U.S"}


def _complement_end(doc: Doc, head: int) -> int:
    """"Department of Health", "Committee on Ways and Means", "University of Delaware": the name goes on
    after its head word; but not into a parent's name ("Executive Committee of the … Association")."""
    j = head + 1
    if j >= len(doc) or doc[j].lower_ not in {"of", "on", "for"}:
        return head + 1
    j += 1
    if j < len(doc) and doc[j].lower_ == "the":
        j += 1
    end = head + 1
    while j < len(doc) and (_capitalised(doc[j]) or doc[j].lower_ in {"and", "&", "of", "for"}
                            or doc[j].lower_ == "the" and doc[j - 1].lower_ in {"of", "for"}):
        if _capitalised(doc[j]):
            end = j + 1
        j += 1
    if end > head + 1 and doc[end - 1].lower_ in _HEADS:
        # "Committee on Finance of the Western Governors Association": the unit's name ends before its parent's
        ofs = [k for k in range(head + 2, end) if doc[k].lower_ == "of"]
        end = ofs[-1] if ofs else head + 1
        while end > head + 1 and not _capitalised(doc[end - 1]):
            end -= 1
    return end


def _court_end(doc: Doc, head: int) -> int:
    """"Court of Appeals for the Ninth Circuit", "Court for the Eastern District of Missouri"."""
    end = head + 1
    j = head + 1
    while j < len(doc) and (doc[j].lower_ in _COURT_TAIL or _capitalised(doc[j])):
        if _capitalised(doc[j]):
            end = j + 1
        j += 1
    return end
