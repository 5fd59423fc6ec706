"""The token classifier: a transformer encoder, a learned word-shape (casing) embedding, a linear head.

The packaged encoder (all-MiniLM-L6-v2) is uncased: its tokenizer lowercases, so "Bush" and
"bush" look the same to it. The shape embedding gives every word piece the casing class of its
word (Title, UPPER, lower, MiXed, digits, punctuation), added to the word-piece embeddings before
the first layer; it starts at zero, so training starts from the plain encoder.

A model folder holds the encoder (config.json, model.safetensors), the tokenizer, `head.safetensors`
(shape embedding and classifier), `ner_config.json` (labels and options) and `model_card.json`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import torch
from torch import nn

from extraction.modeling.folder import ModelConfig, load_folder

CONFIG_FILE = "ner_config.json"

# word shapes: 0 is padding and special tokens
SHAPES = ("pad", "lower", "title", "upper", "mixed", "digit", "punct", "other")
N_SHAPES = len(SHAPES)


def word_shape(word: str) -> int:
    letters = [c for c in word if c.isalpha()]
    if not letters:
        if any(c.isdigit() for c in word):
            return 5
        return 6 if word and all(not c.isalnum() for c in word) else 7
    if all(c.islower() for c in letters):
        return 5 if any(c.isdigit() for c in word) else 1
    if all(c.isupper() for c in letters):
        return 3 if len(letters) > 1 else 2
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return 2
    return 4


@dataclass
class NerConfig(ModelConfig):
    file_name: ClassVar[str] = CONFIG_FILE
    labels: list[str]
    label_scheme: str = ""  # the ontology mapping scheme of the types (conll2003, redocred, …)
    shape_features: bool = True
    max_length: int = 128
    context_tokens: int = 0  # word pieces of document context on each side (0: the sentence only)
    version: str = ""
    extra: dict[str, object] = field(default_factory=dict)


class TokenClassifier(nn.Module):
    def __init__(self, encoder: nn.Module, num_labels: int, shape_features: bool = True, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.shapes = nn.Embedding(N_SHAPES, hidden) if shape_features else None
        if self.shapes is not None:
            nn.init.zeros_(self.shapes.weight)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden, num_labels)

    def hidden_states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                      shape_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The encoder's last hidden states, with the shape embedding added to the input embeddings."""
        embeds = self.encoder.get_input_embeddings()(input_ids)
        if self.shapes is not None and shape_ids is not None:
            embeds = embeds + self.shapes(shape_ids)
        return self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                shape_ids: torch.Tensor | None = None) -> torch.Tensor:
        return self.classifier(self.dropout(self.hidden_states(input_ids, attention_mask, shape_ids)))

    def head_state(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.state_dict().items() if not k.startswith("encoder.")}


def load_model(folder: Path | str) -> tuple[TokenClassifier, object, NerConfig]:
    return load_folder(folder, NerConfig.load,
                       lambda encoder, config: TokenClassifier(encoder, len(config.labels), config.shape_features))

