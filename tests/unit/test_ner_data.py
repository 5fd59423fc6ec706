"""NER data: tag schemes, readers, splits, word-piece windows and constrained decoding."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from extraction.errors import DataError
from extraction.modeling.datasets import split_dataset
from extraction.ner.data import load_dataset
from extraction.ner.model import SHAPES, word_shape
from extraction.ner.tags import (
    allowed_transitions,
    detect_scheme,
    labels_for,
    spans_to_tags,
    tags_to_spans,
    to_iob2,
    viterbi,
)

NER = Path(__file__).resolve().parent.parent / "fixtures" / "ner"
PROJECT = Path(__file__).resolve().parents[2]


def test_iob1_is_detected_and_converted() -> None:
    tags = ["O", "I-PER", "I-PER", "B-PER", "O", "I-LOC"]
    assert detect_scheme([tags]) == "iob1"
    assert to_iob2(tags) == ["O", "B-PER", "I-PER", "B-PER", "O", "B-LOC"]


def test_bioes_is_detected_and_converted() -> None:
    tags = ["S-PER", "O", "B-ORG", "I-ORG", "E-ORG", "S-ORG"]
    assert detect_scheme([tags]) == "bioes"
    assert to_iob2(tags) == ["B-PER", "O", "B-ORG", "I-ORG", "I-ORG", "B-ORG"]


def test_iob2_stays_as_it_is() -> None:
    tags = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC"]
    assert detect_scheme([tags]) == "iob2"
    assert to_iob2(tags) == tags


def test_spans_and_tags_round_trip() -> None:
    spans = [(0, 2, "PER"), (2, 3, "PER"), (5, 6, "LOC")]
    tags = spans_to_tags(7, spans)
    assert tags == ["B-PER", "I-PER", "B-PER", "O", "O", "B-LOC", "O"]
    assert tags_to_spans(tags) == spans


def test_conll_file_in_iob1_reads_as_iob2_with_documents() -> None:
    dataset = load_dataset(NER / "sotu_iob1.conll")
    assert dataset.format == "conll" and dataset.scheme == "iob1"
    first, second, third = dataset.examples
    assert first.tags[first.tokens.index("Congress")] == "B-ORG"
    assert tags_to_spans(second.tags) == [(4, 5, "PER"), (6, 8, "PER"), (11, 15, "ORG"), (19, 22, "ORG")]
    assert first.document == second.document != third.document
    assert dataset.types == ["LOC", "MISC", "ORG", "PER"]
    assert len(dataset.sha256) == 64


def test_conll_file_in_bioes_reads_as_iob2() -> None:
    dataset = load_dataset(NER / "sotu_bioes.conll")
    assert dataset.scheme == "bioes"
    (example,) = dataset.examples
    spans = tags_to_spans(example.tags)
    assert [" ".join(example.tokens[s:e]) for s, e, _ in spans] == ["Kennedy", "Kassebaum", "United States Senate"]


def test_jsonl_with_tokens_and_with_character_offsets() -> None:
    dataset = load_dataset(NER / "sotu_spans.jsonl")
    tokens_row, text_row = dataset.examples
    assert [(" ".join(tokens_row.tokens[s:e]), k) for s, e, k in tags_to_spans(tokens_row.tags)] == [
        ("Colin Powell", "PER"), ("Brussels", "LOC")]
    assert [(" ".join(text_row.tokens[s:e]), k) for s, e, k in tags_to_spans(text_row.tags)] == [
        ("Barry McCaffrey", "PER"), ("America", "LOC")]


def test_redocred_reads_every_sentence_with_its_mentions() -> None:
    dataset = load_dataset(PROJECT / "data" / "redocred" / "dev.json")
    assert dataset.format == "redocred"
    assert len(dataset.examples) == 4110
    assert dataset.types == ["LOC", "MISC", "NUM", "ORG", "PER", "TIME"]
    first = dataset.examples[0]
    assert first.document == "Willi Schneider (skeleton racer)"
    assert ("B-PER", "Wilfried") == (first.tags[0], first.tokens[0])


def test_split_keeps_documents_together_and_is_seeded() -> None:
    dataset = load_dataset(PROJECT / "data" / "redocred" / "dev.json")
    train, dev, test = split_dataset(dataset, (0.7, 0.1, 0.2), seed=13)
    docs = [{e.document for e in part.examples} for part in (train, dev, test)]
    assert not (docs[0] & docs[1]) and not (docs[0] & docs[2]) and not (docs[1] & docs[2])
    assert sum(len(d) for d in docs) == 500
    assert 0.6 < len(docs[0]) / 500 < 0.8 and 0.12 < len(docs[2]) / 500 < 0.28
    again = split_dataset(dataset, (0.7, 0.1, 0.2), seed=13)
    assert [len(p.examples) for p in again] == [len(p.examples) for p in (train, dev, test)]
    assert test.part.startswith("documents 0.80-1.00")


@pytest.mark.parametrize("content, message", [
    ('{"tokens": ["a"], "entities": [{"type": "PER", "start": 0, "end": 3}]}', "out of range"),
    ('{"tokens": ["a"], "entities": [{"type": "PER"}]}', "integer start/end"),
    ("not json", "invalid JSON"),
    ('{"entities": []}', "'tokens'"),
])
def test_bad_jsonl_lines_name_the_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"tokens": ["ok"], "entities": []}\n' + content + "\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_dataset(path)
    assert error.value.code == "E051" and "line 2" in str(error.value) and message in str(error.value)


def test_missing_and_empty_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"\[E030\]"):
        load_dataset(tmp_path / "nothing.conll")
    (tmp_path / "empty.conll").write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"\[E052\]"):
        load_dataset(tmp_path / "empty.conll")


def test_word_shapes_separate_casing() -> None:
    shapes = {w: SHAPES[word_shape(w)] for w in ["bush", "Bush", "NASA", "McCaffrey", "1990", "--", "I", "U.S."]}
    assert shapes == {"bush": "lower", "Bush": "title", "NASA": "upper", "McCaffrey": "mixed", "1990": "digit",
                      "--": "punct", "I": "title", "U.S.": "upper"}


def test_constrained_decoding_never_opens_a_span_with_i() -> None:
    labels = labels_for(["PER", "LOC"])  # O, B-LOC, I-LOC, B-PER, I-PER
    start_ok, trans_ok = allowed_transitions(labels)
    # argmax would give I-PER, I-PER (invalid); the best valid path is B-PER, I-PER
    log_probs = np.log(np.array([[0.1, 0.05, 0.05, 0.3, 0.5], [0.1, 0.05, 0.05, 0.1, 0.7]]))
    path = [labels[i] for i in viterbi(log_probs, start_ok, trans_ok)]
    assert path == ["B-PER", "I-PER"]
    # an I-LOC after B-PER is not allowed either
    log_probs = np.log(np.array([[0.1, 0.05, 0.05, 0.7, 0.1], [0.2, 0.05, 0.6, 0.1, 0.05]]))
    assert [labels[i] for i in viterbi(log_probs, start_ok, trans_ok)] == ["B-PER", "O"]


def test_jsonl_reader_accepts_a_document_key(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    rows = [{"tokens": ["A"], "entities": [], "document": "d1"}, {"tokens": ["B"], "entities": [], "document": "d1"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert {e.document for e in load_dataset(path).examples} == {"d1"}
