"""A rule layer for relations: high-precision surface patterns between two mentions of a sentence.

It stays beside the fine-tuned relation model as a precise, explainable source of facts
(e.g. "Nancy Pelosi, the Speaker of the House" or "Senator Maria Cantwell of Washington").
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from extraction.records import (
    Document,
    Entity,
    Extractor,
    Fact,
    Mention,
    Provenance,
    Sentence,
    fact_id,
)

VERSION = "1"
CONFIDENCE = 0.9
MAX_GAP = 80  # characters between the two mentions

TypeCheck = Callable[[str, str], bool]

_TITLE = r"(?:Secretary|Director|Administrator|Chair(?:man|woman|person)?|Commissioner|Head|Leader|Speaker)"
_LEGISLATOR = r"(?:Senator|Sen\.|Representative|Rep\.|Congressman|Congresswoman)"


@dataclass(frozen=True)
class RelationPattern:
    predicate: str
    subject_type: str  # the subject's type must be this class or a subclass
    object_type: str
    between: re.Pattern[str]  # the text from the subject's end to the object's start
    before: re.Pattern[str] | None = None  # the text just before the subject (end-anchored)


PATTERNS = (
    RelationPattern("headOf", "Person", "Organization",
                    re.compile(rf"^,\s+(?:the\s+|our\s+)?(?:\w+\s+)?{_TITLE}\s+of\s+(?:the\s+)?$")),
    RelationPattern("represents", "Person", "StateOrRegion",
                    re.compile(r"^,?\s+(?:of|from)\s+(?:the\s+(?:great\s+)?(?:State|Commonwealth)\s+of\s+)?$"),
                    before=re.compile(rf"{_LEGISLATOR}\s+$")),
    RelationPattern("subOrganizationOf", "GovernmentOrganization", "GovernmentOrganization",
                    re.compile(r"^,?\s+(?:an?\s+|the\s+)?(?:agency|office|bureau|component|part|unit)\s+"
                               r"(?:with)?in\s+(?:of\s+)?(?:the\s+)?$|^\s+(?:of|at|in)\s+the\s+$")),
)


class PatternRelationExtractor:
    name = "patterns"

    def __init__(self, compatible: TypeCheck, patterns: tuple[RelationPattern, ...] = PATTERNS) -> None:
        self.compatible = compatible
        self.patterns = patterns
        self.extractor = Extractor(name=self.name, version=VERSION)

    def run(
        self, document: Document, sentences: list[Sentence], mentions: list[Mention], entities: list[Entity]
    ) -> list[Fact]:
        by_sentence: dict[int, list[Mention]] = {}
        for mention in mentions:
            by_sentence.setdefault(mention.sentence_index, []).append(mention)
        facts: dict[str, Fact] = {}
        for index, group in by_sentence.items():
            group.sort(key=lambda m: m.start)
            for i, subject in enumerate(group):
                for obj in group[i + 1 :]:
                    if obj.start - subject.end > MAX_GAP:
                        break
                    for pattern in self.patterns:
                        if self._matches(pattern, document.text, subject, obj):
                            self._add(facts, pattern.predicate, subject, obj)
        return list(facts.values())

    def _matches(self, pattern: RelationPattern, text: str, subject: Mention, obj: Mention) -> bool:
        if subject.entity_id is None or obj.entity_id is None or subject.entity_id == obj.entity_id:
            return False
        if not (self.compatible(subject.type, pattern.subject_type) and self.compatible(obj.type, pattern.object_type)):
            return False
        if not pattern.between.search(text[subject.end : obj.start]):
            return False
        return pattern.before is None or bool(pattern.before.search(text[max(0, subject.start - 40) : subject.start]))

    def _add(self, facts: dict[str, Fact], predicate: str, subject: Mention, obj: Mention) -> None:
        assert subject.entity_id and obj.entity_id
        fid = fact_id(subject.entity_id, predicate, obj.entity_id)
        provenance = Provenance(
            document_id=subject.document_id, sentence_index=subject.sentence_index,
            subject_start=subject.start, subject_end=subject.end,
            object_start=obj.start, object_end=obj.end, confidence=CONFIDENCE, extractor=self.extractor,
        )
        known = facts.get(fid)
        facts[fid] = Fact(
            id=fid, subject_id=subject.entity_id, predicate=predicate, object_id=obj.entity_id,
            confidence=CONFIDENCE, provenance=((*known.provenance, provenance) if known else (provenance,)),
        )
