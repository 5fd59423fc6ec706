"""Titles and the people who hold them, and the bodies and places those titles tie them to.

First every title is linked to its holder:
- a title right before a name: "President Joseph R. Biden", "Senators Warner and Thune",
  "Deputy Assistant to the President and OLA Director James Braid";
- an appositive: "Robert F. Kennedy, Jr., U.S. Secretary of Health and Human Services";
- a copula: "Dave Turk is currently the Deputy Executive Director", "Holcomb serves as the 51st Governor".
Each link is a `holdsPosition` fact. Then the title's body or place gives a second fact, chosen by
the kind of title (titles.py) and the kind of body: "Texas Governor" → headOfGovernment, "OLA Director"
→ headOf, "Deputy Executive Director of the International Energy Agency" → employedBy, "House
Republican Chief Deputy Whip" → memberOf and partyOf, "Sen. Eric Schmitt (MO)" → represents.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from extraction.patterns.found import Found
from extraction.patterns.sentence import SentenceView
from extraction.patterns.titles import TitleKind, is_plural, title_kinds
from extraction.records import Mention

BEFORE_NAME = 0.9
APPOSITIVE = 0.85
COPULA = 0.85
FRAME = 0.8

_AS_TITLE = re.compile(r"(?:^|\b)[Aa]s\s+(?:the\s+|an?\s+|his\s+|her\s+)?$")  # "As Secretary of State, X …"
_TITLE_NAME = re.compile(r"^\s+(?:the\s+Honorable\s+)?$")
_TITLE_AND_TITLE = re.compile(r"^\s+and\s+(?:as\s+)?(?:the\s+|an?\s+)?$")
_MODIFIER = re.compile(r"^(?:\s+|\s*-\s*)$")  # "Texas Governor", "U.S.-based"
_APPOSITIVE = re.compile(r"^,\s+(?:(?:the|a|an|its|our|then-?|former|current|now)\s+)*$")
_ORG_AFTER_TITLE = re.compile(r"^\s+(?:of|at|for|with|in)\s+(?:the\s+)?$")
_ORG_AFTER_NAME = re.compile(r"^,?\s+(?:of|from)\s+(?:the\s+)?(?:(?:great\s+)?(?:State|Commonwealth)\s+of\s+)?$")
_POSSESSIVE = re.compile(r"^[’']s\s+$")
_TAG_OPEN = re.compile(r"^\s*\(\s*$")
_TAG_DASH = re.compile(r"^\s*[-–]\s*$")
_TAG_CLOSE = re.compile(r"^\s*\)")

_COPULA_VERBS = {"is", "was", "are", "were", "serves", "served", "serve", "serving", "works", "worked",
                 "became", "becomes", "remains", "remained", "been"}
_COPULA_FILLERS = {"currently", "also", "now", "most", "recently", "previously", "later", "subsequently",
                   "formerly", "then", "has", "have", "had", "still", "once", "briefly", "as", "the", "a", "an",
                   "its", "their", "first", "second", "third", "last", "again", "already"}
_ORDINAL = re.compile(r"^(?:\d+(?:st|nd|rd|th)|[a-z]+-?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|"
                      r"ninth)|[a-z]+(?:tieth|teenth|th))$")


@dataclass(frozen=True)
class TitleLink:
    person: Mention
    title: Mention
    how: str  # "before", "appositive", "copula", "as"
    confidence: float


def _copula(gap: str) -> bool:
    """'is currently the', 'has also served as', 'currently serves as the 51st': a holder's title follows."""
    if not gap.startswith((" ", "\n")) or not gap.endswith((" ", "\n")):
        return False
    words = gap.split()
    if not words or len(words) > 8:
        return False
    verbs = 0
    for word in words:
        if word in _COPULA_VERBS:
            verbs += 1
        elif word not in _COPULA_FILLERS and not _ORDINAL.match(word):
            return False
    return verbs >= 1


def _modifier(view: SentenceView, mention: Mention) -> bool:
    """A body, party or place that may stand before a title: "Texas Governor", "OLA Director"."""
    return not view.kind(mention, "Person") and not view.kind(mention, "Position") and (
        view.kind(mention, "Organization") or view.kind(mention, "Location"))


