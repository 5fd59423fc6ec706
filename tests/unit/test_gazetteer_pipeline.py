"""Gazetteer rule layer, resolution and the pipeline on real excerpts."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from extraction.gazetteer import load_entries
from extraction.pipeline import Pipeline, merge_mentions
from extraction.records import Document, Extractor, Mention, document_id, entity_id
from service.components import default_gazetteer_dir


def make_document(text: str, name: str = "excerpt.txt") -> Document:
    return Document(id=document_id(text), text=text, title=name, source_path=name, source_name=name, format="txt")


def test_agencies_sharing_an_acronym_are_one_entry():
    entries = {e.key: e for e in load_entries(default_gazetteer_dir())}
    dod = entries["agency:DOD"]
    assert dod.name == "Department of Defense" and dod.type == "Department"
    assert {"Defense Department", "U.S. Department of Defense"} <= set(dod.aliases)
    assert dod.acronyms == ("DOD",)
    assert entries["agency:FBI"].type == "Agency"
    assert entries["state:IA"].name == "Iowa" and entries["state:IA"].type == "StateOrRegion"


def test_ambiguous_person_names_are_dropped():
    entries = load_entries(default_gazetteer_dir())
    bushes = [e for e in entries if e.type == "Person" and e.name.startswith("George") and "Bush" in e.name]
    assert sorted(e.name for e in bushes) == ["George H. W. Bush", "George W. Bush"]
    for entry in bushes:
        assert "George Bush" not in entry.aliases  # names both of them: text cannot tell which


def test_every_name_for_defense_resolves_to_one_entity(pipeline: Pipeline):
    text = (
        "Tonight I am instructing the leaders of the FBI, the CIA, and the Department of Defense to develop a "
        "Terrorist Threat Integration Center. The Defense Department has an agency called DARPA. "
        "The DOD budget was reviewed."
    )
    graph = pipeline.run(make_document(text))
    defense = [m for m in graph.mentions if m.entity_id == entity_id("agency:DOD")]
    assert [m.text for m in defense] == ["Department of Defense", "Defense Department", "DOD"]
    assert {m.type for m in defense} == {"Department"}
    entity = next(e for e in graph.entities if e.id == entity_id("agency:DOD"))
    assert entity.name == "Department of Defense"
    for mention in graph.mentions:
        assert text[mention.start : mention.end] == mention.text  # spans point into the document


def test_pattern_fact_with_provenance(pipeline: Pipeline):
    text = "2020_trump_excerpt.docx"  # only for the title
    body = ("I have been speaking to Senator Chuck Grassley of Iowa and others in the Congress in order to get "
            "something on drug pricing done, and done properly.")
    graph = pipeline.run(make_document(body, text))
    facts = [f for f in graph.facts if f.predicate == "represents"]
    assert len(facts) == 1
    fact = facts[0]
    names = {e.id: e.name for e in graph.entities}
    assert names[fact.subject_id] == "Chuck Grassley" and names[fact.object_id] == "Iowa"
    prov = fact.provenance[0]
    assert body[prov.subject_start : prov.subject_end] == "Chuck Grassley"
    assert body[prov.object_start : prov.object_end] == "Iowa"
    assert prov.extractor.name == "patterns" and 0 < prov.confidence <= 1


def test_sentences_cover_the_text(docs_dir: Path, pipeline: Pipeline):
    text = (docs_dir / "2003_bush_excerpt.txt").read_text(encoding="utf-8")
    graph = pipeline.run(make_document(text))
    assert [s.text.split()[0] for s in graph.sentences] == ["The", "Tonight", "Our", "To"]
    for sentence in graph.sentences:
        assert text[sentence.start : sentence.end] == sentence.text
    counts = Counter(m.text for m in graph.mentions)
    assert counts["FBI"] == 2 and counts["Department of Homeland Security"] == 1


def test_merge_prefers_known_longer_mentions():
    extractor = Extractor(name="t", version="1")

    def mention(start: int, end: int, key: str | None, confidence: float) -> Mention:
        return Mention(id=f"m{start}{end}", document_id="d", sentence_index=0, start=start, end=end,
                       text="x" * (end - start),
                       type="Organization", confidence=confidence, extractor=extractor, gazetteer_key=key)

    merged = merge_mentions([mention(0, 10, None, 0.99), mention(4, 10, "agency:DOD", 0.85),
                             mention(12, 15, None, 0.5)])
    assert [(m.start, m.end) for m in merged] == [(4, 10), (12, 15)]
