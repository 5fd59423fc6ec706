"""A fact that two extractors state from the same spans keeps one provenance row per extractor, on both
stores; an embedded store of schema 1 (one row per spans) is migrated in place when opened."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from extraction.pipeline import Pipeline
from extraction.records import Document, DocumentGraph, Extractor, document_id
from graph.sqlite.store import SqliteStore
from graph.store import GraphStore

TEXT = ("I have been speaking to Senator Chuck Grassley of Iowa and others in the Congress in order to get "
        "something on drug pricing done, and done properly.")


def _stated_twice(pipeline: Pipeline) -> tuple[DocumentGraph, DocumentGraph, str]:
    """The document as the rules state it, and with a model stating the same fact from the same spans."""
    graph = pipeline.run(Document(id=document_id(TEXT), text=TEXT, title="grassley", source_path="grassley.txt",
                                  source_name="grassley.txt", format="txt"))
    (fact,) = graph.facts
    (prov,) = fact.provenance
    model = prov.model_copy(update={"extractor": Extractor(name="joint", version="test"), "confidence": 0.97})
    both = graph.model_copy(update={"facts": (fact.model_copy(update={"provenance": (prov, model)}),)})
    return graph, both, fact.id


def test_one_provenance_row_per_extractor(store: GraphStore, pipeline: Pipeline):
    _, both, fid = _stated_twice(pipeline)
    store.write(both)
    store.write(both)  # a rewrite keeps both rows, and no more
    assert sorted(p.extractor.name for p in store.get_fact(fid).provenance) == ["joint", "patterns"]
    assert store.stats().facts_by_extractor == {"joint": 1, "patterns": 1}


def test_a_schema_1_store_is_migrated_with_its_rows(tmp_path: Path, pipeline: Pipeline):
    rules, both, fid = _stated_twice(pipeline)
    path = tmp_path / "old.sqlite3"
    store = SqliteStore(path)
    store.write(rules)
    store.close()
    with sqlite3.connect(path) as conn:  # back to the schema 1 key (one row per spans), rows kept
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'fact_provenance'").fetchone()[0]
        conn.execute("ALTER TABLE fact_provenance RENAME TO kept")
        conn.execute(sql.replace(", extractor)", ")"))
        conn.execute("INSERT INTO fact_provenance SELECT * FROM kept")
        conn.execute("DROP TABLE kept")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    store = SqliteStore(path)
    conn = store._conn()
    key = {r[0] for r in conn.execute("SELECT name FROM pragma_table_info('fact_provenance') WHERE pk > 0")}
    assert "extractor" in key
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
    assert [p.extractor.name for p in store.get_fact(fid).provenance] == ["patterns"]
    store.write(both)
    assert sorted(p.extractor.name for p in store.get_fact(fid).provenance) == ["joint", "patterns"]
    store.close()
