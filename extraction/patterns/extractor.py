"""The rule layer for relations: titles and their holders (roles.py) and pair patterns (pairs.py).

It stays beside the fine-tuned relation model as a precise, explainable source of facts, and needs no
model: what it finds depends on the mentions the recognizers give (titles as Position, measures as
Legislation, places as Country/StateOrRegion/City, dates as Date).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from extraction.patterns.found import Found
from extraction.patterns.pairs import PATTERNS, PairPattern, pair_facts
from extraction.patterns.roles import role_facts
from extraction.patterns.sentence import SentenceView
from extraction.records import Document, Entity, Extractor, Fact, Mention, Provenance, Sentence, fact_id

VERSION = "2"
INTRO_DATE = 0.75

TypeCheck = Callable[[str, str], bool]

# "In 2018, the Congress enacted …", "On June 19, 1865, President Lincoln signed …"
_INTRO = re.compile(r"^\s*(?:In|On|During)\s+(?:\w+\s+){0,4}$")


class PatternRelationExtractor:
    name = "patterns"

    def __init__(self, compatible: TypeCheck, patterns: tuple[PairPattern, ...] = PATTERNS) -> None:
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
        for sentence in sentences:
            group = by_sentence.get(sentence.index)
            if not group or len(group) < 2:
                continue
            view = SentenceView(document.text, sentence.start, sentence.end, group, self.compatible)
            for found in self.find(view):
                self._add(facts, found)
        return list(facts.values())

    def find(self, view: SentenceView) -> list[Found]:
        found = [*role_facts(view), *pair_facts(view, self.patterns)]
        found += _intro_dates(view, found)
        return [f for f in found if f.subject.entity_id != f.object.entity_id]

    def _add(self, facts: dict[str, Fact], found: Found) -> None:
        subject, obj = found.subject, found.object
        assert subject.entity_id and obj.entity_id
        fid = fact_id(subject.entity_id, found.predicate, obj.entity_id)
        provenance = Provenance(
            document_id=subject.document_id, sentence_index=subject.sentence_index,
            subject_start=subject.start, subject_end=subject.end,
            object_start=obj.start, object_end=obj.end, confidence=found.confidence, extractor=self.extractor,
        )
        known = facts.get(fid)
        if known is not None and any(p == provenance for p in known.provenance):
            return
        facts[fid] = Fact(
            id=fid, subject_id=subject.entity_id, predicate=found.predicate, object_id=obj.entity_id,
            confidence=max(found.confidence, known.confidence if known else 0.0),
            provenance=((*known.provenance, provenance) if known else (provenance,)),
        )


def _intro_dates(view: SentenceView, found: Iterable[Found]) -> list[Found]:
    """A date that opens the sentence dates the measure the sentence says was signed or enacted."""
    dates = [m for m in view.mentions if view.kind(m, "Date")]
    if len(dates) != 1 or not _INTRO.match(view.text[view.start : dates[0].start]):
        return []
    if not re.match(r"^\s*,", view.after(dates[0], 3)):
        return []
    measures = {f.subject.entity_id: f.subject for f in found if f.predicate in ("signedBy", "enactedBy")}
    return [Found("pointInTime", m, dates[0], INTRO_DATE, "intro-date") for m in measures.values()]
