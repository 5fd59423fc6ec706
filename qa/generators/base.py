"""The generator interface and the numbered-evidence prompt that generative models answer from."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from qa.models import Analysis, Citation, Evidence
from qa.reader import fact_citations, sentence_citation

SYSTEM_PROMPT = (
    "Answer the question with a short name or phrase taken from the numbered evidence, then the number of "
    "the evidence in brackets. Example: Evidence: [1] Energy Secretary Jane Roe will lead the review. "
    "Question: Who will lead the review? Answer: Jane Roe [1]. If the evidence does not say, answer: unknown."
)
_CITED = re.compile(r"\[(\d+)\]")


@dataclass
class NumberedEvidence:
    texts: dict[int, str]  # number → the text shown to the model
    citations: dict[int, list[Citation]]  # number → what citing it means


@dataclass
class Generated:
    text: str  # the answer without its citation marks
    cited: list[int]
    raw: str


class TextGenerator(Protocol):
    """Writes an answer from a question and numbered evidence."""

    name: str  # name and version

    def generate(self, question: str, evidence: NumberedEvidence) -> Generated: ...

    def load(self) -> object: ...


def number_evidence(analysis: Analysis, evidence: Evidence, max_sentences: int = 3, max_facts: int = 2,
                    max_chars: int = 300) -> NumberedEvidence:
    """The best facts (only those of an asked predicate) and sentences, numbered from 1; kept short,
    since a small model's time goes into reading the prompt."""
    texts: dict[int, str] = {}
    citations: dict[int, list[Citation]] = {}
    n = 1
    for item in [f for f in evidence.facts if f.score >= 0.5][:max_facts]:
        fact = item.fact
        texts[n] = f"{fact.subject.name} — {fact.predicate} — {fact.object.name}"
        citations[n] = fact_citations(fact, limit=1)
        n += 1
    for hit in evidence.sentences[:max_sentences]:
        sentence = hit.sentence if len(hit.sentence) <= max_chars else hit.sentence[:max_chars] + "…"
        texts[n] = sentence
        citations[n] = [sentence_citation(hit)]
        n += 1
    return NumberedEvidence(texts, citations)


def user_prompt(question: str, evidence: NumberedEvidence) -> str:
    lines = ["Evidence:"]
    lines += [f"[{n}] {text}" for n, text in evidence.texts.items()]
    lines += ["", f"Question: {question}", "Answer:"]
    return "\n".join(lines)


def parse_answer(raw: str) -> Generated:
    first = raw.strip().splitlines()[0].strip() if raw.strip() else ""
    cited = [int(n) for n in _CITED.findall(first)]
    text = _CITED.sub("", first).strip().rstrip(".,;:").strip()
    text = re.sub(r"^(?:(?:the\s+)?answer(?:\s+is)?\s*:?\s*)", "", text, flags=re.I).strip()
    return Generated(text=text, cited=list(dict.fromkeys(cited)), raw=raw)
