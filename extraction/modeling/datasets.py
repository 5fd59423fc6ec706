"""The data files the trainers read: their hash, their format by suffix, and the deterministic split by
document into train/dev/test parts (a document's sentences stay together), with the name a part keeps on
the model card ("documents 0.70-0.80 (seed 13)") and its reading back."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol, TypeVar

from extraction.errors import DataError, Errors


class HasDocument(Protocol):
    @property
    def document(self) -> str: ...


Item = TypeVar("Item", bound=HasDocument)
Dataset = TypeVar("Dataset")  # a frozen dataclass with `examples`, `path` and `part`

PART = re.compile(r"documents ([\d.]+)-([\d.]+) \(seed (\d+)\)")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".json":
        return "redocred"
    return "conll"


def split_by_document(examples: Sequence[Item], fractions: tuple[float, ...], seed: int = 13) -> list[list[Item]]:
    """Deterministic split by document key (a document's sentences stay together)."""
    def bucket(document: str) -> float:
        digest = hashlib.sha256(f"{seed}|{document}".encode()).hexdigest()
        return int(digest[:8], 16) / 0xFFFFFFFF

    parts: list[list[Item]] = [[] for _ in fractions]
    bounds = [sum(fractions[: i + 1]) for i in range(len(fractions))]
    for example in examples:
        value = bucket(example.document)
        index = next((i for i, b in enumerate(bounds) if value <= b), len(bounds) - 1)
        parts[index].append(example)
    return parts


def split_dataset(dataset: Dataset, fractions: tuple[float, ...], seed: int = 13) -> list[Dataset]:
    """The dataset cut by document into parts of the given fractions (e.g. train/dev/test)."""
    if len(fractions) < 2 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-6:
        raise DataError(Errors.E051, path=dataset.path, line=0,  # type: ignore[attr-defined]
                        reason=f"a split needs two or more positive fractions summing to 1, got {fractions}")
    parts = split_by_document(dataset.examples, fractions, seed)  # type: ignore[attr-defined]
    bounds = [0.0] + [sum(fractions[: i + 1]) for i in range(len(fractions))]
    return [replace(dataset, examples=part, part=f"documents {bounds[i]:.2f}-{bounds[i + 1]:.2f} (seed {seed})")  # type: ignore[type-var]
            for i, part in enumerate(parts)]


def parse_part(part: str) -> tuple[float, float, int] | None:
    """(start, end, seed) of a part's name from `split_dataset`, None for another name."""
    match = PART.match(part)
    return (float(match.group(1)), float(match.group(2)), int(match.group(3))) if match else None
