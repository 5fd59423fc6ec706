"""The relation classifier: typed entity markers, one encoder pass per text, a head over marker pairs.

PURE (Zhong & Chen, 2021) wraps the subject and object of one pair in typed markers and classifies
from the two start-marker states, one encoder pass per pair. On 2 CPU cores that is too slow (a
sentence with 5 entities is 20 passes), so this model uses the one-pass variant: every entity of
the text is wrapped in a marker of its type (`[E:PER] Bush [/E:PER] met [E:ORG] NATO [/E:ORG]`),
the encoder runs once per text, and each ordered pair (subject, object) is classified from the
concatenation of the subject's and the object's start-marker states by a small MLP. Classes:
`no_relation` (index 0) plus the relation labels. The markers are the vocabulary's unused tokens
(`[unused0]`…), or new tokens where a vocabulary has none. The word-shape (casing) embedding of the
NER model is reused; `temperature` (fitted on dev) calibrates the softmax.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import torch
from torch import nn

from extraction.errors import DataError, Errors
from extraction.modeling.folder import ModelConfig, load_folder
from extraction.ner.features import WordPieces
from extraction.ner.model import TokenClassifier, word_shape
from extraction.relations.data import NO_RELATION, RelationExample

CONFIG_FILE = "re_config.json"
UNKNOWN_TYPE = "?"  # the marker of entity types the model was not trained on


@dataclass
class RelationConfig(ModelConfig):
    file_name: ClassVar[str] = CONFIG_FILE
    labels: list[str]  # labels[0] is no_relation
    entity_types: list[str]  # marker types; the last is UNKNOWN_TYPE
    marker_tokens: list[str]  # start and end marker of each entity type, in that order
    label_scheme: str = ""  # ontology mapping scheme of relation and entity labels (conll04, redocred)
    type_pairs: list[list[str]] = field(default_factory=list)  # (head, tail) types seen with a relation
    max_length: int = 256
    window: int = 0  # sentences after the first one a pair may reach (Re-DocRED)
    shape_features: bool = True
    temperature: float = 1.0
    version: str = ""
    extra: dict[str, object] = field(default_factory=dict)


class RelationClassifier(TokenClassifier):
    def __init__(self, encoder: nn.Module, num_labels: int, shape_features: bool = True,
                 dropout: float = 0.1) -> None:
        super().__init__(encoder, num_labels, shape_features, dropout)
        hidden = encoder.config.hidden_size
        self.classifier = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.GELU(), nn.Dropout(dropout),
                                        nn.Linear(hidden, num_labels))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,  # type: ignore[override]
                shape_ids: torch.Tensor | None = None, pairs: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of each pair; `pairs` rows are (sequence, subject marker position, object marker position)."""
        assert pairs is not None
        hidden = self.dropout(self.hidden_states(input_ids, attention_mask, shape_ids))
        subject = hidden[pairs[:, 0], pairs[:, 1]]
        obj = hidden[pairs[:, 0], pairs[:, 2]]
        return self.classifier(torch.cat([subject, obj], dim=-1))


def marker_tokens(tokenizer, entity_types: list[str]) -> tuple[list[str], bool]:  # type: ignore[no-untyped-def]
    """Two marker tokens per type; (tokens, whether they are new to the vocabulary)."""
    count = 2 * len(entity_types)
    unused = [f"[unused{i}]" for i in range(count)]
    if all(tokenizer.convert_tokens_to_ids(t) not in (None, tokenizer.unk_token_id) for t in unused):
        return unused, False
    tokens = [f"[{kind}:{t}]" for t in entity_types for kind in ("E", "/E")]
    tokenizer.add_special_tokens({"additional_special_tokens": tokens})
    return tokens, True


def build_model(encoder: nn.Module, config: RelationConfig) -> RelationClassifier:
    return RelationClassifier(encoder, len(config.labels), config.shape_features)


def load_relation_model(folder: Path | str) -> tuple[RelationClassifier, object, RelationConfig]:
    return load_folder(folder, RelationConfig.load, build_model)


