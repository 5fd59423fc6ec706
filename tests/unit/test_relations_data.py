"""Relation data readers (CoNLL04-style JSONL, Re-DocRED with a sentence window), typed marker insertion,
calibration (ECE, temperature) and strict end-to-end matching."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from extraction.errors import DataError
from extraction.relations.calibration import calibration_report, expected_calibration_error, fit_temperature
from extraction.relations.data import RelationExample, load_relation_dataset
from extraction.relations.evaluate import score_facts

PROJECT = Path(__file__).resolve().parents[2]

# two sentences in the CoNLL04 JSONL layout, written for these tests
ROWS = [
    {"id": 1, "tokens": ["John", "Smith", "works", "for", "Acme", "Corp", "in", "Boston", "."],
     "entities": [{"type": "Peop", "start": 0, "end": 2}, {"type": "Org", "start": 4, "end": 6},
                  {"type": "Loc", "start": 7, "end": 8}],
     "relations": [{"type": "Work_For", "head": 0, "tail": 1}, {"type": "OrgBased_In", "head": 1, "tail": 2},
                   {"type": "Live_In", "head": 0, "tail": 1}]},
    {"id": 2, "tokens": ["It", "rained", "."], "entities": [], "relations": []},
]

# a small Re-DocRED document: 3 sentences, "Acme" mentioned twice
DOC = {"title": "Acme", "sents": [["Acme", "is", "based", "in", "Ohio", "."],
                                   ["Acme", "hired", "Ann", "."],
                                   ["Ohio", "is", "in", "America", "."]],
       "vertexSet": [[{"sent_id": 0, "pos": [0, 1], "type": "ORG", "name": "Acme"},
                      {"sent_id": 1, "pos": [0, 1], "type": "ORG", "name": "Acme"}],
                     [{"sent_id": 0, "pos": [4, 5], "type": "LOC", "name": "Ohio"},
                      {"sent_id": 2, "pos": [0, 1], "type": "LOC", "name": "Ohio"}],
                     [{"sent_id": 1, "pos": [2, 3], "type": "PER", "name": "Ann"}],
                     [{"sent_id": 2, "pos": [3, 4], "type": "LOC", "name": "America"}]],
       "labels": [{"h": 0, "t": 1, "r": "P159", "evidence": [0]}, {"h": 0, "t": 1, "r": "P17", "evidence": [0]},
                  {"h": 2, "t": 0, "r": "P108", "evidence": [1]}, {"h": 1, "t": 3, "r": "P17", "evidence": [2]},
                  {"h": 2, "t": 1, "r": "P999", "evidence": [1]}]}


def _jsonl(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "rel.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_conll04_jsonl_gives_entities_labelled_pairs_and_all_ordered_candidates(tmp_path: Path) -> None:
    data = load_relation_dataset(_jsonl(tmp_path, ROWS))
    first = data.examples[0]
    assert first.entities == ((0, 2, "Peop"), (4, 6, "Org"), (7, 8, "Loc"))
    assert first.relations == ((0, 1, "Work_For"), (1, 2, "OrgBased_In"))  # one label per ordered pair
    assert len(first.candidate_pairs()) == 6 and data.examples[1].candidate_pairs() == []
    assert first.facts() == {((0, 2, "Peop"), (4, 6, "Org"), "Work_For"), ((4, 6, "Org"), (7, 8, "Loc"), "OrgBased_In")}
    assert data.relations == {"OrgBased_In": 1, "Work_For": 1} and len(data.sha256) == 64
    kept = load_relation_dataset(_jsonl(tmp_path, ROWS), keep={"Work_For"})
    assert kept.examples[0].relations == ((0, 1, "Work_For"),)


def test_conll04_jsonl_errors_name_the_line(tmp_path: Path) -> None:
    bad = [ROWS[1], {**ROWS[0], "relations": [{"type": "Kill", "head": 0, "tail": 7}]}]
    with pytest.raises(DataError, match=r"\[E051\].*line 2.*missing entity"):
        load_relation_dataset(_jsonl(tmp_path, bad))
    with pytest.raises(DataError, match=r"\[E060\]"):
        load_relation_dataset(_jsonl(tmp_path, ROWS), format="conll")


def test_redocred_pairs_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps([DOC]), encoding="utf-8")
    examples = load_relation_dataset(path, keep=["P159", "P17", "P108"]).examples
    assert [len(e.tokens) for e in examples] == [6, 4, 5]
    first, second, third = examples
    assert first.relations == ((0, 1, "P159"),)  # P159 before P17 in `keep`
    assert second.relations == ((1, 0, "P108"),)  # Ann → Acme; P999 is not kept
    assert third.relations == ((0, 1, "P17"),)
    assert all(len(e.candidate_pairs()) == 2 for e in examples)


def test_redocred_window_reaches_the_next_sentence_once(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps([DOC]), encoding="utf-8")
    examples = load_relation_dataset(path, window=1, keep=["P159", "P17", "P108"]).examples
    first = examples[0]
    assert len(first.tokens) == 10 and first.first_end == 6
    assert first.entities == ((0, 1, "ORG"), (6, 7, "ORG"), (4, 5, "LOC"), (8, 9, "PER"))  # by vertex
    pairs = set(first.candidate_pairs())
    assert (0, 1) not in pairs and (1, 0) not in pairs  # two mentions of Acme are never a pair
    assert (2, 1) in pairs and (2, 3) in pairs  # Ohio (sentence 0) with the next sentence's mentions
    assert (1, 3) not in pairs and (3, 1) not in pairs  # both in sentence 1: the next example's pairs
    assert (3, 0, "P108") in first.relations and (1, 2, "P159") in first.relations
    assert first.with_entities(first.entities).candidate_pairs() == [
        p for p in [(a, b) for a in range(4) for b in range(4) if a != b] if p not in {(1, 3), (3, 1)}]


def test_redocred_shipped_file_reads_with_a_window() -> None:
    data = load_relation_dataset(PROJECT / "data" / "redocred" / "dev.json", window=1, keep=["P17", "P131", "P108"])
    assert data.window == 1 and set(data.relations) == {"P17", "P131", "P108"}
    for example in data.examples[:300]:
        for head, tail in example.candidate_pairs():
            assert min(example.entities[head][0], example.entities[tail][0]) < example.first_end


@pytest.fixture(scope="module")
def marker():  # type: ignore[no-untyped-def]
    from transformers import AutoTokenizer

    from extraction.modeling.encoder import packaged_encoder
    from extraction.relations.model import MarkerEncoder, RelationConfig, marker_tokens

    tokenizer = AutoTokenizer.from_pretrained(str(packaged_encoder()))
    types = ["Loc", "Org", "Peop", "?"]
    tokens, added = marker_tokens(tokenizer, types)
    assert not added and tokens[:2] == ["[unused0]", "[unused1]"]
    config = RelationConfig(labels=["no_relation", "OrgBased_In", "Work_For"], entity_types=types,
                            marker_tokens=tokens, type_pairs=[["Peop", "Org"], ["Org", "Loc"]], max_length=64)
    return MarkerEncoder(tokenizer, config), tokenizer


def test_typed_markers_wrap_every_entity_and_pairs_point_at_start_markers(marker) -> None:  # type: ignore[no-untyped-def]
    encoder, tokenizer = marker
    example = RelationExample(*[tuple(x) for x in ([*ROWS[0]["tokens"]], [(0, 2, "Peop"), (4, 6, "Org"), (7, 8, "Loc")],
                                                   [(0, 1, "Work_For"), (1, 2, "OrgBased_In")])])
    encoded = encoder.encode(example, with_labels=True)
    pieces = tokenizer.convert_ids_to_tokens(encoded.input_ids)
    assert pieces[:5] == ["[CLS]", "[unused4]", "john", "smith", "[unused5]"]  # Peop is type 2: markers 4, 5
    assert pieces[-1] == "[SEP]" and pieces.count("[unused2]") == 1 and pieces.count("[unused3]") == 1
    # only type combinations seen with a relation in training are candidates: Peop→Org, Org→Loc
    assert encoded.pairs == [(0, 1), (1, 2)]
    assert [pieces[s] for s, _ in encoded.positions] == ["[unused4]", "[unused2]"]
    assert encoded.labels == [2, 1] and encoded.truncated == 0
    assert encoded.shape_ids[2] == 2 and encoded.shape_ids[1] == 0  # Title-case word, marker


def test_nested_entities_and_truncation(marker) -> None:  # type: ignore[no-untyped-def]
    encoder, tokenizer = marker
    nested = RelationExample(("Bank", "Boston", "office"), ((0, 3, "Org"), (1, 2, "Loc")), ())
    pieces = tokenizer.convert_ids_to_tokens(encoder.encode(nested).input_ids)
    assert pieces == ["[CLS]", "[unused2]", "bank", "[unused0]", "boston", "[unused1]", "office", "[unused3]", "[SEP]"]
    long = RelationExample(("Acme",) + ("word",) * 80 + ("Boston",), ((0, 1, "Org"), (81, 82, "Loc")), ())
    encoded = encoder.encode(long)
    assert len(encoded.input_ids) == 64 and encoded.pairs == [] and encoded.truncated == 1


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) == 0.0
    assert expected_calibration_error([0.9] * 10, [True] * 5 + [False] * 5) == 0.4
    # two bins: |0.2 - 0.5| * 0.5 + |0.8 - 0.5| * 0.5
    assert expected_calibration_error([0.2, 0.2, 0.8, 0.8], [True, False, True, False]) == 0.3
    assert expected_calibration_error([], []) == 0.0


def test_temperature_scaling_fixes_overconfident_logits() -> None:
    generator = torch.Generator().manual_seed(0)
    true_logits = torch.randn(4000, 4, generator=generator) * 1.5
    labels = torch.multinomial(torch.softmax(true_logits, -1), 1, generator=generator).flatten()
    overconfident = true_logits * 3.0
    temperature = fit_temperature(overconfident, labels)
    assert 2.5 < temperature < 3.5
    before, after = calibration_report(overconfident, labels), calibration_report(overconfident, labels, temperature)
    assert after["ece_all_pairs"] < before["ece_all_pairs"] and after["ece_all_pairs"] < 0.03


def test_strict_matching_needs_both_spans_both_types_and_the_relation() -> None:
    gold = {((0, 2, "Peop"), (4, 6, "Org"), "Work_For"), ((4, 6, "Org"), (7, 8, "Loc"), "OrgBased_In")}
    predicted = {((0, 2, "Peop"), (4, 6, "Org"), "Work_For"),  # right
                 ((4, 6, "Org"), (7, 8, "Peop"), "OrgBased_In"),  # wrong tail type
                 ((0, 1, "Peop"), (4, 6, "Org"), "Live_In")}  # wrong span and relation
    scores = score_facts([gold], [predicted])
    assert (scores.correct, scores.predicted, scores.gold) == (1, 3, 2)
    assert scores.precision == 0.3333 and scores.recall == 0.5 and scores.f1 == 0.4
    assert scores.per_relation["Work_For"].f1 == 1.0 and scores.per_relation["OrgBased_In"].f1 == 0.0
    assert scores.per_relation["Live_In"].support == 0
    assert scores.macro_f1 == 0.5  # the mean over the gold relations only