def title_links(view: SentenceView) -> list[TitleLink]:
    links: dict[tuple[str, str], TitleLink] = {}
    mentions = view.mentions
    for i, person in enumerate(mentions):
        if not view.kind(person, "Person"):
            continue
        found: list[TitleLink] = []
        if i > 0 and view.kind(mentions[i - 1], "Position") and _TITLE_NAME.match(view.gap(mentions[i - 1], person)):
            for title in _titles_backwards(view, i - 1):
                holders = ([p for p in view.group(person) if p.start >= person.start] if is_plural(title.text)
                           else [person])
                found += [TitleLink(p, title, "before", BEFORE_NAME) for p in holders]
        if i + 1 < len(mentions):
            gap = view.gap(person, mentions[i + 1])
            how = "appositive" if _APPOSITIVE.match(gap) else "copula" if _copula(gap) else None
            # "Vice President Cheney, Members of Congress, …": a plural title after one name is a list
            plural = i + 1 < len(mentions) and is_plural(mentions[i + 1].text) and len(view.group(person)) < 2
            if how is not None and person.id == view.group(person)[-1].id and not plural:
                first = _skip_modifiers_forward(view, i + 1)
                if first is not None and not _titles_a_name(view, first):
                    confidence = APPOSITIVE if how == "appositive" else COPULA
                    found += [TitleLink(person, t, how, confidence) for t in _titles_forwards(view, first)]
        if i > 0 and view.kind(mentions[i - 1], "Position") and view.gap(mentions[i - 1], person) == ", " and \
                _AS_TITLE.search(view.before(mentions[i - 1], 30)):
            found.append(TitleLink(person, mentions[i - 1], "as", COPULA))
        for link in found:
            links.setdefault((link.person.id, link.title.id), link)
    return list(links.values())


def _titles_backwards(view: SentenceView, index: int) -> Iterator[Mention]:
    """The title at `index`, then titles chained before it with 'and' (skipping their modifiers)."""
    mentions = view.mentions
    yield mentions[index]
    k = index
    while True:
        j = k - 1
        while j >= 0 and _modifier(view, mentions[j]) and _MODIFIER.match(view.gap(mentions[j], mentions[j + 1])):
            j -= 1
        if (j >= 0 and view.kind(mentions[j], "Position")
                and _TITLE_AND_TITLE.match(view.gap(mentions[j], mentions[j + 1]))):
            yield mentions[j]
            k = j
            continue
        return


def _skip_modifiers_forward(view: SentenceView, index: int) -> int | None:
    mentions = view.mentions
    j = index
    while j < len(mentions) and _modifier(view, mentions[j]):
        if j + 1 >= len(mentions) or not _MODIFIER.match(view.gap(mentions[j], mentions[j + 1])):
            return None
        j += 1
    return j if j < len(mentions) and view.kind(mentions[j], "Position") else None


def _titles_forwards(view: SentenceView, index: int) -> Iterator[Mention]:
    mentions = view.mentions
    yield mentions[index]
    k = index
    while k + 1 < len(mentions):
        # the next title may come after the first one's body: "Director of X and Chair of Y"
        j = k + 1
        if not view.kind(mentions[j], "Position") and _ORG_AFTER_TITLE.match(view.gap(mentions[k], mentions[j])):
            j += 1
        if j >= len(mentions):
            return
        start = _skip_modifiers_forward(view, j) if _modifier(view, mentions[j]) else j
        if start is None or not view.kind(mentions[start], "Position") or _titles_a_name(view, start):
            return
        if not _TITLE_AND_TITLE.match(view.gap(mentions[j - 1], mentions[j])):
            return
        yield mentions[start]
        k = start


def _titles_a_name(view: SentenceView, index: int) -> bool:
    """A title directly before a name belongs to that name ("…, Senator Chuck Grassley")."""
    mentions = view.mentions
    return index + 1 < len(mentions) and view.kind(mentions[index + 1], "Person") and bool(
        _TITLE_NAME.match(view.gap(mentions[index], mentions[index + 1])))


def role_facts(view: SentenceView) -> list[Found]:
    """holdsPosition for every title link, and the facts the title's body or place gives."""
    found: list[Found] = []
    for link in title_links(view):
        found.append(Found("holdsPosition", link.person, link.title, link.confidence, f"title-{link.how}"))
        kinds = title_kinds(link.title.text)
        for body in _bodies(view, link):
            fact = frame(view, kinds, link.person, body)
            if fact is not None:
                found.append(fact)
        found += _tag_facts(view, link)
    return found


