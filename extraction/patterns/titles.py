"""What a title says about its holder: head of the body, chair, legislator, head of state or government, staff.

The relation rules use it to choose the predicate that ties a person with a title to the body or place
the title names ("Secretary of the X Agency" → headOf; "Deputy Director of X" → employedBy;
"Texas Governor" → headOfGovernment; "Senator … (MO)" → represents).
"""
from __future__ import annotations

import re
from enum import Enum


class TitleKind(str, Enum):
    HEAD = "head"  # leads the organisation: Secretary, Director, Administrator, President and CEO
    CHAIR = "chair"  # chairs a body: Chair, Chairman, Co-Chair
    SPEAKER = "speaker"  # presides over a legislature
    LEGISLATOR = "legislator"  # Senator, Representative, Congressman, member of Congress
    MEMBER = "member"  # Whip, Leader, Judge, Justice, member: belongs to the body
    HEAD_OF_STATE = "head_of_state"  # President, King, Queen (with a country)
    HEAD_OF_GOVERNMENT = "head_of_government"  # Governor, Mayor, Prime Minister (with a place)
    STAFF = "staff"  # any other title: works for the body


_SPACE = re.compile(r"\s+")
_PREFIXES = ("acting ", "interim ", "former ", "then-", "then ", "the ")
# a title with one of these in front works for the body it names (Deputy Director, Staff Director)
_DEPENDENT = re.compile(
    r"^(?:deputy|assistant|associate|senior|staff|legislative|special|principal|under|lieutenant|policy|"
    r"litigation|program|regional|press|communications|executive assistant|chief of staff|vice chair)\b")
_HEAD = {
    "secretary", "administrator", "director", "executive director", "secretary-general", "secretary general",
    "president", "ceo", "chief executive", "chief executive officer", "president and ceo", "commissioner",
    "chief judge", "head", "director-general", "director general", "managing director", "attorney general",
    "inspector general", "executive secretary", "chancellor", "superintendent", "comptroller general",
    "librarian", "archivist", "founder", "chief", "chairman and ceo", "chair and ceo",
}
_CHAIR = {"chair", "chairman", "chairwoman", "chairperson", "co-chair", "cochair", "co-chairman", "co-chairwoman"}
_LEGISLATOR = {"senator", "sen.", "representative", "rep.", "congressman", "congresswoman", "congressperson",
               "member of congress", "delegate", "congressional representative"}
_MEMBER = {"judge", "justice", "member", "whip", "chief deputy whip", "deputy whip", "majority whip", "minority whip",
           "majority leader", "minority leader", "leader", "associate justice", "magistrate judge",
           "circuit judge", "district judge", "ranking member", "commissioner"}
_HEAD_OF_STATE = {"president", "king", "queen", "emperor", "empress", "monarch", "sultan", "emir", "grand duke"}
_HEAD_OF_GOVERNMENT = {"governor", "mayor", "prime minister", "premier", "chancellor", "first minister",
                       "chief minister", "taoiseach"}


def normalize_title(text: str) -> str:
    """Lower case, single spaces, no leading 'acting'/'former'/'then-', singular ('Senators' → 'senator')."""
    title = _SPACE.sub(" ", text.replace("’", "'")).strip().casefold()
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if title.startswith(prefix):
                title, changed = title[len(prefix):], True
    title = re.sub(r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|[a-z]+-(?:first|second|third|"
                   r"fourth|fifth|sixth|seventh|eighth|ninth)|[a-z]+(?:tieth|teenth|th)) ", "", title)
    words = title.split(" ")
    last = words[-1]
    if len(last) > 3 and last.endswith("ies"):
        words[-1] = last[:-3] + "y"
    elif len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us")):
        words[-1] = last[:-1]
    return " ".join(words)


def title_kinds(text: str) -> frozenset[TitleKind]:
    """Every kind a title may be; the body or place it is tied to decides which one applies."""
    title = normalize_title(text)
    kinds: set[TitleKind] = set()
    if " of " in title or " to " in title or " for " in title:
        # "Secretary of Health and Human Services", "Special Assistant to the President": the complement
        # is part of the title; such a holder works for the body named after it
        head = title.split(" of ")[0].split(" to ")[0].split(" for ")[0]
        if head in _LEGISLATOR or title in _LEGISLATOR:
            kinds.add(TitleKind.LEGISLATOR)
        kinds.add(TitleKind.STAFF)
        return frozenset(kinds)
    if _DEPENDENT.match(title) and title not in _MEMBER and title not in _LEGISLATOR:
        return frozenset({TitleKind.STAFF})
    if title in _LEGISLATOR:
        kinds.add(TitleKind.LEGISLATOR)
    if title in _MEMBER:
        kinds.add(TitleKind.MEMBER)
    if title == "speaker":
        kinds.add(TitleKind.SPEAKER)
    if title in _CHAIR:
        kinds.add(TitleKind.CHAIR)
    if title in _HEAD_OF_STATE:
        kinds.add(TitleKind.HEAD_OF_STATE)
    if title in _HEAD_OF_GOVERNMENT:
        kinds.add(TitleKind.HEAD_OF_GOVERNMENT)
    if title in _HEAD or " and " in title and all(part in _HEAD for part in title.split(" and ")):
        kinds.add(TitleKind.HEAD)
    return frozenset(kinds or {TitleKind.STAFF})


def is_plural(text: str) -> bool:
    """'Senators', 'Governors', 'Members of Congress': a title that several names may share."""
    head = text.split(" of ")[0].split(" to ")[0].strip()
    last = head.split()[-1] if head else ""
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us"))
