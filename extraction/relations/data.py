"""Relation data: CoNLL04-style JSONL and Re-DocRED JSON, as examples of entities and ordered-pair labels.

An example is a stretch of text (one sentence, or a sentence and the next ones within a window)
with its entity spans and the labelled ordered pairs. `pairs` lists the ordered pairs the example is
responsible for (with a window, a pair belongs to the example of its first sentence, so each pair is
seen once); every listed pair without a label is `no_relation`.
"""
from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from extraction.errors import DataError, Errors
from extraction.modeling.datasets import file_sha256, guess_format

NO_RELATION = "no_relation"
Span = tuple[int, int, str]  # (start word, end word exclusive, entity type)


@dataclass(frozen=True)
class RelationExample:
    tokens: tuple[str, ...]
    entities: tuple[Span, ...]
    relations: tuple[tuple[int, int, str], ...]  # (head entity index, tail entity index, label)
    document: str = ""
    pairs: tuple[tuple[int, int], ...] | None = None  # the ordered pairs to classify; None: all
    first_end: int = 0  # with a window: words of the first sentence (a pair needs an entity there)

    def candidate_pairs(self) -> list[tuple[int, int]]:
        if self.pairs is not None:
            return list(self.pairs)
        n, spans = len(self.entities), self.entities
        return [(a, b) for a in range(n) for b in range(n)
                if a != b and (not self.first_end or min(spans[a][0], spans[b][0]) < self.first_end)]

    def with_entities(self, entities: tuple[Span, ...]) -> RelationExample:
        """The same text with other (e.g. predicted) entities, all their pairs, no labels."""
        return RelationExample(self.tokens, entities, (), self.document, None, self.first_end)

    def facts(self) -> set[tuple[Span, Span, str]]:
        """The gold facts: (head span, tail span, label), spans with their types."""
        return {(self.entities[h], self.entities[t], r) for h, t, r in self.relations}

    @property
    def labels(self) -> set[str]:
        return {r for _, _, r in self.relations}


@dataclass(frozen=True)
class RelationDataset:
    examples: list[RelationExample]
    path: str
    format: str
    sha256: str
    part: str = ""
    window: int = 0

    @property
    def words(self) -> int:
        return sum(len(e.tokens) for e in self.examples)

    @property
    def relations(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for example in self.examples:
            for _, _, label in example.relations:
                counts[label] = counts.get(label, 0) + 1
        return dict(sorted(counts.items()))


def load_relation_dataset(path: Path | str, format: str = "auto", *, window: int = 0,
                          keep: Collection[str] | None = None) -> RelationDataset:
    """`keep`: the relation labels to learn (others become no_relation); None keeps all."""
    path = Path(path)
    if not path.is_file():
        raise DataError(Errors.E030, path=path)
    fmt = guess_format(path) if format == "auto" else format
    if fmt == "jsonl":
        examples = read_jsonl_relations(path, keep)
    elif fmt == "redocred":
        examples = read_redocred_relations(path, window, keep)
    else:
        raise DataError(Errors.E060, path=path, format=fmt)
    if not examples:
        raise DataError(Errors.E052, path=path, reason=f"read as {fmt}")
    return RelationDataset(examples, str(path), fmt, file_sha256(path), window=window)


def read_jsonl_relations(path: Path, keep: Collection[str] | None = None) -> list[RelationExample]:
    """One sentence per line: `tokens`, `entities` [{type, start, end}], `relations` [{type, head, tail}]."""
    examples = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                tokens = tuple(str(t) for t in row["tokens"])
                entities = tuple((int(e["start"]), int(e["end"]), str(e["type"])) for e in row.get("entities", []))
                relations = tuple((int(r["head"]), int(r["tail"]), str(r["type"])) for r in row.get("relations", []))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise DataError(Errors.E051, path=path, line=number,
                                reason=f"expected tokens, entities and relations ({exc})") from exc
            if any(not 0 <= s < e <= len(tokens) for s, e, _ in entities):
                raise DataError(Errors.E051, path=path, line=number, reason="entity span out of range")
            if any(not (0 <= h < len(entities) and 0 <= t < len(entities)) for h, t, _ in relations):
                raise DataError(Errors.E051, path=path, line=number, reason="relation names a missing entity")
            relations = tuple(r for r in relations if keep is None or r[2] in keep)
            document = str(row.get("document", row.get("id", f"{path.name}:{number}")))
            examples.append(RelationExample(tokens, entities, _first_label(relations), document))
    return examples


def read_redocred_relations(path: Path, window: int = 0,
                            keep: Collection[str] | None = None) -> list[RelationExample]:
    """Mention pairs of Re-DocRED documents: both mentions in one sentence, or (window w > 0) in
    sentences at most w apart. The example of sentence i holds sentences i..i+w and the pairs whose
    first mention is in sentence i; two mentions of one entity are never a pair. A vertex pair's
    label applies to every pair of their mentions; with several labels the first in `keep` wins."""
    try:
        documents = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(Errors.E051, path=path, line=getattr(exc, "lineno", 0), reason=str(exc)) from exc
    order = {label: i for i, label in enumerate(keep)} if keep is not None else {}
    examples = []
    for doc_index, document in enumerate(documents):
        sentences = document.get("sents") or []
        key = document.get("title") or f"{path.name}#{doc_index}"
        labels: dict[tuple[int, int], str] = {}
        for label in document.get("labels", []):
            relation, pair = label["r"], (label["h"], label["t"])
            if keep is not None and relation not in order:
                continue
            if pair not in labels or order.get(relation, 0) < order.get(labels[pair], 0):
                labels[pair] = relation
        mentions = [(m["sent_id"], m["pos"][0], m["pos"][1], m["type"], v)
                    for v, vertex in enumerate(document.get("vertexSet", [])) for m in vertex
                    if 0 <= m["sent_id"] < len(sentences)]
        offsets = [0]
        for sentence in sentences:
            offsets.append(offsets[-1] + len(sentence))
        for first in range(len(sentences)):
            last = min(len(sentences) - 1, first + window)
            inside = [m for m in mentions if first <= m[0] <= last]
            base = offsets[first]
            entities = tuple((offsets[s] - base + a, offsets[s] - base + b, kind) for s, a, b, kind, _ in inside)
            pairs, relations = [], []
            for i, head in enumerate(inside):
                for j, tail in enumerate(inside):
                    if head[4] == tail[4] or first not in (head[0], tail[0]):
                        continue
                    pairs.append((i, j))
                    label = labels.get((head[4], tail[4]))
                    if label is not None:
                        relations.append((i, j, label))
            if entities:
                tokens = tuple(w for s in sentences[first:last + 1] for w in s)
                examples.append(RelationExample(tokens, entities, tuple(relations), key, tuple(pairs),
                                                len(sentences[first]) if window else 0))
    return examples


def _first_label(relations: tuple[tuple[int, int, str], ...]) -> tuple[tuple[int, int, str], ...]:
    """One label per ordered pair (the first given)."""
    seen: set[tuple[int, int]] = set()
    kept = []
    for head, tail, label in relations:
        if (head, tail) not in seen:
            seen.add((head, tail))
            kept.append((head, tail, label))
    return tuple(kept)
