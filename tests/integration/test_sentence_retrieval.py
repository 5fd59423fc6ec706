"""Sentence retrieval for question answering, on every store: BM25 full-text search, sentence
vectors written and searched, document filters, retraction."""
from __future__ import annotations

import math
from itertools import pairwise

import pytest

from graph.errors import NotFound
from graph.store import GraphStore

TREASURY = ("Tonight I have directed the Secretary of the Treasury to change the Federal tax withholding tables. "
            "The Department of Energy will lead a review of power plants.")
FMLA = ("I compliment the Congress for passing the Family and Medical Leave Act as a good first step. "
        "We must do more for working families.")


def unit(i: int, dims: int = 384) -> list[float]:
    return [1.0 if j == i else 0.0 for j in range(dims)]


def test_bm25_finds_the_sentence_with_the_rare_words(store: GraphStore, extract) -> None:
    first, second = extract(TREASURY, "1992_a.txt"), extract(FMLA, "1993_b.txt")
    store.write(first)
    store.write(second)
    hits = store.search_sentences("who changed the tax withholding tables?", limit=5)
    assert hits[0].document_id == first.document.id and hits[0].sentence_index == 0
    assert "withholding tables" in hits[0].sentence
    assert hits[0].document_source == "1992_a.txt" and hits[0].published == "2020"
    assert (hits[0].start, hits[0].end) == (first.sentences[0].start, first.sentences[0].end)
    assert all(a.score >= b.score for a, b in pairwise(hits))
    # the filter keeps other documents out; query syntax is plain words
    assert store.search_sentences("withholding tables", 5, document_ids=[second.document.id]) == []
    assert store.search_sentences('"Medical" AND (Leave* OR -x)', 5)[0].document_id == second.document.id
    assert store.search_sentences("   ", 5) == []
    # sentences by key, in the order asked; unknown keys left out
    got = store.get_sentences([(second.document.id, 1), ("doc_missing", 0), (first.document.id, 0)])
    assert [(h.document_id, h.sentence_index) for h in got] == [(second.document.id, 1), (first.document.id, 0)]
    assert got[0].sentence == second.sentences[1].text and got[0].start == second.sentences[1].start
    total, counts = store.sentence_frequencies(["withholding", "families", "zebra"])
    assert total == 4 and counts == {"withholding": 1, "families": 2, "zebra": 0}  # stemmed: family, families


def test_vectors_are_stored_searched_and_retracted(store: GraphStore, extract) -> None:
    first, second = extract(TREASURY, "1992_a.txt"), extract(FMLA, "1993_b.txt")
    store.write(first)
    store.write(second)
    assert store.nearest_sentences(unit(0), 5) == []  # no vectors yet
    store.write_sentence_vectors(first.document.id, "test", [unit(0), unit(1)])
    store.write_sentence_vectors(second.document.id, "test", [unit(2), [0.6, 0.8] + [0.0] * 382])
    hits = store.nearest_sentences([0.8, 0.6] + [0.0] * 382, 3)
    assert [(h.document_id, h.sentence_index) for h in hits[:2]] == [(second.document.id, 1), (first.document.id, 0)]
    assert math.isclose(hits[0].score, 0.96 if store.name == "sqlite" else (1 + 0.96) / 2, abs_tol=0.01)
    only = store.nearest_sentences(unit(0), 5, document_ids=[second.document.id])
    assert {h.document_id for h in only} == {second.document.id} and len(only) == 2
    with pytest.raises(NotFound):
        store.write_sentence_vectors("doc_missing", "test", [unit(0)])
    store.delete_document(first.document.id)
    assert {h.document_id for h in store.nearest_sentences(unit(0), 5)} == {second.document.id}
    assert store.search_sentences("withholding tables", 5) == []
