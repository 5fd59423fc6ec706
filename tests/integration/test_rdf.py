"""RDF export and import on a real corpus: round trips in every format, SHACL, the CLI as processes."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.namespace import DCTERMS, FOAF, PROV

from core.settings import load_settings
from extraction.records import (
    CandidateFact,
    Document,
    DocumentGraph,
    Entity,
    Extractor,
    Fact,
    Mention,
    Provenance,
    Sentence,
    document_id,
    fact_id,
    mention_id,
)
from graph.store import GraphStore
from ontology import load_ontology
from ontology.errors import OntologyError, RdfContentError, RdfFormatError
from ontology.rdf_export import (
    GOV,
    candidate_iri,
    document_iri,
    entity_iri,
    export_graph,
    fact_iri,
    serialize,
    validate_export,
)
from ontology.rdf_import import graphs_from_rdf, load_rdf, parse_rdf
from service.components import Services, build_services

EOP = "Executive Office of the President"
ARCHIVE = "National Archives"
SUFFIX = {"turtle": ".ttl", "jsonld": ".jsonld", "nt": ".nt"}


@dataclass
class Corpus:
    data_dir: Path
    services: Services

    def export(self, department: str | None = None) -> Graph:
        return export_graph(self.services.store.iter_document_graphs(department=department), self.services.ontology)


@pytest.fixture(scope="module")
def corpus(docs_dir: Path, samples_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """The fixture excerpts (department EOP) plus the 2020 address imported with a 0.95 fact threshold
    (department National Archives), which holds its `represents` fact back as a low-confidence candidate."""
    data_dir = tmp_path_factory.mktemp("rdf") / "data"
    services = build_services(load_settings(data_dir=data_dir))
    report = services.importer(department=EOP, labels=("public",)).import_paths([docs_dir])
    assert report.documents_ok == 8 and report.facts == 1

    strict_settings = load_settings(data_dir=data_dir)
    strict_settings.pipeline.min_fact_confidence = 0.95
    strict = build_services(strict_settings)
    try:
        strict_report = strict.importer(department=ARCHIVE).import_paths([samples_dir / "2020_donald_j_trump_r.txt"])
        assert strict_report.documents_ok == 1 and strict_report.facts_low_confidence == 1
    finally:
        strict.close()
    stats = services.store.stats()
    assert stats.documents == 9 and stats.facts_by_predicate == {"represents": 1}
    assert stats.candidates_by_status == {"low_confidence": 1}
    yield Corpus(data_dir, services)
    services.close()


def _stats(store: GraphStore) -> dict:
    stats = store.stats().model_dump()
    stats.pop("store")
    return stats


def _nt(graph: Graph) -> list[str]:
    return serialize(graph, "nt").splitlines()


# -- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "nt"])
def test_export_import_into_a_fresh_store_gives_the_same_graph(corpus: Corpus, store: GraphStore, fmt: str,
                                                               tmp_path: Path):
    exported = corpus.export()
    path = tmp_path / f"graph{SUFFIX[fmt]}"
    path.write_text(serialize(exported, fmt), encoding="utf-8")

    graphs = graphs_from_rdf(load_rdf(path))
    stored = sorted(g.document.id for g in corpus.services.store.iter_document_graphs())
    assert [g.document.id for g in graphs] == stored
    for graph in graphs:
        store.write(graph)

    assert _stats(store) == _stats(corpus.services.store)
    again = export_graph(store.iter_document_graphs(), load_ontology())
    assert _nt(again) == _nt(exported)  # export → import → export: identical sorted N-Triples


def test_the_import_gives_back_the_stored_records(corpus: Corpus):
    stored = {g.document.id: g for g in corpus.services.store.iter_document_graphs()}
    imported = {g.document.id: g for g in graphs_from_rdf(parse_rdf(serialize(corpus.export(), "turtle"), "turtle"))}
    assert imported.keys() == stored.keys()
    for doc_id, graph in imported.items():
        original = stored[doc_id]
        assert graph.document == original.document
        assert graph.sentences == original.sentences
        assert sorted(graph.mentions, key=lambda m: m.id) == sorted(original.mentions, key=lambda m: m.id)
        assert sorted(graph.entities, key=lambda e: e.id) == sorted(original.entities, key=lambda e: e.id)
        assert sorted(graph.facts, key=lambda f: f.id) == sorted(original.facts, key=lambda f: f.id)
        assert graph.candidates == original.candidates


def test_export_content(corpus: Corpus):
    rdf = corpus.export()
    assert not any(isinstance(term, BNode) for triple in rdf for term in triple)

    # the fact: a direct triple, a reified statement and one PROV-O derivation per provenance row
    grassley, iowa = next((s, o) for s, o in rdf.subject_objects(GOV.represents))
    assert rdf.value(grassley, RDFS.label) == Literal("Chuck Grassley")
    assert set(rdf.objects(grassley, RDF.type)) == {GOV.Person}  # the most specific class only
    assert set(rdf.objects(iowa, RDF.type)) == {GOV.StateOrRegion}
    fact = fact_iri(fact_id(str(grassley).rsplit("/", 1)[1], "represents", str(iowa).rsplit("/", 1)[1]))
    assert (fact, RDF.type, RDF.Statement) in rdf
    assert (fact, RDF.subject, grassley) in rdf and (fact, RDF.object, iowa) in rdf
    assert (fact, RDF.predicate, GOV.represents) in rdf
    assert rdf.value(fact, GOV.confidence) == Literal("0.9", datatype=ns.XSD.decimal)
    [derivation] = rdf.objects(fact, PROV.qualifiedDerivation)
    source = rdf.value(derivation, PROV.entity)
    assert (fact, PROV.wasDerivedFrom, source) in rdf
    assert str(rdf.value(source, GOV.sourceName)) == "2020_trump_excerpt.docx"
    text = str(rdf.value(source, GOV.text))
    start, end = (rdf.value(derivation, p).toPython() for p in (GOV.subjectStart, GOV.subjectEnd))
    assert text[start:end] == "Chuck Grassley"
    start, end = (rdf.value(derivation, p).toPython() for p in (GOV.objectStart, GOV.objectEnd))
    assert text[start:end] == "Iowa"
    activity = rdf.value(derivation, PROV.hadActivity)
    assert (activity, RDF.type, PROV.Activity) in rdf and str(rdf.value(activity, GOV.extractorName)) == "patterns"

    # the candidate from the strict import: reified, never asserted, same fact id as the stored fact
    [candidate] = rdf.subjects(RDF.type, GOV.CandidateFact)
    archive_doc = rdf.value(candidate, GOV.inDocument)
    assert candidate == candidate_iri(str(archive_doc).rsplit("/", 1)[1], str(fact).rsplit("/", 1)[1])
    assert str(rdf.value(candidate, GOV.candidateStatus)) == "low_confidence"
    assert "below the threshold 0.950" in str(rdf.value(candidate, GOV.reason))
    assert (candidate, RDF.predicate, GOV.represents) in rdf
    assert len(list(rdf.objects(candidate, PROV.qualifiedDerivation))) == 1
    assert str(rdf.value(archive_doc, GOV.department)) == ARCHIVE

    # documents: partial dates typed by their shape, labels, metadata as JSON, the full text
    issued = [(str(rdf.value(d, GOV.sourceName)), rdf.value(d, DCTERMS.issued))
              for d in rdf.subjects(RDF.type, FOAF.Document)]
    assert ("2003_bush_excerpt.txt", Literal("2003", datatype=ns.XSD.gYear)) in issued
    assert sorted(str(v) for k, v in issued if k == "speeches.jsonl") == ["2003-01-28", "2010-01-27"]
    assert {v.datatype for k, v in issued if k == "speeches.jsonl"} == {ns.XSD.date}
    eop_doc = next(d for d in rdf.subjects(RDF.type, FOAF.Document)
                   if str(rdf.value(d, GOV.sourceName)) == "2020_trump_latin1.txt")
    assert json.loads(str(rdf.value(eop_doc, GOV.metadata))) == {"encoding": "cp1252"}
    assert rdf.value(eop_doc, GOV.metadata).datatype == RDF.JSON
    assert [str(v) for v in rdf.objects(eop_doc, GOV.accessLabel)] == ["public"]
    assert "Juan Guaidó" in str(rdf.value(eop_doc, GOV.text))

    # sentences and mentions point into the text by offsets
    sentence = URIRef(f"{eop_doc}/sentence/0")
    s_start, s_end = rdf.value(sentence, GOV.start).toPython(), rdf.value(sentence, GOV.end).toPython()
    assert str(rdf.value(eop_doc, GOV.text))[s_start:s_end] == str(rdf.value(sentence, GOV.text))
    for mention in rdf.subjects(RDF.type, GOV.Mention):
        doc_text = str(rdf.value(rdf.value(mention, DCTERMS.isPartOf), GOV.text))
        m_start, m_end = rdf.value(mention, GOV.start).toPython(), rdf.value(mention, GOV.end).toPython()
        assert doc_text[m_start:m_end] == str(rdf.value(mention, GOV.text))
        entity = rdf.value(mention, GOV.refersTo)
        assert entity is None or rdf.value(entity, RDFS.label) is not None


def test_department_filter(corpus: Corpus):
    everything, archive, eop = corpus.export(), corpus.export(ARCHIVE), corpus.export(EOP)

    def documents(graph: Graph) -> set[str]:
        return {str(graph.value(d, GOV.department)) for d in graph.subjects(RDF.type, FOAF.Document)}

    def entities(graph: Graph) -> set[URIRef]:
        return {s for s in graph.subjects(RDFS.label) if str(s).startswith("https://govkg.org/id/entity/")}

    assert documents(archive) == {ARCHIVE} and len(set(archive.subjects(RDF.type, FOAF.Document))) == 1
    assert documents(eop) == {EOP} and len(set(eop.subjects(RDF.type, FOAF.Document))) == 8
    # only the entities the department's documents name
    [archive_graph] = corpus.services.store.iter_document_graphs(department=ARCHIVE)
    assert entities(archive) == {entity_iri(e.id) for e in archive_graph.entities}
    assert entities(archive) < entities(everything) and entities(eop) < entities(everything)
    assert entities(archive) | entities(eop) == entities(everything)
    # the fact is supported only by an EOP document; the archive's copy is a held-back candidate
    assert list(archive.subject_objects(GOV.represents)) == []
    assert len(set(archive.subjects(RDF.type, GOV.CandidateFact))) == 1
    assert len(list(eop.subject_objects(GOV.represents))) == 1
    assert list(eop.subjects(RDF.type, GOV.CandidateFact)) == []
    mentions = set(everything.subjects(RDF.type, GOV.Mention))
    assert set(archive.subjects(RDF.type, GOV.Mention)) | set(eop.subjects(RDF.type, GOV.Mention)) == mentions


# -- SHACL -----------------------------------------------------------------------------------


def test_the_export_conforms_to_the_shapes(corpus: Corpus):
    rdf = corpus.export()
    assert list(rdf.subject_objects(GOV.represents))  # the Person → StateOrRegion fact is in the data
    report = validate_export(rdf)
    assert report.conforms, report.violations
    assert report.violations == []


def test_the_shapes_catch_a_broken_export(corpus: Corpus):
    rdf = corpus.export()
    grassley, iowa = next((s, o) for s, o in rdf.subject_objects(GOV.represents))
    rdf.remove((iowa, RDF.type, GOV.StateOrRegion))
    rdf.add((iowa, RDF.type, GOV.Agency))  # outside the range of represents
    rdf.add((grassley, RDFS.label, Literal("Senator Grassley")))  # a second label
    report = validate_export(rdf)
    assert not report.conforms
    assert any(line.startswith(str(iowa)) and "represents" in line for line in report.violations)
    assert any(line.startswith(str(grassley)) and "rdfs:label" in line for line in report.violations)


# -- errors ----------------------------------------------------------------------------------


def test_malformed_turtle_is_a_coded_error_with_its_position(tmp_path: Path):
    path = tmp_path / "broken.ttl"
    unterminated = '<https://govkg.org/id/entity/a> <http://www.w3.org/2000/01/rdf-schema#label> "no end .'
    path.write_text('@prefix gov: <https://govkg.org/ontology#> .\n'
                    '<https://govkg.org/id/entity/a> gov:represents <https://govkg.org/id/entity/b> .\n'
                    f'{unterminated}\n', encoding="utf-8")
    with pytest.raises(RdfFormatError) as info:
        load_rdf(path)
    error = info.value
    assert isinstance(error, OntologyError) and error.code == "O010"
    column = len(unterminated) + 1  # rdflib stops at the newline inside the open string
    assert (error.line, error.column) == (3, column)
    assert str(error).startswith("[O010] ") and f"line 3, column {column}" in str(error) and str(path) in str(error)
    assert "newline found in string literal" in str(error)


def test_malformed_ntriples_and_jsonld_name_the_line(tmp_path: Path):
    nt = tmp_path / "broken.nt"
    nt.write_text('<http://a> <http://b> "x" .\n<http://a> <http://b> .\n', encoding="utf-8")
    with pytest.raises(RdfFormatError) as info:
        load_rdf(nt)
    assert info.value.line == 2 and "line 2" in str(info.value)
    jsonld = tmp_path / "broken.jsonld"
    jsonld.write_text('{"@id": "http://a",\n "http://b": [1,\n}', encoding="utf-8")
    with pytest.raises(RdfFormatError) as info:
        load_rdf(jsonld)
    assert (info.value.line, info.value.column) == (3, 1)


def test_unknown_suffix_and_missing_file(tmp_path: Path):
    with pytest.raises(RdfFormatError, match="suffix"):
        load_rdf(tmp_path / "graph.rdf")
    with pytest.raises(RdfFormatError, match="no such file"):
        load_rdf(tmp_path / "missing.ttl")


def test_rdf_that_is_not_an_export_is_a_content_error():
    data = ('@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n'
            '<https://govkg.org/id/document/doc_1> a foaf:Document .\n')
    with pytest.raises(RdfContentError) as info:
        graphs_from_rdf(parse_rdf(data, "turtle"))
    assert info.value.code == "O011" and "doc_1" in str(info.value) and "missing" in str(info.value)


# -- records with awkward values ----------------------------------------------------------------


def _awkward_graphs() -> list[DocumentGraph]:
    """Two documents sharing an entity and a fact; ids with slashes, spaces and percent signs;
    confidences that are not short decimals; a rejected candidate with an unknown predicate."""
    gaz, pat = Extractor(name="gazetteer", version="1+1426"), Extractor(name="relation model/v2", version="2024.1 beta")
    text_a = "Senator Chuck Grassley of Iowa met the Department of Defense in Washington."
    text_b = "Chuck Grassley, Senator from Iowa, spoke."
    doc_a, doc_b = document_id(text_a), document_id(text_b)
    person = Entity(id="ent/person 100%", name="Chuck Grassley", type="Person", aliases=("Grassley", "Sen. Grassley"))
    iowa = Entity(id="ent_iowa", name="Iowa", type="StateOrRegion")
    dod = Entity(id="ent_dod", name="Department of Defense", type="Department", aliases=("DoD", "Pentagon"))
    represents = fact_id(person.id, "represents", iowa.id)

    def prov(doc: str, s: tuple[int, int], o: tuple[int, int], confidence: float, extractor: Extractor) -> Provenance:
        return Provenance(document_id=doc, sentence_index=0, subject_start=s[0], subject_end=s[1], object_start=o[0],
                          object_end=o[1], confidence=confidence, extractor=extractor)

    def mention(doc: str, text: str, part: str, kind: str, confidence: float, entity: str | None,
                key: str | None = None) -> Mention:
        start = text.index(part)
        return Mention(id=mention_id(doc, start, start + len(part), kind), document_id=doc, sentence_index=0,
                       start=start, end=start + len(part), text=part, type=kind, confidence=confidence, extractor=gaz,
                       entity_id=entity, gazetteer_key=key)

    a_rows = (prov(doc_a, (8, 22), (26, 30), 0.1 + 0.2, pat), prov(doc_a, (8, 22), (26, 30), 1e-07, gaz))
    b_rows = (prov(doc_b, (0, 14), (29, 33), 0.875, pat),)
    graph_a = DocumentGraph(
        document=Document(id=doc_a, text=text_a, title="Grassley — “Iowa”", source_path="/data/a b/100%.txt",
                          source_name="100%.txt", format="txt", department="Dept. of Ünicode", published="2001-02",
                          labels=("internal", "public"), metadata={"encoding": "utf-8", "note": "naïve \"quoted\""}),
        sentences=(Sentence(document_id=doc_a, index=0, start=0, end=len(text_a), text=text_a),),
        mentions=tuple(sorted((
            mention(doc_a, text_a, "Chuck Grassley", "Person", 0.95, person.id, "person:grassley"),
            mention(doc_a, text_a, "Iowa", "StateOrRegion", 0.95, iowa.id),
            mention(doc_a, text_a, "Department of Defense", "Department", 1 / 3, dod.id),
            mention(doc_a, text_a, "Washington", "Location", 0.5, None),
        ), key=lambda m: (m.start, m.end, m.id))),
        entities=tuple(sorted((person, iowa, dod), key=lambda e: e.id)),
        facts=(Fact(id=represents, subject_id=person.id, predicate="represents", object_id=iowa.id,
                    confidence=max(p.confidence for p in a_rows),
                    provenance=tuple(sorted(a_rows, key=lambda p: (p.extractor.name, p.confidence)))),),
        candidates=(CandidateFact(
            fact=Fact(id=fact_id(person.id, "chairs something", dod.id), subject_id=person.id,
                      predicate="chairs something", object_id=dod.id, confidence=0.6,
                      provenance=(prov(doc_a, (8, 22), (39, 60), 0.6, pat),)),
            status="rejected", reason="unknown predicate 'chairs something'"),),
    )
    graph_b = DocumentGraph(
        document=Document(id=doc_b, text=text_b, title="b", source_path="b.txt", source_name="b.txt", format="md",
                          published="2001-02-27"),
        sentences=(Sentence(document_id=doc_b, index=0, start=0, end=len(text_b), text=text_b),),
        mentions=(mention(doc_b, text_b, "Chuck Grassley", "Person", 0.95, person.id),
                  mention(doc_b, text_b, "Iowa", "StateOrRegion", 0.95, iowa.id)),
        entities=(person, iowa),
        facts=(Fact(id=represents, subject_id=person.id, predicate="represents", object_id=iowa.id,
                    confidence=0.875, provenance=b_rows),),
    )
    return sorted([graph_a, graph_b], key=lambda g: g.document.id)


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "nt"])
def test_awkward_records_come_back_equal(fmt: str):
    graphs = _awkward_graphs()
    rdf = export_graph(graphs, load_ontology())
    assert not any(isinstance(term, BNode) for triple in rdf for term in triple)
    back = graphs_from_rdf(parse_rdf(serialize(rdf, fmt), fmt))
    assert back == graphs  # every record, float for float
    assert _nt(export_graph(back, load_ontology())) == _nt(rdf)

    # one fact node for the shared fact, its confidence the best of both documents, three derivations
    fact = fact_iri(graphs[0].facts[0].id)
    assert rdf.value(fact, GOV.confidence) == Literal("0.875", datatype=ns.XSD.decimal)
    assert len(list(rdf.objects(fact, PROV.qualifiedDerivation))) == 3
    assert set(rdf.objects(fact, PROV.wasDerivedFrom)) == {document_iri(g.document.id) for g in graphs}
    confidences = {str(rdf.value(d, GOV.confidence)) for d in rdf.objects(fact, PROV.qualifiedDerivation)}
    assert confidences == {"0.30000000000000004", "0.0000001", "0.875"}
    person = entity_iri("ent/person 100%")
    assert str(person) == "https://govkg.org/id/entity/ent%2Fperson%20100%25"
    assert sorted(str(a) for a in rdf.objects(person, SKOS.altLabel)) == ["Grassley", "Sen. Grassley"]
    # the rejected candidate is reified under its unknown predicate and never asserted
    assert not any(str(p).endswith("chairs%20something") for p in rdf.predicates())


def test_unknown_entity_type_is_refused():
    graph = _awkward_graphs()[0]
    bad = graph.model_copy(update={"entities": (Entity(id="ent_x", name="X", type="Spaceship"),)})
    with pytest.raises(OntologyError, match="Spaceship"):
        export_graph([bad], load_ontology())


# -- the CLI, as real processes ------------------------------------------------------------------


def test_cli_export_import_validate(govkg, corpus: Corpus, tmp_path: Path):
    expected = _stats(corpus.services.store)
    files = {}
    for fmt in ("turtle", "jsonld", "nt"):
        out = tmp_path / f"graph{SUFFIX[fmt]}"
        result = govkg(corpus.data_dir, "export", "--format", fmt, "--out", str(out), "--json")
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["format"] == fmt and summary["out"] == str(out) and summary["elapsed_s"] >= 0
        assert (summary["documents"], summary["entities"], summary["facts"]) == (9, expected["entities"], 1)
        assert summary["triples"] == len(load_rdf(out))
        files[fmt] = out

    for fmt, path in files.items():
        fresh = tmp_path / f"fresh-{fmt}"
        result = govkg(fresh, "import-rdf", str(path), "--json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["documents"] == 9 and report["candidates"] == 1
        store_stats = report["store"]
        store_stats.pop("store")
        assert store_stats == expected
    # the fresh store exports the same triples, to stdout this time
    again = govkg(tmp_path / "fresh-turtle", "export", "--format", "nt")
    assert again.returncode == 0, again.stderr
    assert again.stdout == files["nt"].read_text(encoding="utf-8")

    # a second import into the now non-empty store is refused unless --merge
    refused = govkg(tmp_path / "fresh-nt", "import-rdf", str(files["nt"]), "--json")
    assert refused.returncode == 1
    message = json.loads(refused.stdout)["error"]
    assert "not empty" in message and "--merge" in message
    merged = govkg(tmp_path / "fresh-nt", "import-rdf", str(files["nt"]), "--merge", "--json")
    assert merged.returncode == 0, merged.stderr
    assert json.loads(merged.stdout)["merged"] is True

    valid = govkg(corpus.data_dir, "validate-rdf", str(files["jsonld"]), "--json")
    assert valid.returncode == 0, valid.stderr
    assert json.loads(valid.stdout)["conforms"] is True


def test_cli_department_export_and_validation_failure(govkg, corpus: Corpus, tmp_path: Path):
    out = tmp_path / "archive.ttl"
    result = govkg(corpus.data_dir, "export", "--department", ARCHIVE, "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["documents"], summary["facts"], summary["candidates"]) == (1, 0, 1)
    assert summary["format"] == "turtle" and summary["department"] == ARCHIVE

    broken = Graph().parse(out, format="turtle")
    entity = next(s for s in broken.subjects(RDFS.label) if str(s).startswith("https://govkg.org/id/entity/"))
    broken.remove((entity, RDFS.label, None))
    bad_file = tmp_path / "broken.nt"
    bad_file.write_text(serialize(broken, "nt"), encoding="utf-8")
    invalid = govkg(corpus.data_dir, "validate-rdf", str(bad_file), "--json")
    assert invalid.returncode == 1
    report = json.loads(invalid.stdout)
    assert report["conforms"] is False and any(str(entity) in line for line in report["violations"])
    plain = govkg(corpus.data_dir, "validate-rdf", str(bad_file))
    assert plain.returncode == 1 and "does not conform" in plain.stdout and str(entity) in plain.stdout


def test_cli_import_of_malformed_turtle_fails_with_the_code(govkg, tmp_path: Path):
    path = tmp_path / "broken.ttl"
    path.write_text('<http://a> <http://b> <http://c> .\n<http://a> <http://b> "open\n', encoding="utf-8")
    result = govkg(tmp_path / "data", "import-rdf", str(path), "--json")
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert error.startswith("[O010]") and "line 2" in error
