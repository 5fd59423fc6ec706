"""Sentences → word-piece windows: the core words of a window are labelled, context around them is not.

A sentence longer than a window is cut into consecutive cores; each core still sees up to
`overlap` word pieces of the words beside it, so no word is predicted without context and
nothing is truncated. With `context_tokens` > 0 the context also reaches into the neighbouring
sentences of the same document.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from extraction.ner.model import word_shape

IGNORE = -100
MAX_PIECES_PER_WORD = 12
MIN_OVERLAP = 16  # word pieces of same-sentence context a cut window keeps on each side


@dataclass
class Window:
    input_ids: list[int]
    shape_ids: list[int]
    label_ids: list[int]
    words: list[tuple[int, int, int]]  # (position in input_ids, sentence index, word index)


class WordPieces:
    """Word → word-piece ids, cached: tokenizing each distinct word once is what makes this fast."""

    def __init__(self, tokenizer) -> None:  # type: ignore[no-untyped-def]
        self.tokenizer = tokenizer
        self.cache: dict[str, list[int]] = {}
        self.cls = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
        self.sep = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
        self.unk = tokenizer.unk_token_id if tokenizer.unk_token_id is not None else 0
        self.pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    def prepare(self, sentences: Sequence[Sequence[str]]) -> None:
        new = sorted({w for s in sentences for w in s if w not in self.cache})
        for start in range(0, len(new), 4096):
            chunk = new[start:start + 4096]
            encoded = self.tokenizer(chunk, add_special_tokens=False)["input_ids"]
            for word, ids in zip(chunk, encoded, strict=True):
                self.cache[word] = (ids or [self.unk])[:MAX_PIECES_PER_WORD]

    def __call__(self, word: str) -> list[int]:
        ids = self.cache.get(word)
        if ids is None:
            self.prepare([[word]])
            ids = self.cache[word]
        return ids


def build_windows(
    sentences: Sequence[Sequence[str]],
    pieces: WordPieces,
    max_length: int,
    documents: Sequence[str] | None = None,
    context_tokens: int = 0,
    labels: Sequence[Sequence[int]] | None = None,
) -> list[Window]:
    """Windows for every word of every sentence; `labels` (per word) only when training."""
    pieces.prepare(sentences)
    budget = max_length - 2
    overlap = max(MIN_OVERLAP, context_tokens)
    core_budget = max(8, budget - 2 * min(overlap, budget // 4))
    windows: list[Window] = []
    for group in _groups(len(sentences), documents if context_tokens > 0 else None):
        stream: list[tuple[int, int, list[int], int]] = []  # (sentence, word, pieces, shape)
        for s in group:
            stream.extend((s, w, pieces(word), word_shape(word)) for w, word in enumerate(sentences[s]))
        position = 0
        while position < len(stream):
            sentence = stream[position][0]
            end, used = position, 0
            while (end < len(stream) and stream[end][0] == sentence
                   and (used + len(stream[end][2]) <= core_budget or end == position)):
                used += len(stream[end][2])
                end += 1
            windows.append(_window(stream, position, end, budget - used, context_tokens, pieces, labels))
            position = end
    return windows


def _groups(count: int, documents: Sequence[str] | None) -> list[list[int]]:
    if documents is None:
        return [[i] for i in range(count)]
    groups: list[list[int]] = []
    for i in range(count):
        if groups and documents[i] == documents[groups[-1][-1]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _window(stream, start, end, room, context_tokens, pieces, labels) -> Window:  # type: ignore[no-untyped-def]
    sentence = stream[start][0]
    in_context = (lambda i: True) if context_tokens > 0 else (lambda i: stream[i][0] == sentence)
    left_room = room // 2
    left: list[tuple[int, int]] = []  # (piece, shape) in order
    i = start - 1
    while i >= 0 and in_context(i) and len(left) + len(stream[i][2]) <= left_room:
        left[:0] = [(p, stream[i][3]) for p in stream[i][2]]
        i -= 1
    right_room = room - len(left)
    right: list[tuple[int, int]] = []
    i = end
    while i < len(stream) and in_context(i) and len(right) + len(stream[i][2]) <= right_room:
        right.extend((p, stream[i][3]) for p in stream[i][2])
        i += 1
    input_ids = [pieces.cls] + [p for p, _ in left]
    shape_ids = [0] + [s for _, s in left]
    label_ids = [IGNORE] * len(input_ids)
    words = []
    for s, w, ids, shape in stream[start:end]:
        words.append((len(input_ids), s, w))
        label_ids.append(labels[s][w] if labels is not None else IGNORE)
        label_ids.extend([IGNORE] * (len(ids) - 1))
        input_ids.extend(ids)
        shape_ids.extend([shape] * len(ids))
    input_ids += [p for p, _ in right] + [pieces.sep]
    shape_ids += [s for _, s in right] + [0]
    label_ids += [IGNORE] * (len(right) + 1)
    return Window(input_ids, shape_ids, label_ids, words)


def collate(windows: Sequence[Window], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(w.input_ids) for w in windows)
    def padded(values: list[int], fill: int) -> list[int]:
        return values + [fill] * (width - len(values))
    return {
        "input_ids": torch.tensor([padded(w.input_ids, pad_id) for w in windows]),
        "attention_mask": torch.tensor([padded([1] * len(w.input_ids), 0) for w in windows]),
        "shape_ids": torch.tensor([padded(w.shape_ids, 0) for w in windows]),
        "labels": torch.tensor([padded(w.label_ids, IGNORE) for w in windows]),
    }