def _bodies(view: SentenceView, link: TitleLink) -> Iterator[Mention]:
    mentions = view.mentions
    t = view.index(link.title)
    j = t - 1  # modifiers before the title: "Texas Governor", "House Republican Chief Deputy Whip"
    while j >= 0 and _modifier(view, mentions[j]) and _MODIFIER.match(view.gap(mentions[j], mentions[j + 1])):
        yield mentions[j]
        j -= 1
    if t + 1 < len(mentions) and _ORG_AFTER_TITLE.match(view.gap(link.title, mentions[t + 1])):
        body = mentions[t + 1]
        if _modifier(view, body):
            yield _possessed(view, body)
    if link.how == "before":  # "President Frank-Walter Steinmeier of Germany"
        p = view.index(link.person)
        if p + 1 < len(mentions) and _modifier(view, mentions[p + 1]) and _ORG_AFTER_NAME.match(
                view.gap(link.person, mentions[p + 1])):
            yield _possessed(view, mentions[p + 1])


def _possessed(view: SentenceView, body: Mention) -> Mention:
    """"Wisconsin's Office of Rural Prosperity": the office, not the state, is the title's body."""
    nxt = view.following(body)
    if nxt is not None and view.kind(body, "Location") and view.kind(nxt, "Organization") and _POSSESSIVE.match(
            view.gap(body, nxt)):
        return nxt
    return body


def frame(view: SentenceView, kinds: frozenset[TitleKind], person: Mention, body: Mention) -> Found | None:
    """The fact a title of these kinds gives between its holder and a body or place."""
    if view.kind(body, "Location"):
        if TitleKind.HEAD_OF_STATE in kinds and view.kind(body, "Country"):
            return Found("headOfState", body, person, FRAME, "title-place")
        if TitleKind.HEAD_OF_GOVERNMENT in kinds:
            return Found("headOfGovernment", body, person, FRAME, "title-place")
        if TitleKind.LEGISLATOR in kinds and view.kind(body, "StateOrRegion"):
            return Found("represents", person, body, FRAME, "title-place")
        return None
    if view.kind(body, "PoliticalParty"):
        return Found("partyOf", person, body, FRAME, "title-party")
    if not view.kind(body, "Organization"):
        return None
    if TitleKind.SPEAKER in kinds and view.kind(body, "Legislature") or TitleKind.CHAIR in kinds:
        return Found("chairpersonOf", person, body, FRAME, "title-body")
    if kinds & {TitleKind.LEGISLATOR, TitleKind.MEMBER}:
        if any(view.kind(body, c) for c in ("Legislature", "Committee", "Court")):
            return Found("memberOf", person, body, FRAME, "title-body")
        return None  # "House Republican Whip": the body is not the employer
    if kinds & {TitleKind.HEAD, TitleKind.HEAD_OF_STATE}:
        return Found("headOf", person, body, FRAME, "title-body")
    if kinds & {TitleKind.HEAD_OF_GOVERNMENT, TitleKind.LEGISLATOR}:
        return None  # "Governor of the Federal Reserve": too rare to guess
    return Found("employedBy", person, body, FRAME, "title-body")


def _tag_facts(view: SentenceView, link: TitleLink) -> list[Found]:
    """"Sen. Eric Schmitt (MO)", "Rep. Jane Doe (D-TX)": the state a legislator represents, the party."""
    if TitleKind.LEGISLATOR not in title_kinds(link.title.text):
        return []
    first = view.following(link.person)
    if first is None or not _TAG_OPEN.match(view.gap(link.person, first)):
        return []
    found: list[Found] = []
    state = first
    if view.kind(first, "PoliticalParty"):
        second = view.following(first)
        if second is None or not _TAG_DASH.match(view.gap(first, second)):
            return []
        found.append(Found("partyOf", link.person, first, FRAME, "party-tag"))
        state = second
    if view.kind(state, "StateOrRegion") and _TAG_CLOSE.match(view.after(state, 3)):
        found.append(Found("represents", link.person, state, FRAME, "state-tag"))
    return found if any(f.predicate == "represents" for f in found) else []
