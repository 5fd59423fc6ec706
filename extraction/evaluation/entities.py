"""Entity mentions against the gold spans: exact span, and a type that is the gold one or a subclass.

Positions and dates are annotated in the gold set only where a fact uses them, so a stored
Position or Date mention on no gold span is not counted as a false positive (it is counted apart).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from extraction.evaluation.report import EntityEvaluation, score
from ontology.errors import OntologyError

GOLD_CLASSES = ("Person", "Organization", "Agency", "Department", "Legislature", "Committee", "PoliticalParty",
                "Court", "Country", "StateOrRegion", "City", "Location", "Position", "Legislation", "Program",
                "Event", "Date")
GOLD_TYPE_ALIASES = {"Agreement": "Legislation"}  # Agreement is not a class of govkg.ttl
PARTLY_ANNOTATED = ("Position", "Date")
NOTE = ("span and type must both match (a stored subclass of the gold type counts; gold Agreement counts as "
        "Legislation); Position and Date are annotated only where a fact uses them, so stored Position/Date "
        "mentions on no gold span are left out of the false positives (see `excluded`)")

IsA = Callable[[str, str], bool]


class Span(NamedTuple):
    start: int
    end: int
    type: str


def gold_class(gold_type: str) -> str:
    return GOLD_TYPE_ALIASES.get(gold_type, gold_type)


def class_mapper(ancestors: Callable[[str], Iterable[str]],
                 classes: Iterable[str] = GOLD_CLASSES) -> Callable[[str], str]:
    """Maps a stored type to the most specific gold class it belongs to (Act → Legislation,
    GovernmentOrganization → Organization); a type under no gold class stays itself."""
    known = set(classes)

    def class_of(stored_type: str) -> str:
        try:
            chain = list(ancestors(stored_type))
        except OntologyError:  # a type the ontology does not know stays itself
            chain = [stored_type]
        return next((c for c in chain if c in known), stored_type)

    return class_of


def score_entities(gold: Sequence[Span], stored: Sequence[Span], is_a: IsA,
                   class_of: Callable[[str], str]) -> EntityEvaluation:
    gold_by_span = {(g.start, g.end): gold_class(g.type) for g in gold}
    support = Counter(gold_by_span.values())
    true_positives: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    excluded: Counter[str] = Counter()
    span_hits = 0
    for mention in stored:
        expected = gold_by_span.get((mention.start, mention.end))
        own = class_of(mention.type)
        if expected is None and own in PARTLY_ANNOTATED:
            excluded[own] += 1
            continue
        span_hits += expected is not None
        if expected is not None and is_a(mention.type, expected):
            true_positives[expected] += 1
            predicted[expected] += 1
        else:
            predicted[own] += 1
    counted = sum(predicted.values())
    classes = sorted(set(support) | set(predicted))
    return EntityEvaluation(
        micro=score(sum(true_positives.values()), counted, len(gold_by_span)),
        span_only=score(span_hits, counted, len(gold_by_span)),
        per_class={c: score(true_positives[c], predicted[c], support[c]) for c in classes},
        excluded=dict(sorted(excluded.items())),
        note=NOTE,
    )
