"""The answer check: a generated answer must stand on its cited evidence, or it is not given.

Every citation must name an evidence item that exists; every name the answer contains (its
capitalised words and numbers) must appear in a cited fact or sentence; an answer that only
repeats the question, or says it does not know, fails.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extraction.records import normalize_name

_NAME_WORD = re.compile(r"\b(?:[A-Z][\w'’\-]*|\d[\d,.\-]*)")
UNKNOWN = re.compile(r"\b(unknown|not (?:stated|mentioned|given|say|known)|no answer|cannot|can't|don't know|"
                     r"does not (?:say|state|mention))\b", re.I)
_LEADING = frozenset("the a an in on of to and for at by as it he she they his her their".split())


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    reason: str | None = None


MAX_ANSWER_WORDS = 12


def check_answer(answer: str, cited: list[int], evidence: dict[int, str], question: str) -> CheckResult:
    """`cited`: the evidence numbers the answer names; `evidence`: number → text (fact or sentence)."""
    text = answer.strip()
    if not text:
        return CheckResult(False, "empty answer")
    if len(text.split()) > MAX_ANSWER_WORDS:
        return CheckResult(False, f"not a short answer ({len(text.split())} words)")
    if UNKNOWN.search(text):
        return CheckResult(False, "the model said the evidence does not answer")
    missing = [n for n in cited if n not in evidence]
    if missing:
        return CheckResult(False, f"cites evidence that does not exist: {missing}")
    if not cited:
        return CheckResult(False, "cites no evidence (and no evidence item states all it names)")
    support = " " + " ".join(normalize_name(evidence[n]) for n in cited) + " "
    names = [w for w in _NAME_WORD.findall(text) if w.casefold() not in _LEADING]
    unsupported = [w for w in names if f" {normalize_name(w)} " not in support and normalize_name(w)]
    if unsupported:
        return CheckResult(False, f"names what no cited evidence says: {', '.join(unsupported[:5])}")
    answer_norm = normalize_name(text)
    if answer_norm and f" {answer_norm} " in " " + normalize_name(question) + " ":
        return CheckResult(False, "only repeats the question")
    if not names and answer_norm not in support:
        return CheckResult(False, "the answer is not found in the cited evidence")
    return CheckResult(True)


def attribute(answer: str, evidence: dict[int, str]) -> list[int]:
    """For an answer that cites nothing: the evidence items that state every name it contains."""
    names = [normalize_name(w) for w in _NAME_WORD.findall(answer) if w.casefold() not in _LEADING]
    names = [n for n in names if n] or [normalize_name(answer)]
    return [n for n, text in evidence.items()
            if all(f" {name} " in f" {normalize_name(text)} " for name in names)][:2]


def is_one_of(answer: str, alternatives: list[str], extra_words: int = 3) -> bool:
    """The answer names one of the alternatives: either holds the other as whole words, with at most
    `extra_words` more words around it (a title, "the"), not a whole sentence about it."""
    norm = normalize_name(answer)
    for alternative in alternatives:
        alt = normalize_name(alternative)
        if not alt or not norm:
            continue
        within = f" {alt} " in f" {norm} " and len(norm.split()) <= len(alt.split()) + extra_words
        if f" {norm} " in f" {alt} " or within:
            return True
    return False
