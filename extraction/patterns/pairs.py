"""Surface patterns between two mentions of a sentence: the text between them, their types, the context.

Each pattern reads the text from the first mention's end to the second's start. Titles standing between
them ("signed into law by President X") are dropped from that text first, so one pattern covers both
the bare and the titled name.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from extraction.patterns.found import Found
from extraction.patterns.sentence import SentenceView
from extraction.records import Mention

MAX_GAP = 160  # characters between the two mentions

_ADVERBS = r"(?:(?:\w+ly|also|then|today|yesterday|once|again|later|has|have|had|previously|now|currently|still)\s+)*"
_LEGISLATOR = r"(?:Senator|Sen\.|Representative|Rep\.|Congressman|Congresswoman)"
_HEAD_TITLE = r"(?:Secretary|Director|Administrator|Commissioner|Head)"  # chairs and speakers: roles.py
# "Ohio, Texas, and Utah" is a list of places, not a city and its state
_NO_LIST = re.compile(r"^(?!\s*,?\s*(?:and|or)\s+(?:the\s+)?[A-Z])(?!\s*,\s*[A-Z])")


# "in Quito, Ecuador", "places like Elyria, Ohio": a place named as a place, not an addressee ("…, Shelby, America")
_PLACE_BEFORE = re.compile(r"(?:^|\b(?:in|of|from|to|at|near|outside|for|across|like|as|and|or|visit(?:ed|ing)?|born|"
                           r"based|hometown|headquartered)\s+(?:the\s+)?(?:city\s+of\s+)?)$", re.IGNORECASE)


@dataclass(frozen=True)
class PairPattern:
    name: str
    predicate: str
    first: str  # class of the mention that comes first in the text
    second: str
    between: re.Pattern[str]
    subject_first: bool = True  # False: the second mention is the fact's subject
    before: re.Pattern[str] | None = None  # end-anchored: sentence text before the first mention
    after: re.Pattern[str] | None = None  # start-anchored: sentence text after the second mention
    second_text: re.Pattern[str] | None = None  # the second mention's own text
    drop: tuple[str, ...] = ("Position",)  # mentions of these classes may stand between; their text is dropped
    any_between: bool = False  # any mention may stand between (the pattern's text says where)
    unless: tuple[str, ...] = ()  # classes neither mention may be (a more specific pattern covers them)
    confidence: float = 0.85


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


PATTERNS: tuple[PairPattern, ...] = (
    # people and bodies
    PairPattern("senator-of-state", "represents", "Person", "StateOrRegion",
                _p(r"^,?\s+(?:of|from)\s+(?:the\s+(?:great\s+)?(?:State|Commonwealth)\s+of\s+)?$"),
                before=_p(rf"{_LEGISLATOR}\s+$"), confidence=0.9),
    PairPattern("name-title-of", "headOf", "Person", "Organization",
                _p(rf"^,\s+(?:the\s+|our\s+)?(?:\w+\s+)?{_HEAD_TITLE}\s+of\s+(?:the\s+)?$"), drop=(), confidence=0.9),
    PairPattern("judge-of-court", "memberOf", "Person", "Court", _p(r"^,?\s+of\s+(?:the\s+)?$"), confidence=0.8),
    PairPattern("serves-on", "memberOf", "Person", "Organization",
                _p(rf"^,?\s+(?:who\s+)?{_ADVERBS}(?:serves|served|sits|sat|serving|sitting)\s+on\s+(?:the\s+)?$")),
    PairPattern("member-of", "memberOf", "Person", "Organization",
                _p(rf"^,?\s+(?:who\s+)?(?:is|was|became|has\s+been)\s+{_ADVERBS}an?\s+member\s+of\s+(?:the\s+)?$")),
    PairPattern("worked-in", "employedBy", "Person", "Organization",
                _p(rf"^\s+{_ADVERBS}(?:worked|works|working)\s+(?:in|at|for)\s+(?:both\s+)?(?:the\s+)?$")),
    PairPattern("joined", "employedBy", "Person", "Organization",
                _p(rf"^\s+{_ADVERBS}joined\s+(?:the\s+)?$"), confidence=0.75),
    PairPattern("appointed", "appointedBy", "Person", "Person",
                _p(rf"^\s+{_ADVERBS}(?:appointed|named)\s+$"), subject_first=False),
    PairPattern("appointed-by", "appointedBy", "Person", "Person",
                _p(rf"^\s+(?:was|were|has\s+been|had\s+been)\s+{_ADVERBS}appointed\s+by\s+(?:then-?\s*)?(?:the\s+)?$")),
    PairPattern("married-to", "relativeOf", "Person", "Person",
                _p(r"^\s+(?:is|was|has\s+been)\s+(?:\w+\s+)?married\s+to\s+$")),
    PairPattern("and-spouse", "relativeOf", "Person", "Person",
                _p(r"^(?:\s+and|[’']s)\s+(?:his|her)?\s*(?:wife|husband|spouse|son|daughter|brother|sister|father|"
                   r"mother|widow)\s*,?\s+$")),
    PairPattern("attended", "participantIn", "Entity", "Event",
                _p(rf"^\s+{_ADVERBS}(?:attended|attends|attending|participated\s+in|took\s+part\s+in)\s+"
                   r"(?:the\s+)?(?:(?:annual|first|second|\d{4})\s+)*$")),
    PairPattern("lives-in", "livesIn", "Person", "Location",
                _p(rf"^\s+(?:and\s+(?:his|her|their)\s+\w+\s+)?{_ADVERBS}(?:lives?|lived|living|resides?|resided|"
                   r"residing|grew\s+up|was\s+raised)\s+in\s+$")),
    PairPattern("resident-of", "livesIn", "Location", "Person", _p(r"^,\s+$"), subject_first=False,
                before=_p(r"resident\s+of\s+$")),
    # bodies and places
    PairPattern("unit-of", "subOrganizationOf", "GovernmentOrganization", "Organization",
                _p(r"^,?\s+(?:an?\s+|the\s+)?(?:agency|office|bureau|component|part|unit)\s+(?:with)?in\s+(?:of\s+)?"
                   r"(?:the\s+)?$|^\s+(?:of|at|in|within)\s+the\s+$"), unless=("Legislature",)),
    PairPattern("institute-at", "subOrganizationOf", "Organization", "Organization",
                _p(r"^\s+(?:at|within)\s+the\s+$"), confidence=0.75),
    PairPattern("established-in", "subOrganizationOf", "GovernmentOrganization", "GovernmentOrganization",
                _p(r"^\s+(?:the\s+)?$"), subject_first=False, before=_p(r"established\s+(?:with)?in\s+(?:the\s+)?$")),
    PairPattern("possessive-unit", "subOrganizationOf", "GovernmentOrganization", "GovernmentOrganization",
                _p(r"^[’']s\s+$"), subject_first=False, confidence=0.8),
    PairPattern("possessive-legislature", "legislativeBody", "Location", "Legislature", _p(r"^[’']s\s+$")),
    PairPattern("possessive-body", "jurisdiction", "Location", "GovernmentOrganization", _p(r"^[’']s\s+$"),
                subject_first=False, unless=("Legislature",), confidence=0.8),
    PairPattern("possessive-program", "administers", "GovernmentOrganization", "Program", _p(r"^[’']s\s+$"),
                confidence=0.8),
    PairPattern("administers", "administers", "GovernmentOrganization", "Program",
                _p(rf"^\s+{_ADVERBS}(?:administers|administered|runs|ran|manages|managed|oversees|oversaw)\s+"
                   r"(?:the\s+)?$")),
    PairPattern("city-country", "country", "City", "Country", _p(r"^,\s*$"), before=_PLACE_BEFORE, after=_NO_LIST,
                drop=()),
    PairPattern("city-state", "locatedIn", "City", "StateOrRegion", _p(r"^,\s*$"), before=_PLACE_BEFORE,
                after=_NO_LIST, drop=()),
    PairPattern("company-country", "country", "Company", "Country", _p(r"^,\s*$"), after=_NO_LIST, drop=(),
                confidence=0.75),
    PairPattern("organization-country", "country", "Organization", "Country", _p(r"^,\s*$"),
                before=_p(r"(?:for|at|with|of)\s+(?:the\s+)?$"), after=_p(r"^\s*(?:[.;]|and\s+(?:an?\s+)?[a-z])"),
                drop=(), confidence=0.75),
    PairPattern("event-in", "locatedIn", "Event", "Location", _p(r"^(?:\s*\([^()]*\))?\s+in\s+$"), any_between=True),
    PairPattern("headquartered-in", "headquarteredIn", "Organization", "Location",
                _p(r"^(?:,[^.;()]{0,100}?,)?\s*(?:(?:which|that)\s+is\s+|is\s+|was\s+)?headquartered\s+in\s+$"),
                drop=()),
    PairPattern("place-based", "headquarteredIn", "Location", "Organization", _p(r"^-based\s+(?:the\s+)?$"),
                subject_first=False, drop=()),
    # measures
    PairPattern("passed", "enactedBy", "Legislature", "Legislation",
                _p(rf"^\s+{_ADVERBS}(?:passed|enacted|approved|adopted|ratified)\s+(?:the\s+|an?\s+)?$"),
                subject_first=False),
    PairPattern("passed-by", "enactedBy", "Legislation", "Legislature",
                _p(rf"^,?\s+(?:which\s+|that\s+)?(?:was|were|has\s+been|had\s+been)\s+{_ADVERBS}(?:passed|enacted|"
                   r"approved|adopted)\s+by\s+(?:the\s+)?$")),
    PairPattern("issued-order", "enactedBy", "Person", "Legislation", _p(r"^[’']s\s+$"), subject_first=False,
                second_text=_p(r"^(?:Executive\s+Order|Proclamation|Presidential\s+Memorandum)\b"), confidence=0.8),
    PairPattern("signed", "signedBy", "Person", "Legislation",
                _p(rf"^\s+{_ADVERBS}signed\s+(?:(?:into\s+law|in)\s+)?(?:the\s+|an?\s+)?$"), subject_first=False),
    PairPattern("signed-by", "signedBy", "Legislation", "Person",
                _p(rf"^,?\s+(?:which\s+|that\s+)?(?:was\s+|were\s+|is\s+)?{_ADVERBS}signed\s+(?:into\s+law\s+)?"
                   r"(?:(?:in|on)\s+)?by\s+(?:then-?\s*)?(?:the\s+)?$"), drop=("Position", "Date")),
    PairPattern("introduced", "sponsoredBy", "Person", "Legislation",
                _p(rf"^,?\s+(?:who\s+)?{_ADVERBS}(?:introduced|sponsored|cosponsored|co-sponsored|authored)\s+"
                   r"(?:the\s+|an?\s+|their\s+|his\s+|her\s+)?$"), subject_first=False),
    PairPattern("introduced-by", "sponsoredBy", "Legislation", "Person",
                _p(rf"^,?\s+(?:which\s+|that\s+)?(?:was\s+|were\s+)?{_ADVERBS}(?:introduced|sponsored|authored)\s+by\s+"
                   r"(?:the\s+)?$")),
    PairPattern("received-from", "fundedBy", "Entity", "Legislation",
                _p(rf"^\s+{_ADVERBS}(?:received|receives|got|was\s+awarded)\s+[^;]{{0,40}}?\s+(?:in|from|through|under)"
                   r"\s+(?:the\s+)?$")),
    PairPattern("provided-for", "fundedBy", "Legislation", "Entity",
                _p(rf"^\s+{_ADVERBS}(?:provided|provides|funded|funds|invested|invests|allocated)\s+[^;]{{0,40}}?\s+"
                   r"(?:for|to|in)\s+(?:the\s+)?(?:[’']s\s+)?$"), subject_first=False, drop=("Organization",),
                after=_p(r"^(?![’']s\b)")),
    PairPattern("measure-date", "pointInTime", "Legislation", "Date",
                _p(r"^,?\s+(?:(?:was|were|is|issued|signed|enacted|passed|adopted|established)\s+)*(?:in|on)\s+$")),
    PairPattern("event-date", "pointInTime", "Event", "Date", _p(r"^\s+(?:(?:was|were|is|held)\s+)*(?:in|on)\s+$")),
)


def pair_facts(view: SentenceView, patterns: tuple[PairPattern, ...] = PATTERNS) -> Iterator[Found]:
    mentions = view.mentions
    for i, first in enumerate(mentions):
        for j in range(i + 1, len(mentions)):
            second = mentions[j]
            if second.start - first.end > MAX_GAP:
                break
            inside = mentions[i + 1 : j]
            for pattern in patterns:
                if _matches(view, pattern, first, second, inside):
                    yield from _spread(view, pattern, first, second)


def _matches(view: SentenceView, pattern: PairPattern, first: Mention, second: Mention, inside: list[Mention]) -> bool:
    if first.entity_id == second.entity_id:
        return False
    if not (view.kind(first, pattern.first) and view.kind(second, pattern.second)):
        return False
    if any(view.kind(m, cls) for cls in pattern.unless for m in (first, second)):
        return False
    if pattern.any_between:
        between = view.gap(first, second)
    else:
        if any(not any(view.kind(m, cls) for cls in pattern.drop) for m in inside):
            return False
        between = _without(view.text, first.end, second.start, inside)
    if not pattern.between.search(between):
        return False
    if pattern.second_text is not None and not pattern.second_text.search(second.text):
        return False
    if pattern.before is not None and not pattern.before.search(view.before(first)):
        return False
    return pattern.after is None or bool(pattern.after.search(view.after(second)))


def _without(text: str, start: int, end: int, inside: list[Mention]) -> str:
    """The text between two mentions with the mentions inside it taken out ("by President X" → "by  X")."""
    parts, cursor = [], start
    for mention in inside:
        parts.append(text[cursor : mention.start])
        cursor = mention.end
    parts.append(text[cursor:end])
    return re.sub(r"[ \t]{2,}", " ", "".join(parts))


def _spread(view: SentenceView, pattern: PairPattern, first: Mention, second: Mention) -> Iterator[Found]:
    """A person's fact holds for the persons coordinated with it ("Senators Warner and Thune, who introduced")."""
    firsts = view.group(first) if view.kind(first, "Person") and first.id == view.group(first)[-1].id else [first]
    seconds = view.group(second) if view.kind(second, "Person") and second.id == view.group(second)[0].id else [second]
    for a in firsts:
        for b in seconds:
            subject, obj = (a, b) if pattern.subject_first else (b, a)
            yield Found(pattern.predicate, subject, obj, pattern.confidence, pattern.name)
