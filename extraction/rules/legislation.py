"""Legislation and programmes by the shape of their names.

Legislation: a capitalised run ending in Act, Bill, Law, Code, Proclamation, Resolution, Amendment,
Treaty, Accord, Agreement, Ban, Deal, Charter, Compact or Protocol ("the Clean Air Act", "Voting
Rights Act of 1965", "Assault Weapons and High-Capacity Magazine Ban", "GI bill of rights"), a
backronym with its acronym ("Restricting the Emergence … Technology (RESTRICT) Act"), numbered
measures ("H.R. 1", "S. 2938", "Executive Order 13528", "Public Law 111-148"), and a few names
("the Constitution", "Declaration of Independence").
Program: a capitalised run ending in Program, Programme or Initiative (Plan and Grant with care), and
a short list (Medicare, Medicaid, Social Security, SNAP, Head Start …).
An acronym in parentheses after a name ("… Agreement (NAFTA)") is marked with the name's type.
"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from extraction.rules.common import (
    CONTEXT,
    LEXICON,
    MONTHS,
    NON_NAME_WORDS,
    ORG_WORDS,
    PATTERN,
    WEEKDAYS,
    RuleContext,
    RuleSpan,
    apostrophe_s,
    is_title_case,
    rule_nlp,
)

LEGISLATION_ENDS = frozenset({"Act", "Acts", "Bill", "Law", "Code", "Proclamation", "Resolution", "Amendment",
                              "Amendments", "Treaty", "Accord", "Accords", "Agreement", "Ban", "Deal", "Charter",
                              "Compact", "Protocol"})
PROGRAM_ENDS = frozenset({"Program", "Programme", "Initiative", "Plan", "Grant", "Grants"})
# names that continue with "of …": "Treaty of Versailles", "Constitution of the United States"
_OF_NAMES = {"Treaty", "Constitution", "Charter", "Accord", "Accords", "Protocol"}
_CONNECTORS = {"of", "for", "and", "on", "to", "with", "in", "from", "by", "against", "&", "-", "the", "at", "a"}
_AFTER_THE = {"of", "for", "on", "to", "in", "with", "from", "against", "by", "at"}
# "X Law", "X Code" where X makes a kind of law, not a named one
_GENERIC_LAW = {"federal", "state", "local", "common", "martial", "international", "constitutional", "criminal",
                "civil", "natural", "tax", "immigration", "public", "private", "military", "maritime", "case",
                "family", "election", "campaign", "sharia", "canon", "roman", "english", "american", "new", "the",
                "this", "that", "our", "budget", "spending", "security", "peace", "trade", "pay", "health", "farm"}
_GENERIC_PLAN = {"budget", "action", "strategic", "business", "master", "five-year", "new", "peace", "health",
                 "this", "our", "my", "the", "economic", "national", "federal", "state", "energy", "security",
                 "retirement", "pension", "savings", "insurance", "care"}
_GENERIC_GRANT = {"federal", "state", "block", "land", "research", "the", "this", "our"}
# plural nouns whose possessive belongs to a name: "Children's Health Insurance Program"
_POSSESSIVE_OK = {"children", "women", "men", "people", "workers", "veterans", "taxpayers", "farmers", "patients",
                  "consumers", "seniors", "students", "americans", "parents", "families", "survivors", "victims",
                  "citizens", "employees", "nation", "homeowners"}
_ORDINAL_WORDS = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth", "twentieth", "twenty"}
_MAX_RUN = 25
_EVENT_WORDS = {"conference", "convention", "summit", "meeting", "assembly", "session", "symposium", "forum",
                "congress", "tribunal", "court", "commission", "committee"}
_TITLE_HEADS = {"general", "president", "senator", "governor", "secretary", "judge", "justice", "mr.", "mrs.",
                "admiral", "colonel", "captain", "king", "queen", "mayor", "ambassador"}
# words that open a sentence or clause before a name and are no part of it ("Under the …", "This Act")
_LEAD_TRIM = {"the", "this", "that", "these", "those", "a", "an", "our", "his", "her", "their", "its", "my", "your",
              "under", "with", "in", "by", "and", "or", "of", "for", "to", "on", "as", "at", "when", "after",
              "before", "since", "while", "if", "but", "so", "today", "tonight", "yesterday", "i", "we", "you",
              "they", "he", "she", "it", "through", "from", "also", "now", "then", "both", "either", "neither",
              "some", "any", "each", "was", "is", "are", "were", "be", "been", "has", "have", "had", "not", "such",
              "during", "without", "into", "upon", "against", "about", "over", "whether", "where", "which", "who",
              "what", "how", "why", "once", "although", "though", "because", "until", "unless", "here", "there",
              "last", "next", "mr.", "mrs.", "ms.", "dr.", "senator", "sen.", "president", "congress", "house",
              "senate", "federal"} | set(MONTHS) | set(WEEKDAYS)

_NAMED_LEGISLATION = ("Constitution", "Declaration of Independence", "Bill of Rights", "Magna Carta",
                      "Articles of Confederation", "Obamacare", "Federalist Papers")
_NAMED_PROGRAMS = ("Medicare", "Medicaid", "Social Security", "SNAP", "Head Start", "Pell Grant", "Pell Grants",
                   "TANF", "CHIP", "WIC", "New Deal", "Square Deal", "Fair Deal", "Great Society", "Lend-Lease",
                   "Race to the Top", "Job Corps", "Meals on Wheels", "Medicare Advantage", "Medicare Part D")

_NUMBERED = re.compile(
    r"\bExecutive Order(?:\s+(?:No\.|Number))?\s+\d{3,6}\b"
    r"|\b(?:E\.O\.|EO)\s+\d{4,6}\b"
    r"|(?<![\w.])(?:H\.\s?R\.|H\.\s?J\.\s?Res\.|S\.\s?J\.\s?Res\.|H\.\s?Res\.|S\.\s?Res\.|H\.\s?Con\.\s?Res\.|"
    r"S\.\s?Con\.\s?Res\.|S\.|HR|H\.R)\s?\d{1,5}\b(?!\s*(?:%|percent|[-–]\d))"
    r"|\b(?:Public Law|Pub\.\s?L\.(?:\s?No\.)?|P\.L\.)\s?\d{2,3}[-–]\d{1,4}\b"
    r"|\bProclamation(?:\s+No\.)?\s+\d{3,5}\b"
)
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&-]*[A-Z0-9]")


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher:
    nlp = rule_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    matcher.add("END", list(nlp.tokenizer.pipe(sorted(LEGISLATION_ENDS | PROGRAM_ENDS))))
    matcher.add("NAMED_LEGISLATION", list(nlp.tokenizer.pipe(_NAMED_LEGISLATION)))
    matcher.add("NAMED_PROGRAM", list(nlp.tokenizer.pipe(_NAMED_PROGRAMS)))
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    lower.add("BILL_OF_RIGHTS", [nlp.make_doc("bill of rights")])
    return matcher, lower


def find_legislation(doc: Doc, context: RuleContext) -> list[RuleSpan]:
    """Legislation and Program spans of one sentence, with parenthesised acronyms after them."""
    spans: list[RuleSpan] = []
    for match in _NUMBERED.finditer(doc.text):
        spans.append(RuleSpan(match.start(), match.end(), "Legislation", LEXICON, "legislation:number"))
    matcher, lower = _matcher()
    strings = doc.vocab.strings
    for match_id, start, end in [*matcher(doc), *lower(doc)]:
        label = strings[match_id]
        if label == "END":
            found = _named_run(doc, start, context)
        elif label == "BILL_OF_RIGHTS":
            found = _named_run(doc, start, context, end_token=end - 1)
        else:
            found = _listed(doc, start, end, "Legislation" if label == "NAMED_LEGISLATION" else "Program")
        if found:
            spans.append(found)
            spans.extend(_acronym_after(doc, found))
    return spans


def _listed(doc: Doc, start: int, end: int, kind: str) -> RuleSpan | None:
    after = doc[end] if end < len(doc) else None
    if after is not None and is_title_case(after) and not apostrophe_s(after):
        return None  # "Social Security Administration", "Constitution Avenue"
    if start > 0 and is_title_case(doc[start - 1]) and doc[start - 1].lower_ not in NON_NAME_WORDS:
        return None  # part of a longer name the run rule sees
    span = doc[start:end]
    return RuleSpan(span.start_char, span.end_char, kind, LEXICON, f"{kind.lower()}:list")


def _named_run(doc: Doc, k: int, context: RuleContext, end_token: int | None = None) -> RuleSpan | None:
    """The capitalised run that ends at the name word doc[k] (or a "bill of rights" ending at end_token)."""
    word = doc[k].text
    last = end_token if end_token is not None else k
    kind = "Program" if word in PROGRAM_ENDS else "Legislation"
    after = doc[last + 1] if last + 1 < len(doc) else None
    if after is not None and is_title_case(after) and not apostrophe_s(after) and after.text != "(":
        return None  # "Bill Clinton", "Law Enforcement", "Clean Air Act Amendments" (the longer one counts)
    # what follows: "of 1965", "of Versailles", a resolution's number
    end = last + 1
    if after is not None and after.lower_ == "of" and last + 2 < len(doc):
        nxt = doc[last + 2]
        if re.fullmatch(r"(?:17|18|19|20)\d\d", nxt.text):
            end = last + 3
        elif word in _OF_NAMES:
            end = _of_run_end(doc, last + 2) or end
    elif after is not None and word in {"Resolution", "Proclamation"} and after.like_num:
        end = last + 2
    elif after is not None and kind == "Program" and after.lower_ in {"for", "of"} and last + 2 < len(doc):
        end = _of_run_end(doc, last + 2, allow_the=False) or end  # "Emergency Plan for AIDS Relief"
    # the name before it, leftwards
    start = _backronym_start(doc, k) if k >= 3 and doc[k - 1].text == ")" else None
    if start is None:
        start = _run_start(doc, k, kind)
    while start < k and (doc[start].lower_ in _CONNECTORS or doc[start].lower_ in _LEAD_TRIM) \
            and doc[start].text != "(":
        start += 1
    if start == k and not (word in {"Constitution"} or end > last + 1 and word in _OF_NAMES):
        return None
    words = [t.lower_ for t in doc[start:k] if t.lower_ not in _CONNECTORS]
    if kind == "Legislation" and word in {"Law", "Code"} and words and all(w in _GENERIC_LAW for w in words):
        return None  # "Federal Law", "Martial Law", "Federal Tax Code"
    if word == "Plan" and (not words or words[0] in _GENERIC_PLAN):
        return None
    if word in {"Grant", "Grants"} and (len(words) < 2 or words[0] in _GENERIC_GRANT
                                        or any(w.endswith(".") for w in words)):
        return None  # "Ulysses S. Grant", "Federal Grant"
    if word == "Deal" and words and words[-1] in {"new", "square", "fair"} and len(words) == 1:
        kind = "Program"
    if kind == "Program" and words and all(w in ORG_WORDS for w in words):
        return None
    if words and (words[0] in _TITLE_HEADS or any(w in _EVENT_WORDS for w in words)):
        return None  # "General Grant" is a man; "International Conference on Maritime Law" an event
    if end_token is not None and start == k and word.lower() == "bill":
        return None  # a bare lower-case "bill of rights"
    span = doc[start:end]
    if span.text.casefold() in context.org_names:
        return None
    confidence = CONTEXT if word in {"Plan", "Grant", "Grants", "Deal"} else PATTERN
    return RuleSpan(span.start_char, span.end_char, kind, confidence, f"{kind.lower()}:run")


def _ordinal(token: Token) -> bool:
    """ "First", "Twenty-first", "14th" (a capitalised or numeric ordinal: "First Amendment")."""
    return (token.lower_ in _ORDINAL_WORDS and is_title_case(token)) or bool(
        re.fullmatch(r"\d+(?:st|nd|rd|th)", token.lower_))


def _run_start(doc: Doc, k: int, kind: str) -> int:
    start = k
    j = k - 1
    if k >= 4 and doc[k - 1].text == ")" and doc[k - 3].text == "(" and _ACRONYM.fullmatch(doc[k - 2].text):
        start, j = k - 3, k - 4  # "… (RESTRICT) Act" whose letters the words do not spell
    while j >= 0 and k - j <= _MAX_RUN:
        token = doc[j]
        if is_title_case(token) or _ordinal(token) or (token.is_upper and token.is_alpha):
            if token.text in LEGISLATION_ENDS and j + 1 < k and doc[j + 1].lower_ in {"and", "or", ","}:
                break  # "the Clean Air Act and Clean Water Act": two names
            start = j
        elif token.lower_ in _CONNECTORS and token.text != "a":
            if kind == "Program" and token.lower_ in {"of", "the", "to", "in", "on", "at", "by", "from"}:
                break
            if token.lower_ == "the" and not (j > 0 and doc[j - 1].lower_ in _AFTER_THE):
                break
            if token.text == "-" and not (j > 0 and is_title_case(doc[j - 1])):
                break
        elif apostrophe_s(token) and j > 0 and doc[j - 1].lower_ in _POSSESSIVE_OK:
            pass
        else:
            break
        j -= 1
    # a run opens with a name word, not a connector
    while start < k and doc[start].lower_ in _CONNECTORS:
        start += 1
    return start


def _backronym_start(doc: Doc, k: int) -> int | None:
    """ "Restricting the Emergence of … Technology (RESTRICT) Act": where the acronym's letters begin."""
    if doc[k - 3].text != "(" or not _ACRONYM.fullmatch(doc[k - 2].text):
        return None
    letters = re.sub(r"[^A-Z0-9]", "", doc[k - 2].text)
    words: list[int] = []
    j = k - 4
    while j >= 0 and k - j <= 45 and (doc[j].is_alpha or doc[j].text in {"-", "&", ","}):
        if is_title_case(doc[j]):
            words.append(j)
        j -= 1
    words.reverse()
    for i, first in enumerate(words):
        initials = "".join(doc[w].text[0] for w in words[i:])
        if initials.upper() == letters:
            return first
    return None


def _of_run_end(doc: Doc, i: int, allow_the: bool = True) -> int | None:
    if allow_the and i < len(doc) and doc[i].lower_ == "the":
        i += 1
    end = None
    while i < len(doc) and (is_title_case(doc[i]) or doc[i].lower_ in {"of", "and"} and end is not None):
        if is_title_case(doc[i]):
            end = i + 1
        i += 1
    return end


def _acronym_after(doc: Doc, span: RuleSpan) -> list[RuleSpan]:
    """ "North American Free Trade Agreement (NAFTA)": NAFTA, with the same type."""
    tail = doc.text[span.end:span.end + 20]
    match = re.match(r"\s*\((?P<acronym>[A-Z][A-Z0-9&-]*[A-Z0-9])\)", tail)
    if not match:
        return []
    start = span.end + match.start("acronym")
    return [RuleSpan(start, start + len(match.group("acronym")), span.type, span.confidence, f"{span.rule}:acronym")]


def acronyms_of(text: str, spans: list[RuleSpan]) -> dict[str, str]:
    """Acronyms that the spans define in a sentence ({"NAFTA": "Legislation"}), for later sentences."""
    return {text[s.start:s.end]: s.type for s in spans if s.rule.endswith(":acronym")}
