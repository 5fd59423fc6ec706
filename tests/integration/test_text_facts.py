"""Facts from text through the import path on both stores: the government rules find titles, bodies and
places, the relation rules state the facts, and each fact keeps its sentence and spans."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import load_settings
from extraction.importer import Importer, ImportOptions
from graph.store import GraphStore
from service.components import build_services

TEXT = ("Senator Chuck Grassley, the Chairman of the Committee on the Judiciary, met President Donald J. Trump "
        "in Des Moines, Iowa.")
EXPECTED = {
    ("Chuck Grassley", "holdsPosition", "Senator"), ("Chuck Grassley", "holdsPosition", "Chairman"),
    ("Chuck Grassley", "chairpersonOf", "Committee on the Judiciary"), ("Donald Trump", "holdsPosition", "President"),
    ("Des Moines", "locatedIn", "Iowa"),
}


@pytest.fixture(scope="module")
def rules_pipeline():
    settings = load_settings(data_dir=Path("unused"), pipeline={"recognizers": ["gazetteer", "government"],
                                                                "relation_extractors": ["patterns"]})
    return build_services(settings).pipeline


def test_text_facts_with_provenance_on_both_stores(store: GraphStore, rules_pipeline, tmp_path: Path):
    (tmp_path / "visit.txt").write_text(TEXT, encoding="utf-8")
    report = Importer(lambda: rules_pipeline, store, ImportOptions(department="Senate Office")).import_paths(
        [tmp_path / "visit.txt"])
    assert report.ok and report.facts == len(EXPECTED)
    graph = next(store.iter_document_graphs())
    names = {e.id: e.name for e in graph.entities}
    assert {(names[f.subject_id], f.predicate, names[f.object_id]) for f in graph.facts} == EXPECTED
    for fact in graph.facts:
        fact_view = store.get_fact(fact.id)
        (prov,) = fact_view.provenance
        assert prov.extractor.name == "patterns" and prov.sentence == TEXT and prov.department == "Senate Office"
        assert TEXT[prov.subject_start:prov.subject_end] in {fact_view.subject.name, "Donald J. Trump"}
        assert 0.5 <= prov.confidence <= 1
    stats = store.stats()
    assert stats.facts_by_extractor == {"patterns": len(EXPECTED)}
    assert stats.entities_by_type["Position"] == 3 and stats.entities_by_type["City"] == 1
