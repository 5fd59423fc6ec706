"""What every rule module shares: the tokenizer, the span record, word classes used as guards."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.util import compile_infix_regex

# confidences per kind of rule
LEXICON = 0.9  # an exact name from a list (country, capital, title lexicon)
PATTERN = 0.8  # a name found by a pattern (a capitalised run ending in "Act")
CONTEXT = 0.7  # a name found only by its context ("in Smallville, Kansas")


@dataclass(frozen=True)
class RuleSpan:
    """A typed stretch of one sentence (character offsets in the sentence text)."""

    start: int
    end: int
    type: str
    confidence: float
    rule: str  # which rule found it, for debugging and tests
    key: str | None = None  # a gazetteer key, only where the rule knows the exact gazetteer entity


@lru_cache(maxsize=1)
def rule_nlp() -> Language:
    """spaCy's English tokenizer, also splitting a hyphen after an abbreviation ("U.S.-German")."""
    nlp = spacy.blank("en")
    infixes = [*nlp.Defaults.infixes, r"(?<=[A-Z]\.)[-–—](?=[A-Za-z])"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


def tokenize(text: str) -> Doc:
    return rule_nlp().make_doc(text)


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# a capitalised word that ends or heads an organisation's name: a title, place or party word next to
# one of these is part of that name ("Governors Association", "Council of Governors", "Bank of America")
_ORG_WORDS_TEXT = """
academy administration agency alliance assembly association authority bank board bureau caucus center centre chamber
church club clubs coalition college commission committee company conference corporation corps council court
department division federation forces force foundation fund group guard guards hospital inc institute institution
league library llc ltd ministry museum network office organization organisation party police press pty school
service services society subcommittee system task team times trust union university
"""
ORG_WORDS = frozenset(_ORG_WORDS_TEXT.split())

# words after a name that make it a name of something else ("Columbus Day", "Paris Agreement")
_NAME_TAIL_WORDS_TEXT = """
act accord accords agreement airport avenue award awards basin bay bill boulevard bridge building canal cup day
declaration doctrine highway hotel hall island islands lake medal memorial mountain mountains palace park peninsula
plan plaza prize program protocol railroad river road scholarship sea square stadium station street strip summit
tower treaty trophy tunnel valley week
"""
NAME_TAIL_WORDS = ORG_WORDS | frozenset(_NAME_TAIL_WORDS_TEXT.split())

# capitalised words that begin sentences or clauses and never start a name
_NON_NAME_WORDS_TEXT = """
today tonight yesterday tomorrow now then also former formerly current currently newly later earlier prior
following under during since after before while when where whereas whereby section sec article title chapter
part mr mrs ms dr miss sir madam honorable hon
"""
NON_NAME_WORDS = (frozenset(STOP_WORDS) | frozenset(MONTHS) | frozenset(WEEKDAYS)
                  | frozenset(_NON_NAME_WORDS_TEXT.split()))


@dataclass(frozen=True)
class RuleContext:
    """What the rules learn from the gazetteer, when there is one (all empty without)."""

    state_keys: frozenset[str] = frozenset()  # gazetteer keys of states, "state:TX"
    person_words: frozenset[str] = frozenset()  # casefolded first and last names of known people
    org_names: frozenset[str] = frozenset()  # casefolded names and aliases of known organisations
    org_acronyms: frozenset[str] = frozenset()  # acronyms of known organisations, as written

    @classmethod
    def from_entries(cls, entries) -> RuleContext:  # entries: Iterable[GazetteerEntry]
        state_keys, person_words, org_names, org_acronyms = set(), set(), set(), set()
        for entry in entries:
            names = (entry.name, *entry.aliases)
            if entry.type == "StateOrRegion":
                state_keys.add(entry.key)
            elif entry.type == "Person":
                for name in names:
                    words = [w for w in name.replace(",", " ").split()
                             if len(w) > 2 and w.isalpha() and not w.isupper()]
                    person_words.update(w.casefold() for w in words[:1] + words[-1:])
            elif entry.type not in {"Country", "City", "Location"}:
                org_names.update(n.casefold() for n in names)
                org_acronyms.update(entry.acronyms)
        return cls(frozenset(state_keys), frozenset(person_words), frozenset(org_names), frozenset(org_acronyms))


def is_title_case(token: Token) -> bool:
    text = token.text
    return bool(text) and text[0].isupper() and any(c.isalpha() for c in text)


def is_name_word(token: Token) -> bool:
    """A capitalised word that may be part of a proper name (not a sentence-opening function word)."""
    return is_title_case(token) and token.lower_.rstrip(".") not in NON_NAME_WORDS


def apostrophe_s(token: Token) -> bool:
    return token.lower_ in {"'s", "’s", "'", "’"}
