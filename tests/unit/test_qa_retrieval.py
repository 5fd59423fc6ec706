"""Retrieval: reciprocal rank fusion, department visibility, question-word matching, graph facts."""
from __future__ import annotations

from pathlib import Path

from extraction.pipeline import Pipeline
from extraction.records import Document, document_id, entity_id
from graph.sqlite.store import SqliteStore
from graph.store import SentenceHit
from graph.visibility import Scope as Visibility
from qa.models import Analysis, EntityLink, LinkedEntity
from qa.reader import ExtractiveReader
from qa.retrieval import (
    DocumentScopes,
    FactRetriever,
    HybridTextRetriever,
    Scope,
    fuse,
    keyword_overlap,
    stem,
)

GRASSLEY = ("I have been speaking to Senator Chuck Grassley of Iowa and others in the Congress in order to get "
            "something on drug pricing done. The Secretary of the Treasury will change the withholding tables.")
FMLA = "I compliment the Congress for passing the Family and Medical Leave Act as a good first step."


def hit(doc: str, index: int) -> SentenceHit:
    return SentenceHit(document_id=doc, document_title=doc, document_source=doc, department=None, published=None,
                       sentence_index=index, sentence="s", start=0, end=1, score=1.0)


def test_reciprocal_rank_fusion() -> None:
    a, b, c = hit("a", 0), hit("b", 0), hit("c", 0)
    fused, scores = fuse([[a, b], [b, c]], k=60, limit=10)
    assert [h.document_id for h in fused] == ["b", "a", "c"]  # b is in both runs
    assert scores[0] == 1 / 62 + 1 / 61 and scores[1] == 1 / 61 and scores[2] == 1 / 62
    assert fuse([[a, b], [b, c]], k=60, limit=1)[0] == [b]
    assert fuse([], 60, 5) == ([], [])


def test_question_words_match_sentence_words_by_stem() -> None:
    assert stem("members") == "member" and stem("agencies") == "agency" and stem("Bush's") == "bush"
    assert keyword_overlap(["member", "ranking", "zebra"], "Maxine Waters (minority, Ranking Member)") == 2 / 3
    assert keyword_overlap([], "anything") == 0.0


def write(store: SqliteStore, pipeline: Pipeline, text: str, name: str, department: str | None,
          labels: tuple[str, ...] = ()) -> str:
    doc = Document(id=document_id(text), text=text, title=name, source_path=name, source_name=name, format="txt",
                   department=department, published=name[:4], labels=labels)
    store.write(pipeline.run(doc))
    return doc.id


def test_scopes_and_bm25_retrieval_respect_departments_and_years(tmp_path: Path, pipeline: Pipeline) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    grassley = write(store, pipeline, GRASSLEY, "2020_a.txt", "Department of Energy")
    fmla = write(store, pipeline, FMLA, "1993_b.txt", None, ("public",))
    scopes = DocumentScopes(store)
    assert scopes.scope(None, []) == Scope(None, None)
    justice = scopes.scope(Visibility.of(["Department of Justice"]), [1993])
    assert justice.visible == [fmla] and justice.preferred == [fmla]
    energy = scopes.scope(Visibility.of(["Department of Energy"]), [2020])
    assert set(energy.visible or []) == {grassley, fmla} and energy.preferred == [grassley]

    retriever = HybridTextRetriever(store, None, bm25_candidates=10, dense_candidates=10, rrf_k=60)
    analysis = Analysis(question="Who changed the withholding tables?", wh="who", answer_types=["Person"],
                        predicates=[], links=[], years=[], keywords=["changed", "withholding", "tables"])
    hits, scores = retriever.retrieve(analysis, Scope(None, None), limit=5)
    assert retriever.name == "bm25" and hits[0].document_id == grassley and "withholding" in hits[0].sentence
    assert retriever.retrieve(analysis, justice, limit=5) == ([], [])  # that department cannot see it
    store.close()


def test_graph_retrieval_ranks_facts_of_the_asked_predicate_and_type(tmp_path: Path, pipeline: Pipeline) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    doc = write(store, pipeline, GRASSLEY, "2020_a.txt", None)
    grassley = store.search_entities("Chuck Grassley", limit=1)[0]
    link = EntityLink(entity=LinkedEntity(id=grassley.id, name=grassley.name, type=grassley.type),
                      text="Chuck Grassley", start=0, end=14, score=1.0)
    analysis = Analysis(question="Which state does Chuck Grassley represent?", wh="which",
                        answer_types=["StateOrRegion"], predicates=["represents"], links=[link], years=[],
                        keywords=["state", "chuck", "grassley", "represent"])
    fits = lambda t, expected: 1.0 if t in expected else 0.0
    facts, considered = FactRetriever(store, fits, lambda p: None).retrieve(analysis, Scope(None, None))
    assert considered >= 1
    best = facts[0]
    assert best.fact.predicate == "represents" and best.fact.object.name == "Iowa" and best.answer_side == "object"
    assert best.fact.subject.id == grassley.id and best.score > 0.7
    # a department that cannot see the supporting document gets no facts
    hidden = FactRetriever(store, fits, lambda p: None).retrieve(
        analysis, Scope([], None, Visibility.of(["Department of Justice"])))[0]
    assert hidden == []
    assert entity_id  # the ids are the pipeline's, not made up here
    # the reader answers from that fact; a question about a year only from that year's documents
    reader = ExtractiveReader([], fits, lambda p: None)
    answer = reader._graph_answer(analysis, facts)
    assert answer is not None and answer.text == "Iowa" and answer.citations[0].document_id == doc
    assert reader._graph_answer(analysis, facts, [doc]) is not None
    assert reader._graph_answer(analysis, facts, ["doc_of_another_year"]) is None
    store.close()
