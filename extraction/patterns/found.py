"""A relation a rule found between two mentions, before it becomes a fact with provenance."""
from __future__ import annotations

from dataclasses import dataclass

from extraction.records import Mention


@dataclass(frozen=True)
class Found:
    predicate: str
    subject: Mention
    object: Mention
    confidence: float
    rule: str  # which rule found it (for tests and debugging)
