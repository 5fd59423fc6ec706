"""Write-time validation of facts: the ontology's domain and range, and a confidence threshold.

What fails is not dropped: it becomes a CandidateFact with its reason, stored beside the
graph and queryable, so a reviewer can see what was extracted and why it was held back.
"""
from __future__ import annotations

from collections.abc import Callable

from extraction.records import CandidateFact, Entity, Fact

FactCheck = Callable[[str, str, str], "str | None"]  # (subject type, predicate, object type) → reason


class OntologyFactValidator:
    def __init__(self, check: FactCheck, min_confidence: float) -> None:
        self.check = check
        self.min_confidence = min_confidence

    def run(self, facts: list[Fact], entities: list[Entity]) -> tuple[list[Fact], list[CandidateFact]]:
        types = {e.id: e.type for e in entities}
        kept: list[Fact] = []
        held: list[CandidateFact] = []
        for fact in facts:
            reason = self.check(types.get(fact.subject_id, "Entity"), fact.predicate, types.get(fact.object_id, "Entity"))
            if reason is not None:
                held.append(CandidateFact(fact=fact, status="rejected", reason=reason))
            elif fact.confidence < self.min_confidence:
                held.append(CandidateFact(
                    fact=fact, status="low_confidence",
                    reason=f"confidence {fact.confidence:.3f} is below the threshold {self.min_confidence:.3f}",
                ))
            else:
                kept.append(fact)
        return kept, held
