"""Word encodings the NER model computed, kept for the components that reuse them (the joint relation head).

The NER tagger runs its encoder once per sentence; a relation head over the same encoder needs the
same hidden states. Rather than pass them through the pipeline (a recognizer returns mentions only),
the tagger writes them, pooled to words, into a process-wide cache of its model version, and the
relation head reads them back by the sentence's words. The cache is opt-in: a tagger writes only when
`keep_encodings` is set on it or when a consumer has opened the cache of its version
(`encoding_cache(version)`), so a pipeline without the joint head pays nothing.

Each entry is a float32 array [n_words, hidden]: the mean of a word's word-piece states, taken from the
window where the word is in the core (as the tagger takes its tag scores). The cache is bounded by the
words it holds (least recently used first out); a miss is never an error, the consumer encodes itself.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

DEFAULT_MAX_WORDS = 65_536  # about 100 MB at 384 dimensions: a long document's sentences stay in


class WordEncodingCache:
    """LRU map of a sentence's words (a tuple) to its word encodings, bounded by the words held."""

    def __init__(self, version: str, max_words: int = DEFAULT_MAX_WORDS) -> None:
        self.version = version
        self.max_words = max_words
        self._entries: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        self._words = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, words: Sequence[str]) -> np.ndarray | None:
        key = tuple(words)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, words: Sequence[str], encoding: np.ndarray) -> None:
        key = tuple(words)
        if len(key) != len(encoding) or len(key) > self.max_words:
            return
        with self._lock:
            known = self._entries.pop(key, None)
            if known is not None:
                self._words -= len(known)
            self._entries[key] = encoding
            self._words += len(key)
            while self._words > self.max_words:
                _, evicted = self._entries.popitem(last=False)
                self._words -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._words = 0

    @property
    def words(self) -> int:
        return self._words

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, words: Sequence[str]) -> bool:
        return tuple(words) in self._entries


_REGISTRY: dict[str, WordEncodingCache] = {}
_REGISTRY_LOCK = threading.Lock()


def encoding_cache(version: str, max_words: int | None = None) -> WordEncodingCache:
    """The process-wide cache of one NER model version, opened (and so filled by taggers of that
    version from now on) on first use; `max_words` raises the bound of an open cache, never lowers it."""
    with _REGISTRY_LOCK:
        cache = _REGISTRY.get(version)
        if cache is None:
            cache = _REGISTRY[version] = WordEncodingCache(version, max_words or DEFAULT_MAX_WORDS)
        elif max_words is not None and max_words > cache.max_words:
            cache.max_words = max_words
        return cache


def open_cache(version: str) -> WordEncodingCache | None:
    """The cache of a version if a consumer opened it, else None (a tagger then keeps nothing)."""
    return _REGISTRY.get(version)


def close_cache(version: str) -> None:
    """Forget a version's cache (its taggers stop keeping encodings unless told to)."""
    with _REGISTRY_LOCK:
        _REGISTRY.pop(version, None)
