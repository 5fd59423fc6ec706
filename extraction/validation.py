"""Write-time validation of facts: the ontology's domain and range, and a confidence threshold.

What fails is not dropped: it becomes a CandidateFact with its reason, stored beside the
graph and queryable, so a reviewer can see what was extracted and why it was held back.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from extraction.records import CandidateFact, Entity, Fact

FactCheck = Callable[[str, str, str], "str | None"]  # (subject type, predicate, object type) → reason


class OntologyFactValidator:
    """`min_confidence` holds for every extractor, unless `by_extractor` sets its own threshold: a fact is
    kept when one of its sources reaches its extractor's threshold."""

    def __init__(self, check: FactCheck, min_confidence: float,
                 by_extractor: Mapping[str, float] | None = None) -> None:
        self.check = check
        self.min_confidence = min_confidence
        self.by_extractor = dict(by_extractor or {})

    def threshold(self, extractor: str) -> float:
        return self.by_extractor.get(extractor, self.min_confidence)

    def run(self, facts: list[Fact], entities: list[Entity]) -> tuple[list[Fact], list[CandidateFact]]:
        types = {e.id: e.type for e in entities}
        kept: list[Fact] = []
        held: list[CandidateFact] = []
        for fact in facts:
            reason = self.check(types.get(fact.subject_id, "Entity"), fact.predicate,
                                types.get(fact.object_id, "Entity"))
            if reason is not None:
                held.append(CandidateFact(fact=fact, status="rejected", reason=reason))
            elif not any(p.confidence >= self.threshold(p.extractor.name) for p in fact.provenance):
                best = max(fact.provenance, key=lambda p: p.confidence - self.threshold(p.extractor.name))
                held.append(CandidateFact(
                    fact=fact, status="low_confidence",
                    reason=f"confidence {best.confidence:.3f} is below the threshold "
                           f"{self.threshold(best.extractor.name):.3f} ({best.extractor.name})",
                ))
            else:
                kept.append(fact)
        return kept, held
