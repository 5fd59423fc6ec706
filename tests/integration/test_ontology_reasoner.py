"""HermiT (via owlready2, needs Java) on the GovKG ontology."""
from __future__ import annotations

import shutil

import pytest
from rdflib import Graph

from ontology.reasoning import check_consistency

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime"),
]

PREFIXES = """
@prefix gov: <https://govkg.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <https://govkg.org/entity/> .
"""


def _graph(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def test_the_ontology_is_consistent() -> None:
    report = check_consistency()
    assert report.consistent
    assert report.inconsistent_classes == []
    assert report.reasoner == "HermiT"
    assert report.triples > 500
    assert 0 < report.elapsed_seconds < 120


def test_consistent_instance_data_stays_consistent() -> None:
    data = _graph("""
        ex:grassley a owl:NamedIndividual, gov:Person ; gov:memberOf ex:senate ; gov:partyOf ex:gop .
        ex:senate a owl:NamedIndividual, gov:Legislature .
        ex:gop a owl:NamedIndividual, gov:PoliticalParty .
    """)
    assert check_consistency(data=data).consistent


def test_domain_violation_against_disjointness_is_inconsistent() -> None:
    # employedBy has domain Person; Person and Location are disjoint.
    data = _graph("""
        ex:ohio a owl:NamedIndividual, gov:StateOrRegion ; gov:employedBy ex:epa .
        ex:epa a owl:NamedIndividual, gov:Agency .
    """)
    report = check_consistency(data=data)
    assert not report.consistent


def test_disjoint_government_bodies_are_inconsistent() -> None:
    data = _graph("ex:x a owl:NamedIndividual, gov:Court, gov:Legislature .")
    assert not check_consistency(data=data).consistent


def test_unsatisfiable_class_is_reported() -> None:
    data = _graph("""
        gov:Cyborg a owl:Class ; rdfs:subClassOf gov:Person, gov:Organization .
    """)
    report = check_consistency(data=data)
    assert report.consistent  # no individual, so the ontology itself stays consistent
    assert report.inconsistent_classes == ["Cyborg"]
