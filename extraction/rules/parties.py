"""Political parties: party words ("Republican President Teddy Roosevelt", "Democrats") and the party and
state tags after a legislator's name ("(D-TX)", "(R-NY-21)", "(MO)", ", R-Ohio,")."""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from extraction.rules.common import LEXICON, ORG_WORDS, PATTERN, RuleContext, RuleSpan, is_title_case, rule_nlp
from extraction.rules.places import US_STATES

_PARTIES = {
    "Democratic Party": ("D", "Democratic", "Democrat", "Democrats", "Democratic Party", "Democratic party",
                         "Dem", "Dems"),
    "Republican Party": ("R", "Republican", "Republicans", "GOP", "Republican Party", "Republican party"),
    "Independent": ("I",),
    "Whig Party": ("Whig Party", "Whigs", "Whig"),
    "Federalist Party": ("Federalist Party",),
    "Democratic-Republican Party": ("Democratic-Republican Party",),
    "Green Party": ("Green Party",),
    "Libertarian Party": ("Libertarian Party", "Libertarians"),
    "Progressive Party": ("Progressive Party", "Bull Moose Party"),
    "Reform Party": ("Reform Party",),
    "Know Nothing Party": ("Know Nothing Party", "Know-Nothing Party"),
    "Communist Party": ("Communist Party",),
    "Labour Party": ("Labour Party",),
    "Conservative Party": ("Conservative Party",),
    "Likud": ("Likud",),
}
_CANONICAL = {form.casefold(): name for name, forms in _PARTIES.items() for form in (name, *forms) if len(form) > 1}
_CANONICAL.update({form: name for name, forms in _PARTIES.items() for form in forms if len(form) == 1})
_WORDS = [form for forms in _PARTIES.values() for form in forms if len(form) > 1 and form not in {"Dem", "Dems"}]
_WORDS += [name for name in _PARTIES if name not in _WORDS and name != "Independent"]
# after a sentence-opening party adjective, the words that make it a party and not "Democratic institutions"
_POLITICAL_NOUNS = {"leader", "leaders", "leadership", "senator", "senators", "member", "members", "lawmakers",
                    "governor", "governors", "party", "candidate", "candidates", "congressman", "congresswoman",
                    "majority", "minority", "colleagues", "caucus", "nominee", "nominees", "president",
                    "administration", "administrations", "platform", "primary", "side", "friends", "voters",
                    "officials", "legislators", "representatives", "control", "lawmaker", "leaders'", "mayor",
                    "mayors", "presidents", "congressmen", "senate", "house", "and", "or", ","}

_STATE_NAMES = "|".join(sorted((re.escape(n) for n in US_STATES.values()), key=len, reverse=True))
_TAG = re.compile(
    r"(?:\(|,\s)(?P<party>[DRI])\s?[-–‐]\s?(?P<state>[A-Z]{2}|" + _STATE_NAMES
    + r")(?:[-–]\d{1,2}|-AL)?(?=\)|,|;|\.)"
)
_STATE_TAG = re.compile(r"(?<=[a-z.]) \((?P<state>[A-Z]{2})\)")


def canonical_party(text: str) -> str | None:
    """The party a party word or tag letter names: "D", "Democrat", "Democrats" -> "Democratic Party",
    "R", "GOP" -> "Republican Party", "I" -> "Independent"; None for other text."""
    text = text.strip()
    return _CANONICAL.get(text) if len(text) == 1 else _CANONICAL.get(text.casefold())


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher:
    nlp = rule_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    matcher.add("PARTY", list(nlp.tokenizer.pipe(sorted(set(_WORDS)))))
    return matcher


def find_parties(doc: Doc, context: RuleContext) -> list[RuleSpan]:
    spans = [*_tags(doc.text, context)]
    matches = sorted(_matcher()(doc), key=lambda m: (m[1], -m[2]))
    last_end = -1
    for _, start, end in matches:
        if start < last_end:
            continue
        if not _party_word_ok(doc, start, end):
            continue
        last_end = end
        span = doc[start:end]
        spans.append(RuleSpan(span.start_char, span.end_char, "PoliticalParty", LEXICON, "party:word"))
    return spans


def _party_word_ok(doc: Doc, start: int, end: int) -> bool:
    text = doc[start:end].text
    if text not in {"Democratic", "Republican", "Democrat"}:
        return True
    after = doc[end] if end < len(doc) else None
    if after is None:
        return True
    if after.text in {"-", "–"} or after.lower_ in {"republic", "people", "people's", "national"}:
        return False  # "Democratic Republic of the Congo", "Democratic National Committee"
    # part of an organisation's name: "Republican Governors Association", "Republican Guard"
    i = end
    while i < len(doc) and i < end + 4 and is_title_case(doc[i]):
        if doc[i].lower_ in ORG_WORDS:
            return False
        i += 1
    # "Democratic institutions are ..." opens a sentence: an adjective, not the party
    return not (start == 0 and not is_title_case(after) and after.lower_ not in _POLITICAL_NOUNS)


def _tags(text: str, context: RuleContext) -> list[RuleSpan]:
    spans = []
    for match in _TAG.finditer(text):
        state = match.group("state")
        code = state if state in US_STATES else next((c for c, n in US_STATES.items() if n == state), None)
        if code is None:
            continue
        spans.append(RuleSpan(match.start("party"), match.end("party"), "PoliticalParty", PATTERN, "party:tag"))
        spans.append(_state(match.start("state"), match.end("state"), code, context))
    for match in _STATE_TAG.finditer(text):
        code = match.group("state")
        before = text[: match.start()].split()
        if code in US_STATES and before and before[-1][:1].isupper():  # "Sen. Eric Schmitt (MO)"
            spans.append(_state(match.start("state"), match.end("state"), code, context))
    return spans


def _state(start: int, end: int, code: str, context: RuleContext) -> RuleSpan:
    key = f"state:{code}" if f"state:{code}" in context.state_keys else None
    return RuleSpan(start, end, "StateOrRegion", PATTERN, "party:state", key)
