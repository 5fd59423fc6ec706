"""Tag schemes (IOB1, IOB2, BIOES → IOB2), spans ↔ tags, and constrained (Viterbi) decoding."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

OUTSIDE = "O"


def _split(tag: str) -> tuple[str, str | None]:
    if tag == OUTSIDE or "-" not in tag:
        return OUTSIDE, None
    prefix, _, kind = tag.partition("-")
    return prefix.upper(), kind


def detect_scheme(sequences: Sequence[Sequence[str]]) -> str:
    """'bioes' when E-/S- tags occur, 'iob1' when some span opens with I-, else 'iob2'."""
    iob1 = False
    for tags in sequences:
        previous: str | None = None
        for tag in tags:
            prefix, kind = _split(tag)
            if prefix in ("E", "S", "L", "U"):
                return "bioes"
            if prefix == "I" and previous != kind:
                iob1 = True
            previous = kind
    return "iob1" if iob1 else "iob2"


def to_iob2(tags: Sequence[str]) -> list[str]:
    """Any of IOB1, IOB2, BIOES/BILOU in, strict IOB2 out (a span always opens with B-)."""
    out: list[str] = []
    previous: str | None = None  # the type of the open span
    for tag in tags:
        prefix, kind = _split(tag)
        if kind is None:
            out.append(OUTSIDE)
            previous = None
            continue
        if prefix in ("B", "S", "U") or previous != kind:
            out.append(f"B-{kind}")
        else:
            out.append(f"I-{kind}")
        previous = None if prefix in ("E", "S", "L", "U") else kind
    return out


def spans_to_tags(length: int, spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """Token spans [start, end) with types → IOB2 tags; overlapping spans: the first one wins."""
    tags = [OUTSIDE] * length
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if start < 0 or end > length or start >= end or any(t != OUTSIDE for t in tags[start:end]):
            continue
        tags[start] = f"B-{kind}"
        for i in range(start + 1, end):
            tags[i] = f"I-{kind}"
    return tags


def tags_to_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """IOB2 tags → token spans [start, end) with types (a stray I- opens a span)."""
    spans: list[tuple[int, int, str]] = []
    start, kind = -1, None
    for i, tag in enumerate([*tags, OUTSIDE]):
        prefix, this = _split(tag)
        if kind is not None and (prefix != "I" or this != kind):
            spans.append((start, i, kind))
            kind = None
        if this is not None and kind is None:
            start, kind = i, this
    return spans


def labels_for(types: Sequence[str]) -> list[str]:
    """The IOB2 label list of an entity type set: O first, then B-/I- per type, sorted."""
    return [OUTSIDE] + [f"{p}-{t}" for t in sorted(set(types)) for p in ("B", "I")]


def allowed_transitions(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(start_ok[L], transition_ok[L, L]): I-X may only follow B-X or I-X."""
    n = len(labels)
    start_ok = np.ones(n, dtype=bool)
    trans_ok = np.ones((n, n), dtype=bool)
    for j, label in enumerate(labels):
        prefix, kind = _split(label)
        if prefix != "I":
            continue
        start_ok[j] = False
        for i, before in enumerate(labels):
            _, before_kind = _split(before)
            trans_ok[i, j] = before_kind == kind
    return start_ok, trans_ok


def viterbi(log_probs: np.ndarray, start_ok: np.ndarray, trans_ok: np.ndarray) -> list[int]:
    """Best label path under the IOB2 constraints (log_probs: [T, L])."""
    steps, n = log_probs.shape
    if steps == 0:
        return []
    penalty = np.where(trans_ok, 0.0, -1e9)
    score = log_probs[0] + np.where(start_ok, 0.0, -1e9)
    back = np.zeros((steps, n), dtype=np.int64)
    for t in range(1, steps):
        total = score[:, None] + penalty
        back[t] = total.argmax(axis=0)
        score = total.max(axis=0) + log_probs[t]
    path = [int(score.argmax())]
    for t in range(steps - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]