@dataclass
class Encoded:
    """One example as word pieces with markers; `pairs[i]` is classified from `positions[i]`."""

    input_ids: list[int]
    shape_ids: list[int]
    pairs: list[tuple[int, int]]  # (head entity, tail entity)
    positions: list[tuple[int, int]]  # start-marker positions of head and tail
    labels: list[int]
    truncated: int = 0  # pairs lost because a marker fell beyond max_length


class MarkerEncoder:
    """Inserts typed markers around every entity and lists the candidate pairs of an example."""

    def __init__(self, tokenizer, config: RelationConfig) -> None:  # type: ignore[no-untyped-def]
        self.config = config
        self.pieces = WordPieces(tokenizer)
        ids = tokenizer.convert_tokens_to_ids(config.marker_tokens)
        self.types = {t: i for i, t in enumerate(config.entity_types)}
        self.starts = ids[0::2]
        self.ends = ids[1::2]
        self.label_index = {label: i for i, label in enumerate(config.labels)}
        self.type_pairs = {tuple(p) for p in config.type_pairs}

    def type_of(self, kind: str) -> int:
        return self.types.get(kind, self.types[UNKNOWN_TYPE])

    def allowed(self, head: str, tail: str) -> bool:
        """Type combinations never seen with a relation in training are no_relation without asking."""
        return not self.type_pairs or (head, tail) in self.type_pairs

    def encode(self, example: RelationExample, with_labels: bool = False) -> Encoded:
        entities = example.entities
        if any(not 0 <= s < e <= len(example.tokens) for s, e, _ in entities):
            raise DataError(Errors.E063, path=example.document, reason="an entity span is out of range")
        opening: dict[int, list[int]] = {}
        closing: dict[int, list[int]] = {}
        for index, (start, _, _) in sorted(enumerate(entities), key=lambda x: (x[1][0], -x[1][1])):
            opening.setdefault(start, []).append(index)
        for index, (_, end, _) in sorted(enumerate(entities), key=lambda x: (x[1][1], -x[1][0])):
            closing.setdefault(end, []).append(index)
        self.pieces.prepare([example.tokens])
        input_ids, shape_ids = [self.pieces.cls], [0]
        marker_at: dict[int, int] = {}
        for position, word in enumerate(example.tokens):
            for index in closing.get(position, []):
                input_ids.append(self.ends[self.type_of(entities[index][2])])
                shape_ids.append(0)
            for index in opening.get(position, []):
                marker_at[index] = len(input_ids)
                input_ids.append(self.starts[self.type_of(entities[index][2])])
                shape_ids.append(0)
            pieces = self.pieces(word)
            input_ids.extend(pieces)
            shape_ids.extend([word_shape(word)] * len(pieces))
        for index in closing.get(len(example.tokens), []):
            input_ids.append(self.ends[self.type_of(entities[index][2])])
            shape_ids.append(0)
        limit = self.config.max_length - 1
        input_ids, shape_ids = input_ids[:limit] + [self.pieces.sep], shape_ids[:limit] + [0]
        gold = {(h, t): r for h, t, r in example.relations} if with_labels else {}
        pairs, positions, labels, truncated = [], [], [], 0
        for head, tail in example.candidate_pairs():
            if not self.allowed(entities[head][2], entities[tail][2]):
                continue
            if marker_at.get(head, limit) >= limit or marker_at.get(tail, limit) >= limit:
                truncated += 1
                continue
            pairs.append((head, tail))
            positions.append((marker_at[head], marker_at[tail]))
            labels.append(self.label_index.get(gold.get((head, tail), NO_RELATION), 0))
        return Encoded(input_ids, shape_ids, pairs, positions, labels, truncated)


def collate_pairs(batch: list[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(e.input_ids) for e in batch)
    rows = [(b, s, o) for b, e in enumerate(batch) for s, o in e.positions]
    return {
        "input_ids": torch.tensor([e.input_ids + [pad_id] * (width - len(e.input_ids)) for e in batch]),
        "attention_mask": torch.tensor([[1] * len(e.input_ids) + [0] * (width - len(e.input_ids)) for e in batch]),
        "shape_ids": torch.tensor([e.shape_ids + [0] * (width - len(e.shape_ids)) for e in batch]),
        "pairs": torch.tensor(rows, dtype=torch.long).reshape(-1, 3),
        "labels": torch.tensor([label for e in batch for label in e.labels], dtype=torch.long),
    }
