"""Word-piece windows: nothing truncated, every word predicted once, cut windows keep context."""
from __future__ import annotations

from pathlib import Path

import pytest

from extraction.modeling.encoder import packaged_encoder
from extraction.ner.features import IGNORE, WordPieces, build_windows

SOTU = Path(__file__).resolve().parents[2] / "data" / "samples" / "2002_george_w_bush_r.txt"


@pytest.fixture(scope="module")
def pieces() -> WordPieces:
    from transformers import AutoTokenizer

    return WordPieces(AutoTokenizer.from_pretrained(str(packaged_encoder())))


def _words() -> list[str]:
    return SOTU.read_text(encoding="utf-8").split()


def test_a_long_sentence_is_cut_into_windows_that_cover_every_word_once(pieces: WordPieces) -> None:
    sentence = _words()[:400]
    windows = build_windows([sentence], pieces, max_length=48)
    assert len(windows) > 5
    assert all(len(w.input_ids) <= 48 for w in windows)
    covered = [word for w in windows for _, _, word in w.words]
    assert covered == list(range(len(sentence)))
    # each cut window sees words before and after its core (overlap), except at the sentence ends
    middle = windows[len(windows) // 2]
    first_core = middle.words[0][0]
    last_core = middle.words[-1][0]
    assert first_core > 1 and last_core < len(middle.input_ids) - 2


def test_labels_sit_on_the_first_piece_of_each_core_word(pieces: WordPieces) -> None:
    sentence = ["Secretary", "Rumsfeld", "visited", "Kandahar", "."]
    labels = [[0, 1, 0, 3, 0]]
    (window,) = build_windows([sentence], pieces, max_length=64, labels=labels)
    labelled = [(i, v) for i, v in enumerate(window.label_ids) if v != IGNORE]
    assert [v for _, v in labelled] == labels[0]
    assert [i for i, _ in labelled] == [p for p, _, _ in window.words]
    assert window.input_ids[0] == pieces.cls and window.input_ids[-1] == pieces.sep
    assert window.shape_ids[0] == 0 and len(window.shape_ids) == len(window.input_ids)


def test_document_context_reaches_into_neighbouring_sentences(pieces: WordPieces) -> None:
    words = _words()
    sentences = [words[:12], words[12:20], words[20:35]]
    alone = build_windows(sentences, pieces, max_length=64)
    with_context = build_windows(sentences, pieces, max_length=64, documents=["d", "d", "d"], context_tokens=16)
    assert len(alone) == len(with_context) == 3
    assert len(with_context[1].input_ids) > len(alone[1].input_ids)
    assert [w for _, s, w in with_context[1].words] == list(range(8))
    assert {s for _, s, _ in with_context[1].words} == {1}
