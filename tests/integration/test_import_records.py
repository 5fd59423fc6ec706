"""`govkg import-records` on the real shipped data: counts, one entity per person across records
and speeches, idempotent re-import, ontology-valid facts citing their records, the CLI."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from cli.records import records_importer
from core.settings import load_settings
from extraction.gazetteer.entries import load_entries
from extraction.records import DocumentGraph, entity_id, normalize_name
from extraction.structured.importer import RecordsImporter, RecordsImportReport
from graph.errors import NotFound
from graph.store import GraphStore
from ontology.schema import load_ontology
from service.components import Services, build_services

CHAIR_TITLES = {"Chairman", "Chair", "Chairwoman", "Cochairman"}
# 2020 State of the Union (data/samples/2020_donald_j_trump_r.txt), verbatim
SOTU_2020_GRASSLEY = ("I have been speaking to Senator Chuck Grassley of Iowa and others in the Congress in order "
                      "to get something on drug pricing done, and done properly.")
# no address of 2001-2021 names her in full ("Speaker Pelosi" only, which the gazetteer does not
# resolve): this sentence is written for the test
PELOSI_SENTENCE = "Speaker Nancy Pelosi welcomed the members of the Congress to the House chamber."


@pytest.fixture(scope="module")
def shipped_yaml(gazetteers_dir: Path) -> Callable[[str], object]:
    """`shipped_yaml(name)`: a shipped YAML record file of data/gazetteers, parsed."""
    return lambda name: yaml.load((gazetteers_dir / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _graphs(store: GraphStore) -> dict[str, DocumentGraph]:
    return {g.document.metadata["mapping"]: g for g in store.iter_document_graphs() if "mapping" in g.document.metadata}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, RecordsImportReport]]:
    services = build_services(load_settings(data_dir=tmp_path_factory.mktemp("records") / "data"))
    report = records_importer(services).import_shipped()
    yield services, report
    services.close()


def _predicates(graph: DocumentGraph) -> dict[str, int]:
    counts: dict[str, int] = {}
    for fact in graph.facts:
        counts[fact.predicate] = counts.get(fact.predicate, 0) + 1
    return counts


# -- the shipped mappings on the real files -----------------------------------------------------
def test_all_shipped_imports_every_file_with_counts_from_the_data(shipped_yaml, gazetteers_dir: Path, shipped):
    services, report = shipped
    assert report.ok, report.failures
    assert report.documents_ok == 5 and report.documents_failed == 0 and report.facts_rejected == 0
    graphs = _graphs(services.store)
    assert sorted(graphs) == ["agencies", "committee_membership", "committees", "executive", "legislators"]

    legislators = shipped_yaml("legislators-current.yaml")
    assert len(graphs["legislators"].sentences) == len(legislators) == 537
    assert _predicates(graphs["legislators"]) == {"represents": 537, "partyOf": 537, "memberOf": 537}

    executive = shipped_yaml("executive.yaml")
    positions = {(p["id"]["govtrack"], t["type"]) for p in executive for t in p["terms"]}
    parties = {(p["id"]["govtrack"], t["party"]) for p in executive for t in p["terms"] if t["party"] != "no party"}
    assert len(graphs["executive"].sentences) == len(executive) == 80
    assert _predicates(graphs["executive"]) == {"holdsPosition": len(positions), "partyOf": len(parties)}

    committees = shipped_yaml("committees-current.yaml")
    subcommittees = sum(len(c.get("subcommittees") or []) for c in committees)
    assert len(graphs["committees"].sentences) == len(committees) == 49
    assert _predicates(graphs["committees"]) == {"memberOf": len(committees), "subOrganizationOf": subcommittees}

    membership = shipped_yaml("committee-membership-current.yaml")
    members = {(c, m["bioguide"]) for c, ms in membership.items() for m in ms}
    chairs = {(c, m["bioguide"]) for c, ms in membership.items() for m in ms if m.get("title") in CHAIR_TITLES}
    assert len(graphs["committee_membership"].sentences) == len(membership) == 230
    assert _predicates(graphs["committee_membership"]) == {"memberOf": len(members), "chairpersonOf": len(chairs)}

    agency_entries = [e for e in load_entries(gazetteers_dir) if e.source == "agencies.tsv"]
    agencies = graphs["agencies"]
    assert not agencies.facts
    assert {e.id for e in agencies.entities} == {entity_id(e.key) for e in agency_entries}
    assert report.records == 537 + 80 + 49 + 230 + 629 and report.records_filtered == 629 - len(agencies.sentences)

    stats = services.store.stats()
    assert stats.documents == 5 and stats.candidates_by_status == {}
    assert stats.entities_by_type["Person"] == len(legislators) + len(executive)  # nobody in both files
    assert stats.entities_by_type["Committee"] == len(committees) + subcommittees
    assert stats.facts == report.facts == sum(len(g.facts) for g in graphs.values())


def test_every_fact_passes_the_ontology_and_cites_its_record(shipped):
    services, _ = shipped
    ontology = load_ontology()
    for graph in _graphs(services.store).values():
        types = {e.id: e.type for e in graph.entities}
        # the store keeps one spelling per normalized name ("Amtrak" for "AMTRAK" too)
        names = {e.id: {normalize_name(n) for n in (e.name, *e.aliases)} for e in graph.entities}
        text = graph.document.text
        keys = json.loads(graph.document.metadata["record_keys"])
        assert len(keys) == len(graph.sentences) == len(text.split("\n"))
        for fact in graph.facts:
            assert ontology.check_fact(types[fact.subject_id], fact.predicate, types[fact.object_id]) is None
            for prov in fact.provenance:
                assert prov.confidence == 1.0 and prov.extractor.name == f"records/{graph.document.metadata['mapping']}"
                assert normalize_name(text[prov.subject_start:prov.subject_end]) in names[fact.subject_id]
                assert normalize_name(text[prov.object_start:prov.object_end]) in names[fact.object_id]
        for mention in graph.mentions:
            assert text[mention.start:mention.end] == mention.text
            assert normalize_name(mention.text) in names[mention.entity_id]

    pelosi = entity_id("person:P000197")
    (represents,) = [f for f in services.store.entity_facts(pelosi) if f.predicate == "represents"]
    assert represents.object.name == "California"
    (prov,) = represents.provenance
    assert prov.sentence.startswith("Nancy Pelosi (Democratic Party) represents California (CA, district 11) in the "
                                    "United States House of Representatives")
    document = services.store.get_document(prov.document_id)
    assert document.source_name == "legislators-current.yaml" and document.format == "yaml"
    assert json.loads(document.metadata["record_keys"])[prov.sentence_index] == "P000197"


def test_stored_entities_are_the_gazetteers(gazetteers_dir: Path, shipped):
    services, _ = shipped
    checked = 0
    for entry in load_entries(gazetteers_dir):
        try:
            stored = services.store.get_entity(entity_id(entry.key))
        except NotFound:
            assert entry.source in {"institutions.tsv", "us_states.tsv"}  # not every state has a member
            continue
        assert (stored.name, stored.type) == (entry.name, entry.type)
        spellings = {normalize_name(n) for n in (entry.name, *entry.aliases, *entry.acronyms)}
        assert {normalize_name(n) for n in (stored.name, *stored.aliases)} == spellings
        checked += 1
    assert checked > 1400
    sanders = services.store.entity_facts(entity_id("person:S000033"))
    assert {(f.predicate, f.object.name, f.object.type) for f in sanders if f.predicate == "partyOf"} == {
        ("partyOf", "Independent", "PoliticalParty")}
    trump = {(f.predicate, f.object.name)
             for f in services.store.entity_facts(entity_id("person:donald j trump:1946-06-14"))}
    assert trump == {("holdsPosition", "President of the United States"), ("partyOf", "Republican Party")}
    grassley = {(f.predicate, f.object.name) for f in services.store.entity_facts(entity_id("person:G000386"))}
    assert ("chairpersonOf", "Senate Committee on the Judiciary") in grassley
    assert ("memberOf", "United States Senate") in grassley and ("represents", "Iowa") in grassley
    subcommittee = services.store.entity_facts(entity_id("committee:HSAG15"))
    assert [(f.predicate, f.object.name) for f in subcommittee if f.subject.id == entity_id("committee:HSAG15")
            and f.predicate == "subOrganizationOf"] == [("subOrganizationOf", "House Committee on Agriculture")]
    # JCSE is not in the gazetteer (its name is an agency's too): committees.yaml names it
    assert (services.store.get_entity(entity_id("committee:JCSE")).name
            == "Commission on Security and Cooperation in Europe")


def test_reimport_skips_everything(shipped):
    services, first = shipped
    before = services.store.stats()
    again = records_importer(services).import_shipped()
    assert again.ok and again.documents_skipped == 5 and again.documents_ok == 0 and again.facts == 0
    assert again.records == first.records
    assert services.store.stats() == before


# -- speeches and records meet ------------------------------------------------------------------------
def test_speech_mentions_and_records_resolve_to_one_entity(gazetteers_dir: Path, services: Services, tmp_path: Path):
    importer = records_importer(services)
    assert importer.import_files("legislators", [gazetteers_dir / "legislators-current.yaml"]).documents_ok == 1
    speech = tmp_path / "2020_speech_excerpt.txt"
    speech.write_text(f"{SOTU_2020_GRASSLEY} {PELOSI_SENTENCE}\n", encoding="utf-8")
    text_report = services.importer().import_paths([speech])
    assert text_report.ok and text_report.documents_ok == 1
    speech_doc = text_report.documents[0].id

    pelosi, grassley = entity_id("person:P000197"), entity_id("person:G000386")
    for person, name in ((pelosi, "Nancy Pelosi"), (grassley, "Chuck Grassley")):
        mentions = services.store.entity_mentions(person)
        assert {(m.document_title, m.text) for m in mentions} == {
            ("Congress legislators (legislators-current.yaml)", name), ("2020 speech excerpt", name)}
        assert services.store.get_entity(person).name == name
    # the speech's "Senator Chuck Grassley of Iowa" supports the record's fact: one fact, two sources
    (represents,) = [f for f in services.store.entity_facts(grassley) if f.predicate == "represents"]
    assert represents.object.id == entity_id("state:IA")
    assert {p.document_id for p in represents.provenance} >= {speech_doc}
    assert len({p.document_id for p in represents.provenance}) == 2


def test_changed_file_replaces_its_document(shipped_yaml, services: Services, tmp_path: Path):
    people = shipped_yaml("legislators-current.yaml")[:20]
    source = tmp_path / "legislators-subset.yaml"
    source.write_text(yaml.safe_dump(people, sort_keys=False, allow_unicode=True), encoding="utf-8")
    importer = records_importer(services)
    first = importer.import_files("legislators", [source])
    assert first.ok and first.documents_ok == 1 and first.facts == 60 and first.sentences == 20
    old_id = first.documents[0].id
    dropped = people.pop()
    source.write_text(yaml.safe_dump(people, sort_keys=False, allow_unicode=True), encoding="utf-8")
    second = importer.import_files("legislators", [source])
    assert second.ok and second.documents_ok == 1 and second.documents_replaced == 1
    assert second.documents[0].status == "replaced" and second.documents[0].id != old_id
    assert not services.store.has_document(old_id)
    stats = services.store.stats()
    assert stats.documents == 1 and stats.facts == 57 and stats.sentences == 19
    with pytest.raises(NotFound):  # the dropped legislator's entity went with its only document
        services.store.get_entity(entity_id(f"person:{dropped['id']['bioguide']}"))


def test_records_importer_on_both_stores(gazetteers_dir: Path, store: GraphStore):
    """The contract: the same records graphs write to SQLite and Neo4j, and re-import skips."""
    ontology = load_ontology()
    importer = RecordsImporter(store, ontology.check_fact, load_entries(gazetteers_dir), has_class=ontology.has_class,
                               has_predicate=ontology.has_predicate)
    report = importer.import_files("committees", [gazetteers_dir / "committees-current.yaml"])
    assert report.ok and report.documents_ok == 1 and report.facts == 230
    stats = store.stats()
    assert stats.facts_by_predicate == {"memberOf": 49, "subOrganizationOf": 181}
    assert stats.entities_by_type == {"Committee": 230, "Legislature": 3}
    again = importer.import_files("committees", [gazetteers_dir / "committees-current.yaml"])
    assert again.documents_skipped == 1 and store.stats() == stats


# -- the command line ---------------------------------------------------------------------------------


def test_cli_all_shipped(govkg, tmp_path: Path):
    data = tmp_path / "data"
    first = govkg(data, "import-records", "--all-shipped", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["documents_ok"] == 5 and report["failures"] == [] and report["facts"] > 6000
    assert [d["mapping"] for d in report["documents"]] == [
        "agencies", "legislators", "executive", "committees", "committee_membership"]
    stats = json.loads(govkg(data, "stats", "--json").stdout)
    assert stats["documents"] == 5 and stats["facts"] == report["facts"]
    usage = govkg(data, "import-records", "--json")
    assert usage.returncode == 2 and "--all-shipped" in json.loads(usage.stdout)["error"]


def test_cli_bad_file_and_missing_field_are_coded_and_the_rest_continues(shipped_yaml, gazetteers_dir: Path, govkg,
                                                                         project_dir: Path, tmp_path: Path):
    data = tmp_path / "data"
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("- thomas_id: HSAG\n  name: [unclosed\n", encoding="utf-8")
    good = tmp_path / "committees-current.yaml"
    shutil.copy(gazetteers_dir / "committees-current.yaml", good)
    result = govkg(data, "import-records", str(malformed), str(tmp_path / "missing.yaml"), str(good),
                   "--mapping", "committees", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert {(Path(f["path"]).name, f["code"]) for f in report["failures"]} == {
        ("malformed.yaml", "E044"), ("missing.yaml", "E030")}
    assert report["documents_ok"] == 1 and report["documents_failed"] == 2 and report["facts"] == 230

    # a mapping naming a field only House committees have: the Senate and joint ones fail, coded
    mapping = tmp_path / "house_ids.yaml"
    text = (project_dir / "data" / "mappings" / "committees.yaml").read_text(encoding="utf-8")
    mapping.write_text(text.replace("name: committees", "name: house_ids").replace(
        "({thomas_id}) is a committee", "({house_committee_id}) is a committee"), encoding="utf-8")
    committees = shipped_yaml("committees-current.yaml")
    without = [c["thomas_id"] for c in committees if "house_committee_id" not in c]
    result = govkg(data, "import-records", str(good), "--mapping", str(mapping), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["records_failed"] == len(without) and report["documents_ok"] == 1
    assert {f["record"] for f in report["failures"]} == set(without)
    assert {f["code"] for f in report["failures"]} == {"E046"}
    assert "no value at 'house_committee_id'" in report["failures"][0]["message"]
    assert report["sentences"] == len(committees) - len(without)

    # the failures are found again on a re-import that skips the unchanged document
    human = govkg(data, "import-records", str(good), "--mapping", str(mapping))
    assert human.returncode == 1 and "[E046] record JCSE" in human.stderr
    assert "skipped  house_ids" in human.stdout and "more failures (--json lists all)" in human.stderr
    # two mappings of one file are two documents: neither replaces the other
    assert json.loads(govkg(data, "stats", "--json").stdout)["documents"] == 2


def test_cli_invalid_mapping_is_reported(gazetteers_dir: Path, govkg, tmp_path: Path):
    mapping = tmp_path / "broken.yaml"
    mapping.write_text("name: broken\nentities:\n  x: {key: 'k:{a', name: n, type: Person}\nsentence: '{@x}'\n",
                       encoding="utf-8")
    result = govkg(tmp_path / "data", "import-records", str(gazetteers_dir / "agencies.tsv"), "--mapping", str(mapping),
                   "--json")
    assert result.returncode == 1
    (failure,) = json.loads(result.stdout)["failures"]
    assert failure["code"] == "E043" and "unclosed" in failure["message"]
    unknown = govkg(tmp_path / "data", "import-records", str(gazetteers_dir / "agencies.tsv"), "--mapping", "nope")
    assert unknown.returncode == 1 and "[E040]" in unknown.stderr
