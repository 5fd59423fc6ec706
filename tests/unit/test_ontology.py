"""Unit tests for the GovKG ontology, its Python view, mapping tables and SHACL shapes."""
from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

from ontology import Ontology, load_ontology, schema
from ontology.errors import UnknownClass, UnknownLabel, UnknownPredicate, UnknownTerm
from ontology.reasoning import DEFAULT_SHAPES_PATH, validate_rdf

GOV = Namespace("https://govkg.org/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
MAPPINGS = schema.DEFAULT_MAPPINGS_DIR

EXPECTED_CLASSES = {
    "Entity", "Person", "Organization", "GovernmentOrganization", "Agency", "Department", "Committee",
    "Legislature", "Court", "PoliticalParty", "Company", "Location", "Country", "StateOrRegion", "City",
    "Position", "Legislation", "Act", "Regulation", "ExecutiveOrder", "Program", "Event", "MonetaryAmount", "Date",
}
REQUIRED_PREDICATES = {
    "memberOf", "hasMember", "employedBy", "employs", "holdsPosition", "headOf", "hasHead",
    "subOrganizationOf", "hasSubOrganization", "locatedIn", "headquarteredIn", "jurisdiction", "enactedBy",
    "administers", "fundedBy", "partyOf", "country", "legislativeBody", "chairpersonOf", "chairperson",
    "headOfGovernment", "headOfState", "citizenOf", "represents", "signedBy", "livesIn",
}


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return load_ontology()


def _rows(name: str) -> list[dict[str, str]]:
    with (MAPPINGS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


# -- parsing and loading -------------------------------------------------------


def test_turtle_parses_and_declares_the_namespace() -> None:
    graph = Graph().parse(schema.DEFAULT_PATH, format="turtle")
    assert (URIRef("https://govkg.org/ontology"), RDF.type, OWL.Ontology) in graph
    assert (GOV.Agency, RDFS.subClassOf, GOV.GovernmentOrganization) in graph


def test_load_is_cached_and_fast(onto: Ontology) -> None:
    assert load_ontology() is onto
    assert load_ontology(schema.DEFAULT_PATH) is onto
    started = time.perf_counter()
    schema._load.__wrapped__(schema.DEFAULT_PATH)  # uncached parse
    assert time.perf_counter() - started < 1.0


def test_classes_and_predicates(onto: Ontology) -> None:
    assert onto.namespace == "https://govkg.org/ontology#"
    assert {c.name for c in onto.classes()} == EXPECTED_CLASSES
    names = {p.name for p in onto.predicates()}
    assert REQUIRED_PREDICATES <= names
    assert 25 <= len(names) <= 40
    assert onto.has_class("Agency") and onto.has_class("gov:Agency") and onto.has_class(str(GOV.Agency))
    assert not onto.has_class("memberOf") and not onto.has_class("Agencies")
    assert onto.has_predicate("memberOf") and not onto.has_predicate("Person")


def test_every_term_is_documented(onto: Ontology) -> None:
    for term in [*onto.classes(), *onto.predicates()]:
        assert term.label, term.name
        assert term.comment, term.name
        assert term.alt_labels, term.name
        assert term.iri == onto.namespace + term.name


def test_every_class_but_the_top_descends_from_entity(onto: Ontology) -> None:
    for cls in onto.classes():
        assert onto.ancestors(cls.name)[-1] == "Entity"
        assert bool(cls.parents) == (cls.name != "Entity")


def test_iri(onto: Ontology) -> None:
    assert onto.iri("Agency") == "https://govkg.org/ontology#Agency"
    assert onto.iri("memberOf") == "https://govkg.org/ontology#memberOf"
    with pytest.raises(UnknownTerm):
        onto.iri("notATerm")
    with pytest.raises(UnknownClass):  # UnknownTerm is catchable as either error
        onto.iri("notATerm")


# -- class hierarchy -------------------------------------------------------------


def test_subclass_chains(onto: Ontology) -> None:
    assert onto.ancestors("Agency") == ["Agency", "GovernmentOrganization", "Organization", "Entity"]
    assert onto.ancestors("City") == ["City", "Location", "Entity"]
    assert onto.ancestors("ExecutiveOrder") == ["ExecutiveOrder", "Legislation", "Entity"]
    assert onto.ancestors("Entity") == ["Entity"]
    assert onto.is_subclass("Agency", "GovernmentOrganization")
    assert onto.is_subclass("GovernmentOrganization", "Organization")
    assert onto.is_subclass("Agency", "Organization")
    assert onto.is_subclass("Agency", "Agency")
    assert not onto.is_subclass("Organization", "Agency")
    assert not onto.is_subclass("Person", "Organization")


def test_unknown_class_raises(onto: Ontology) -> None:
    with pytest.raises(UnknownClass):
        onto.ancestors("Spaceship")
    with pytest.raises(UnknownClass):
        onto.is_subclass("Spaceship", "Entity")


def test_compatible(onto: Ontology) -> None:
    assert onto.compatible("Organization", "Agency")
    assert onto.compatible("Agency", "Organization")
    assert onto.compatible("Entity", "Date")
    assert not onto.compatible("Agency", "Court")
    assert not onto.compatible("Person", "Location")


def test_most_specific(onto: Ontology) -> None:
    assert onto.most_specific({"Organization", "Agency"}) == "Agency"
    assert onto.most_specific(["Entity", "Location", "Country"]) == "Country"
    assert onto.most_specific(["Court", "Agency"]) == "Court"  # incompatible: the first given
    assert onto.most_specific(["Person", "Organization", "Agency"]) == "Person"
    assert onto.most_specific(["MISC", "Location"]) == "Location"  # unknown types are ignored
    assert onto.most_specific(["MISC"]) == "MISC"
    with pytest.raises(ValueError):
        onto.most_specific([])


# -- domain and range ------------------------------------------------------------


def test_check_fact_accepts_valid_facts(onto: Ontology) -> None:
    assert onto.check_fact("Person", "employedBy", "Agency") is None
    assert onto.check_fact("Person", "memberOf", "Committee") is None
    assert onto.check_fact("Country", "memberOf", "Organization") is None
    assert onto.check_fact("City", "locatedIn", "StateOrRegion") is None
    assert onto.check_fact("Event", "locatedIn", "Country") is None
    assert onto.check_fact("Act", "enactedBy", "Legislature") is None
    assert onto.check_fact("Person", "partyOf", "PoliticalParty") is None
    assert onto.check_fact("Person", "represents", "StateOrRegion") is None
    assert onto.check_fact("Committee", "chairperson", "Person") is None


def test_check_fact_explains_violations(onto: Ontology) -> None:
    assert onto.check_fact("Location", "employedBy", "Organization") == (
        "subject type Location is outside the domain of employedBy (Person)"
    )
    assert onto.check_fact("Person", "employedBy", "City") == (
        "object type City is outside the range of employedBy (Organization)"
    )
    assert onto.check_fact("Date", "locatedIn", "City") == (
        "subject type Date is outside the domain of locatedIn (Organization or Location or Event)"
    )
    assert onto.check_fact("Person", "partyOf", "Organization") == (
        "object type Organization is outside the range of partyOf (PoliticalParty)"
    )
    assert onto.check_fact("Person", "flewTo", "City") == "unknown predicate 'flewTo'"


def test_check_fact_rejects_the_top_class_and_unknown_types(onto: Ontology) -> None:
    assert onto.check_fact("Entity", "employedBy", "Organization") is not None
    assert onto.check_fact("Person", "employedBy", "Entity") is not None
    assert onto.check_fact("MISC", "employedBy", "Organization") is not None
    assert onto.check_fact("Person", "citizenOf", "Location") is not None


def test_check_fact_lenient_accepts_coarser_types(onto: Ontology) -> None:
    assert onto.check_fact("Person", "citizenOf", "Location", lenient=True) is None
    assert onto.check_fact("Location", "capitalOf", "Location", lenient=True) is None
    assert onto.check_fact("Person", "citizenOf", "Entity", lenient=True) is not None
    assert onto.check_fact("Person", "citizenOf", "Person", lenient=True) is not None


def test_domains_and_ranges_name_known_classes(onto: Ontology) -> None:
    for pred in onto.predicates():
        assert pred.domain and pred.range, pred.name
        for cls in [*pred.domain, *pred.range]:
            assert onto.has_class(cls), (pred.name, cls)


def test_unions_are_flattened(onto: Ontology) -> None:
    located = onto.get_predicate("locatedIn")
    assert located.domain == ["Organization", "Location", "Event"]
    assert located.range == ["Location"]
    assert located.transitive
    assert onto.get_predicate("headquarteredIn").parents == ["locatedIn"]
    with pytest.raises(UnknownPredicate):
        onto.get_predicate("flewTo")


# -- inverses and symmetry -------------------------------------------------------


def test_inverses_are_mutual_and_swap_domain_and_range(onto: Ontology) -> None:
    pairs = 0
    for pred in onto.predicates():
        if pred.inverse is None:
            continue
        other = onto.get_predicate(pred.inverse)
        assert other.inverse == pred.name, pred.name
        assert set(pred.domain) == set(other.range), pred.name
        assert set(pred.range) == set(other.domain), pred.name
        pairs += 1
    assert onto.get_predicate("memberOf").inverse == "hasMember"
    assert onto.get_predicate("hasHead").inverse == "headOf"
    assert onto.get_predicate("chairpersonOf").inverse == "chairperson"
    assert pairs >= 12


def test_symmetric_properties_are_their_own_inverse(onto: Ontology) -> None:
    symmetric = [p for p in onto.predicates() if p.symmetric]
    assert [p.name for p in symmetric] == ["relativeOf"]
    for pred in symmetric:
        assert pred.inverse == pred.name
        assert set(pred.domain) == set(pred.range)


def test_wikidata_alignments(onto: Ontology) -> None:
    expected = {
        "memberOf": "P463", "employedBy": "P108", "partyOf": "P102", "subOrganizationOf": "P749",
        "locatedIn": "P131", "country": "P17", "headOfGovernment": "P6", "headOfState": "P35",
        "legislativeBody": "P194", "jurisdiction": "P1001", "chairperson": "P488",
        "headquarteredIn": "P159", "citizenOf": "P27", "holdsPosition": "P39",
    }
    for name, pid in expected.items():
        assert pid in onto.get_predicate(name).wikidata, name


def test_wikidata_ids_agree_with_the_redocred_table(onto: Ontology) -> None:
    for pred in onto.predicates():
        for pid in pred.wikidata:
            mapped = onto.map_relation_label("redocred", pid)
            if mapped is not None:
                assert mapped in {(pred.name, False), (pred.inverse, True)}, (pred.name, pid, mapped)


# -- mapping tables --------------------------------------------------------------


@pytest.mark.parametrize("row", _rows("entity_labels.tsv"), ids=lambda r: f"{r['scheme']}-{r['label']}")
def test_entity_label_rows_name_known_classes(onto: Ontology, row: dict[str, str]) -> None:
    assert row["scheme"] and row["label"]
    if row["class"]:
        assert onto.has_class(row["class"])
    assert onto.map_entity_label(row["scheme"], row["label"]) == (row["class"] or None)


@pytest.mark.parametrize("row", _rows("relation_labels.tsv"), ids=lambda r: f"{r['scheme']}-{r['label']}")
def test_relation_label_rows_name_known_predicates(onto: Ontology, row: dict[str, str]) -> None:
    assert row["inverted"] in ("true", "false")
    expected = (row["predicate"], row["inverted"] == "true") if row["predicate"] else None
    if expected:
        assert onto.has_predicate(row["predicate"])
    assert onto.map_relation_label(row["scheme"], row["label"]) == expected


def test_mapping_tables_cover_the_schemes() -> None:
    entity_schemes = {r["scheme"] for r in _rows("entity_labels.tsv")}
    assert entity_schemes == {"conll2003", "conll04", "redocred", "ontonotes", "gazetteer"}
    relation_schemes = {r["scheme"] for r in _rows("relation_labels.tsv")}
    assert relation_schemes == {"conll04", "redocred"}
    redocred_ids = [r["label"] for r in _rows("relation_labels.tsv") if r["scheme"] == "redocred"]
    assert len(redocred_ids) >= 20 and all(pid.startswith("P") and pid[1:].isdigit() for pid in redocred_ids)


def test_map_entity_label(onto: Ontology) -> None:
    assert onto.map_entity_label("conll2003", "PER") == "Person"
    assert onto.map_entity_label("conll2003", "MISC") is None
    assert onto.map_entity_label("conll04", "Peop") == "Person"
    assert onto.map_entity_label("ontonotes", "GPE") == "Location"
    assert onto.map_entity_label("ontonotes", "LAW") == "Legislation"
    assert onto.map_entity_label("ontonotes", "MONEY") == "MonetaryAmount"
    assert onto.map_entity_label("redocred", "TIME") == "Date"
    assert onto.map_entity_label("gazetteer", "agency") == "Agency"
    assert onto.map_entity_label("gazetteer", "state") == "StateOrRegion"
    assert onto.map_entity_label("gazetteer", "party") == "PoliticalParty"
    assert onto.map_entity_label("ONTONOTES", "person") == "Person"  # case-insensitive
    assert onto.map_entity_label("conll2003", "XYZ") is None
    with pytest.raises(UnknownLabel):
        onto.map_entity_label("nosuchscheme", "PER")


def test_map_relation_label(onto: Ontology) -> None:
    assert onto.map_relation_label("conll04", "Work_For") == ("employedBy", False)
    assert onto.map_relation_label("conll04", "Live_In") == ("livesIn", False)
    assert onto.map_relation_label("conll04", "Kill") is None
    assert onto.map_relation_label("redocred", "P102") == ("partyOf", False)
    assert onto.map_relation_label("redocred", "P150") == ("locatedIn", True)
    assert onto.map_relation_label("redocred", "P355") == ("subOrganizationOf", True)
    assert onto.map_relation_label("redocred", "P9999") is None
    with pytest.raises(UnknownLabel):
        onto.map_relation_label("conll2003", "Work_For")


# -- phrases ---------------------------------------------------------------------


def test_phrases_are_unambiguous(onto: Ontology) -> None:
    owner: dict[str, str] = {}
    for pred in onto.predicates():
        for phrase in {pred.label.casefold(), *(a.casefold() for a in pred.alt_labels)}:
            assert owner.setdefault(phrase, pred.name) == pred.name, phrase


def test_predicate_by_phrase(onto: Ontology) -> None:
    assert onto.predicate_by_phrase("Who is the head of the EPA?") == ["headOf"]
    assert onto.predicate_by_phrase("Who was the Director of FEMA?") == ["headOf"]
    chair = onto.predicate_by_phrase("Who is the Chairman of the Senate Committee on Armed Services?")
    assert chair[0] == "chairpersonOf"
    assert onto.predicate_by_phrase("Which department is DARPA part of?") == ["subOrganizationOf"]
    assert onto.predicate_by_phrase("Which state does Senator Barrasso represent?") == ["represents"]
    assert onto.predicate_by_phrase("What party is Chuck Grassley affiliated with?") == ["partyOf"]
    # the longer phrase wins and hides the phrases inside it
    assert onto.predicate_by_phrase("Who is the head of government of Ontario?") == ["headOfGovernment"]
    assert onto.predicate_by_phrase("He was succeeded by Bentsen") == ["replacedBy"]
    assert onto.predicate_by_phrase("Who succeeded Lloyd Bentsen?") == ["replaces"]
    # case-insensitive, whitespace-tolerant, word boundaries only
    assert onto.predicate_by_phrase("EMPLOYED\n  BY the state") == ["employedBy"]
    assert onto.predicate_by_phrase("the leadsheet of the partying crowd") == []
    assert onto.predicate_by_phrase("") == []


def test_predicate_by_phrase_orders_longest_first(onto: Ontology) -> None:
    found = onto.predicate_by_phrase("the senator from Ohio who works for the agency")
    assert found == ["represents", "employedBy"]


# -- SHACL -----------------------------------------------------------------------

PREFIXES = """
@prefix gov: <https://govkg.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://govkg.org/entity/> .
"""

GOOD_EXPORT = PREFIXES + """
ex:grassley a gov:Person ; rdfs:label "Chuck Grassley" ;
    gov:memberOf ex:senate ; gov:partyOf ex:gop ; gov:represents ex:iowa ; gov:citizenOf ex:us .
ex:senate a gov:Legislature ; rdfs:label "United States Senate"^^xsd:string ; gov:country ex:us .
ex:gop a gov:PoliticalParty ; rdfs:label "Republican Party" .
ex:iowa a gov:StateOrRegion ; rdfs:label "Iowa" ; gov:locatedIn ex:us .
ex:us a gov:Country ; rdfs:label "United States" ; gov:legislativeBody ex:congress .
ex:congress a gov:Legislature, gov:Organization ; rdfs:label "United States Congress" ;
    gov:hasSubOrganization ex:senate .
ex:fmla a gov:Act ; rdfs:label "Family and Medical Leave Act" ; gov:enactedBy ex:congress ;
    gov:signedBy ex:clinton ; gov:pointInTime ex:y1993 .
ex:clinton a gov:Person ; rdfs:label "Bill Clinton" ; gov:relativeOf ex:hillary .
ex:hillary a gov:Person ; rdfs:label "Hillary Clinton" .
ex:y1993 a gov:Date ; rdfs:label "1993" .
ex:gulfwar a gov:Entity ; rdfs:label "Gulf War" .
"""

# An Act as the subject of memberOf (outside its domain Person, Organization or Location), a node
# with two labels, and a node with no gov: type used as a fact subject.
BAD_EXPORT = PREFIXES + """
ex:fmla a gov:Act ; rdfs:label "Family and Medical Leave Act" ; gov:memberOf ex:senate .
ex:senate a gov:Legislature ; rdfs:label "Senate" , "U.S. Senate" .
ex:grassley rdfs:label "Chuck Grassley" ; gov:employedBy ex:senate .
"""


def _graph(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def _shapes() -> Graph:
    return Graph().parse(DEFAULT_SHAPES_PATH, format="turtle")


def test_shacl_accepts_a_correct_export_without_the_ontology() -> None:
    conforms, _, text = validate(_graph(GOOD_EXPORT), shacl_graph=_shapes())
    assert conforms, text


def test_shacl_accepts_a_correct_export() -> None:
    report = validate_rdf(_graph(GOOD_EXPORT))
    assert report.conforms, report.text
    assert report.violations == []


def test_shacl_rejects_a_wrong_member_of_subject() -> None:
    report = validate_rdf(_graph(BAD_EXPORT))
    assert not report.conforms
    fmla, senate, grassley = (f"https://govkg.org/entity/{n}" for n in ("fmla", "senate", "grassley"))
    assert any(v.startswith(fmla) and "gov:memberOf must have type" in v for v in report.violations)
    assert any(v.startswith(senate) and "rdfs:label" in v for v in report.violations)
    assert any(v.startswith(grassley) and "gov: class" in v for v in report.violations)
    assert any(v.startswith(grassley) and "gov:employedBy must have type Person" in v for v in report.violations)


def test_shacl_rejects_a_language_tagged_label() -> None:
    bad = PREFIXES + 'ex:x a gov:Person ; rdfs:label "Chuck"@en .'
    assert not validate_rdf(_graph(bad)).conforms


def _allowed_classes(shapes: Graph, shape: URIRef) -> set[str]:
    nodes = [shape]
    for lst in shapes.objects(shape, SH["or"]):
        nodes.extend(Collection(shapes, lst))
    return {str(c).removeprefix(str(GOV)) for n in nodes for c in shapes.objects(n, SH["class"])}


def _descendants(onto: Ontology, names: list[str]) -> set[str]:
    return {c.name for c in onto.classes() if any(onto.is_subclass(c.name, n) for n in names)}


def test_shapes_mirror_the_ontology(onto: Ontology) -> None:
    shapes = _shapes()
    for pred in onto.predicates():
        iri = GOV[pred.name]
        (domain_shape,) = set(shapes.subjects(SH.targetSubjectsOf, iri)) - set(shapes.subjects(SH.targetClass))
        (range_shape,) = set(shapes.subjects(SH.targetObjectsOf, iri)) - set(shapes.subjects(SH.targetClass))
        assert _allowed_classes(shapes, domain_shape) == _descendants(onto, pred.domain), pred.name
        assert _allowed_classes(shapes, range_shape) == _descendants(onto, pred.range), pred.name
    entity_shape = URIRef("https://govkg.org/shapes#EntityShape")
    targeted = {str(c).removeprefix(str(GOV)) for c in shapes.objects(entity_shape, SH.targetClass)}
    assert targeted == EXPECTED_CLASSES


def test_a_fresh_copy_loads_from_another_path(tmp_path: Path) -> None:
    copy = tmp_path / "govkg.ttl"
    copy.write_text(schema.DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    other = load_ontology(copy)
    assert other is not load_ontology()
    assert other.map_relation_label("redocred", "P463") == ("memberOf", False)  # package mappings
    assert {c.name for c in other.classes()} == EXPECTED_CLASSES
