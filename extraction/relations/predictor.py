"""Relation inference: examples → marked word pieces, batched by length → calibrated pair probabilities."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from extraction.modeling.devices import inference_device, model_device, to_device
from extraction.relations.data import RelationExample
from extraction.relations.model import (
    Encoded,
    MarkerEncoder,
    RelationClassifier,
    RelationConfig,
    collate_pairs,
    load_relation_model,
)


@dataclass(frozen=True)
class PredictedRelation:
    head: int  # entity index in the example
    tail: int
    label: str
    confidence: float  # calibrated probability of the label


class RelationPredictor:
    def __init__(self, model: RelationClassifier, tokenizer, config: RelationConfig, *,  # type: ignore[no-untyped-def]
                 batch_size: int = 32) -> None:
        self.model = model.eval()
        self.config = config
        self.labels = list(config.labels)
        self.encoder = MarkerEncoder(tokenizer, config)
        self.batch_size = batch_size

    @classmethod
    def from_folder(cls, folder: Path | str, *, quantize: bool = False, batch_size: int = 32,
                    device: str | None = "cpu") -> RelationPredictor:
        """`device`: cpu (the default), cuda, or auto (cuda when available; cpu with `quantize`)."""
        from extraction.ner.tagger import quantize_dynamic

        model, tokenizer, config = load_relation_model(folder)
        if quantize:
            model = quantize_dynamic(model)
        model.to(inference_device(device, quantize))
        return cls(model, tokenizer, config, batch_size=batch_size)

    @property
    def version(self) -> str:
        return self.config.version or "unversioned"

    def logits(self, examples: Sequence[RelationExample],
               with_labels: bool = False) -> list[tuple[Encoded, torch.Tensor]]:
        """Per example: its encoding and the (uncalibrated) logits of its candidate pairs."""
        encoded = [self.encoder.encode(e, with_labels) for e in examples]
        results: list[torch.Tensor] = [torch.zeros((0, len(self.labels)))] * len(encoded)
        order = sorted((i for i, e in enumerate(encoded) if e.pairs), key=lambda i: len(encoded[i].input_ids))
        device = model_device(self.model)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                chunk = order[start:start + self.batch_size]
                tensors = to_device(collate_pairs([encoded[i] for i in chunk], self.encoder.pieces.pad), device)
                logits = self.model(tensors["input_ids"], tensors["attention_mask"], tensors["shape_ids"],
                                    tensors["pairs"]).float().cpu()
                offset = 0
                for i in chunk:
                    count = len(encoded[i].pairs)
                    results[i] = logits[offset:offset + count]
                    offset += count
        return list(zip(encoded, results, strict=True))

    def predict(self, examples: Sequence[RelationExample], min_confidence: float | None = None
                ) -> list[list[PredictedRelation]]:
        """Relations of each example: pairs whose most probable class is a relation, and, when
        `min_confidence` is given, also pairs whose best relation reaches it though no_relation wins."""
        return [self.decide(encoded, logits, min_confidence) for encoded, logits in self.logits(examples)]

    def decide(self, encoded: Encoded, logits: torch.Tensor, min_confidence: float | None = None
               ) -> list[PredictedRelation]:
        """The relations of one encoded example from its pair logits (see `predict`)."""
        found: list[PredictedRelation] = []
        if not len(logits):
            return found
        probabilities = torch.softmax(logits / self.config.temperature, dim=-1)
        best_relation = probabilities[:, 1:].max(dim=-1)
        top = probabilities.argmax(dim=-1)
        for row, (head, tail) in enumerate(encoded.pairs):
            confidence = float(best_relation.values[row])
            if top[row] != 0 or (min_confidence is not None and confidence >= min_confidence):
                label = self.labels[int(best_relation.indices[row]) + 1]
                found.append(PredictedRelation(head, tail, label, round(confidence, 4)))
        return found
