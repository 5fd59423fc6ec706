"""The small interfaces of the extraction pipeline; each step has one typed `run()`."""
from __future__ import annotations

from typing import Protocol

from extraction.records import CandidateFact, Document, Entity, Fact, Mention, Sentence


class Segmenter(Protocol):
    def run(self, document: Document) -> list[Sentence]: ...


class EntityRecognizer(Protocol):
    name: str

    def run(self, document: Document, sentences: list[Sentence]) -> list[Mention]: ...


class EntityResolver(Protocol):
    def run(self, mentions: list[Mention]) -> tuple[list[Mention], list[Entity]]:
        """Give every mention an entity id; return the mentions and the entities they name."""


class RelationExtractor(Protocol):
    name: str

    def run(
        self, document: Document, sentences: list[Sentence], mentions: list[Mention], entities: list[Entity]
    ) -> list[Fact]: ...


class FactValidator(Protocol):
    def run(self, facts: list[Fact], entities: list[Entity]) -> tuple[list[Fact], list[CandidateFact]]:
        """Split facts into those stored as facts and flagged candidates (with reasons)."""
