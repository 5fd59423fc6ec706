"""The relation rule layer (extraction/patterns) on sentences with their mentions given.

The mentions are given by hand so that each test reads one rule; the sentences are written for the
tests (not taken from the govfacts dev set), in the forms government releases use.
"""
from __future__ import annotations

import re

import pytest

from extraction.patterns import PatternRelationExtractor
from extraction.patterns.titles import TitleKind, normalize_title, title_kinds
from extraction.records import Document, Entity, Extractor, Mention, Sentence, document_id, entity_id, mention_id
from ontology.schema import load_ontology

ONTOLOGY = load_ontology()
HAND = Extractor(name="hand", version="1")


def is_a(child: str, parent: str) -> bool:
    return ONTOLOGY.is_subclass(child, parent)


def facts_of(text: str, *spans: tuple[str, str]) -> set[tuple[str, str, str]]:
    """Run the rule layer on `text` with mentions ("surface", "Class"), found left to right."""
    doc = Document(id=document_id(text), text=text, title="t", source_path="t.txt", source_name="t.txt", format="txt")
    mentions, entities, cursor = [], {}, 0
    for surface, cls in spans:
        start = text.index(surface, cursor)
        end = start + len(surface)
        cursor = end
        eid = entity_id(f"{cls}:{surface}")
        mentions.append(Mention(id=mention_id(doc.id, start, end, cls), document_id=doc.id, sentence_index=0,
                                start=start, end=end, text=surface, type=cls, confidence=1.0, extractor=HAND,
                                entity_id=eid))
        entities[eid] = Entity(id=eid, name=surface, type=cls)
    sentence = Sentence(document_id=doc.id, index=0, start=0, end=len(text), text=text)
    facts = PatternRelationExtractor(is_a).run(doc, [sentence], mentions, list(entities.values()))
    names = {e.id: e.name for e in entities.values()}
    for fact in facts:
        prov = fact.provenance[0]
        assert prov.extractor.name == "patterns" and 0 < fact.confidence <= 1
        assert text[prov.subject_start:prov.subject_end] == names[fact.subject_id]
        assert text[prov.object_start:prov.object_end] == names[fact.object_id]
        subject, object_ = entities[fact.subject_id], entities[fact.object_id]
        assert ONTOLOGY.check_fact(subject.type, fact.predicate, object_.type) is None
    return {(names[f.subject_id], f.predicate, names[f.object_id]) for f in facts}


def test_title_before_name_and_the_title_of_a_body():
    assert facts_of("Administrator Lee Zeldin of the Environmental Protection Agency toured the site.",
                    ("Administrator", "Position"), ("Lee Zeldin", "Person"),
                    ("Environmental Protection Agency", "Agency")) == {
        ("Lee Zeldin", "holdsPosition", "Administrator"),
        ("Lee Zeldin", "headOf", "Environmental Protection Agency"),
    }


def test_plural_title_before_coordinated_names():
    assert facts_of("The bill was praised by Senators Collins and Shaheen.",
                    ("Senators", "Position"), ("Collins", "Person"), ("Shaheen", "Person")) == {
        ("Collins", "holdsPosition", "Senators"), ("Shaheen", "holdsPosition", "Senators"),
    }


def test_singular_title_belongs_to_the_next_name_only():
    found = facts_of("Governor Kathy Hochul and Eric Adams spoke.",
                     ("Governor", "Position"), ("Kathy Hochul", "Person"), ("Eric Adams", "Person"))
    assert found == {("Kathy Hochul", "holdsPosition", "Governor")}


def test_place_before_a_head_of_government_title():
    assert facts_of("He met Ohio Governor Mike DeWine in Columbus.",
                    ("Ohio", "StateOrRegion"), ("Governor", "Position"), ("Mike DeWine", "Person"),
                    ("Columbus", "City")) == {
        ("Mike DeWine", "holdsPosition", "Governor"), ("Ohio", "headOfGovernment", "Mike DeWine"),
    }


def test_head_of_state_of_a_country_after_the_name():
    assert facts_of("Biden welcomed President Emmanuel Macron of France.",
                    ("President", "Position"), ("Emmanuel Macron", "Person"), ("France", "Country")) == {
        ("Emmanuel Macron", "holdsPosition", "President"), ("France", "headOfState", "Emmanuel Macron"),
    }


def test_copula_title_with_a_dependent_title_means_employment():
    assert facts_of("Maria Lopez is currently the Deputy Director of the National Science Foundation.",
                    ("Maria Lopez", "Person"), ("Deputy Director", "Position"),
                    ("National Science Foundation", "Agency")) == {
        ("Maria Lopez", "holdsPosition", "Deputy Director"),
        ("Maria Lopez", "employedBy", "National Science Foundation"),
    }


def test_coordinated_titles_after_served_as():
    assert facts_of("Chen previously served as Chief of Staff and Senior Counsel at the Federal Trade Commission.",
                    ("Chen", "Person"), ("Chief of Staff", "Position"), ("Senior Counsel", "Position"),
                    ("Federal Trade Commission", "Agency")) == {
        ("Chen", "holdsPosition", "Chief of Staff"), ("Chen", "holdsPosition", "Senior Counsel"),
        ("Chen", "employedBy", "Federal Trade Commission"),
    }


def test_appositive_title_and_its_possessive_body():
    assert facts_of("Ana Ruiz, the Director of Oregon’s Office of Emergency Management, will brief reporters.",
                    ("Ana Ruiz", "Person"), ("Director", "Position"), ("Oregon", "StateOrRegion"),
                    ("Office of Emergency Management", "Agency")) == {
        ("Ana Ruiz", "holdsPosition", "Director"), ("Ana Ruiz", "headOf", "Office of Emergency Management"),
        ("Office of Emergency Management", "jurisdiction", "Oregon"),
    }


def test_title_of_a_following_name_is_not_an_appositive():
    found = facts_of("We thank Lisa Park, Senator Tammy Duckworth and others.",
                     ("Lisa Park", "Person"), ("Senator", "Position"), ("Tammy Duckworth", "Person"))
    assert found == {("Tammy Duckworth", "holdsPosition", "Senator")}


def test_party_and_state_tag_of_a_legislator():
    assert facts_of("The amendment came from Rep. Jamie Raskin (D-MD).",
                    ("Rep.", "Position"), ("Jamie Raskin", "Person"), ("D", "PoliticalParty"),
                    ("MD", "StateOrRegion")) == {
        ("Jamie Raskin", "holdsPosition", "Rep."), ("Jamie Raskin", "partyOf", "D"),
        ("Jamie Raskin", "represents", "MD"),
    }


def test_party_and_chamber_before_a_title():
    assert facts_of("Senate Democratic Whip Dick Durbin objected.",
                    ("Senate", "Legislature"), ("Democratic", "PoliticalParty"), ("Whip", "Position"),
                    ("Dick Durbin", "Person")) == {
        ("Dick Durbin", "holdsPosition", "Whip"), ("Dick Durbin", "partyOf", "Democratic"),
        ("Dick Durbin", "memberOf", "Senate"),
    }


def test_as_title_comma_name():
    assert facts_of("As Secretary of State, Hillary Clinton traveled to 112 countries.",
                    ("Secretary of State", "Position"), ("Hillary Clinton", "Person")) == {
        ("Hillary Clinton", "holdsPosition", "Secretary of State"),
    }


def test_measures_signed_passed_and_dated():
    assert facts_of("In 2009, Congress passed the Lilly Ledbetter Fair Pay Act.",
                    ("2009", "Date"), ("Congress", "Legislature"), ("Lilly Ledbetter Fair Pay Act", "Legislation")) == {
        ("Lilly Ledbetter Fair Pay Act", "enactedBy", "Congress"),
        ("Lilly Ledbetter Fair Pay Act", "pointInTime", "2009"),
    }
    assert facts_of("The CHIPS and Science Act was signed into law by President Biden.",
                    ("CHIPS and Science Act", "Legislation"), ("President", "Position"), ("Biden", "Person")) == {
        ("CHIPS and Science Act", "signedBy", "Biden"), ("Biden", "holdsPosition", "President"),
    }


def test_sponsors_spread_over_coordinated_names():
    assert facts_of("We thank Representatives Smith and Jones, who introduced the Clean Water Act.",
                    ("Representatives", "Position"), ("Smith", "Person"), ("Jones", "Person"),
                    ("Clean Water Act", "Legislation")) == {
        ("Smith", "holdsPosition", "Representatives"), ("Jones", "holdsPosition", "Representatives"),
        ("Clean Water Act", "sponsoredBy", "Smith"), ("Clean Water Act", "sponsoredBy", "Jones"),
    }


def test_places_a_list_is_not_a_city_and_its_state():
    assert facts_of("She grew up in Tulsa, Oklahoma, and studied in Lima, Peru.",
                    ("Tulsa", "City"), ("Oklahoma", "StateOrRegion"), ("Lima", "City"), ("Peru", "Country")) == {
        ("Tulsa", "locatedIn", "Oklahoma"), ("Lima", "country", "Peru"),
    }
    assert facts_of("Storms hit Ohio, Texas, and Utah.",
                    ("Ohio", "StateOrRegion"), ("Texas", "StateOrRegion"), ("Utah", "StateOrRegion")) == set()


def test_possessive_legislature_and_program():
    assert facts_of("Canada’s Parliament debated USDA’s Farm to School Program.",
                    ("Canada", "Country"), ("Parliament", "Legislature"), ("USDA", "Department"),
                    ("Farm to School Program", "Program")) == {
        ("Canada", "legislativeBody", "Parliament"), ("USDA", "administers", "Farm to School Program"),
    }


def test_a_future_or_negated_title_gives_nothing():
    assert facts_of("Kim will become the Director of the Peace Corps.",
                    ("Kim", "Person"), ("Director", "Position"), ("Peace Corps", "Agency")) == set()
    assert facts_of("Kim is not the Director of the Peace Corps.",
                    ("Kim", "Person"), ("Director", "Position"), ("Peace Corps", "Agency")) == set()


@pytest.mark.parametrize(("title", "kind"), [
    ("Secretary", TitleKind.HEAD), ("Executive Director", TitleKind.HEAD), ("President and CEO", TitleKind.HEAD),
    ("Deputy Executive Director", TitleKind.STAFF), ("Staff Director", TitleKind.STAFF),
    ("Secretary of Health and Human Services", TitleKind.STAFF), ("Governors", TitleKind.HEAD_OF_GOVERNMENT),
    ("Sen.", TitleKind.LEGISLATOR), ("Chief Deputy Whip", TitleKind.MEMBER), ("Co-Chair", TitleKind.CHAIR),
    ("the 51st Governor", TitleKind.HEAD_OF_GOVERNMENT), ("Speaker", TitleKind.SPEAKER),
])
def test_title_kinds(title: str, kind: TitleKind):
    assert kind in title_kinds(title)


def test_normalize_title():
    assert normalize_title("Acting  Secretaries") == "secretary"
    assert normalize_title("then-President") == "president"
    assert re.fullmatch(r"governor", normalize_title("thirty-second governor"))


def test_a_symmetric_fact_is_one_fact_whichever_way_it_is_stated():
    from core.settings import load_settings
    from service.components import build_services

    pipeline = build_services(load_settings(data_dir="unused", pipeline={
        "recognizers": ["gazetteer", "government"], "relation_extractors": ["patterns"]})).pipeline
    assert "relativeOf" in pipeline.symmetric
    text = ("Senator Chuck Grassley is married to Senator Joni Ernst. "
            "Senator Joni Ernst is married to Senator Chuck Grassley.")
    graph = pipeline.run(Document(id=document_id(text), text=text, title="t", source_path="t", source_name="t",
                                  format="txt"))
    (fact,) = [f for f in graph.facts if f.predicate == "relativeOf"]
    assert fact.subject_id < fact.object_id and len(fact.provenance) == 2
    for prov in fact.provenance:
        assert {text[prov.subject_start:prov.subject_end], text[prov.object_start:prov.object_end]} == {
            "Chuck Grassley", "Joni Ernst"}
    names = {e.id: e.name for e in graph.entities}
    prov = fact.provenance[0]
    assert text[prov.subject_start:prov.subject_end] == names[fact.subject_id]


def test_signed_in_a_year_by_a_president():
    assert facts_of("Congress passed the Defense of Marriage Act, signed in 1996 by President Clinton.",
                    ("Congress", "Legislature"), ("Defense of Marriage Act", "Legislation"), ("1996", "Date"),
                    ("President", "Position"), ("Clinton", "Person")) == {
        ("Defense of Marriage Act", "enactedBy", "Congress"), ("Defense of Marriage Act", "pointInTime", "1996"),
        ("Defense of Marriage Act", "signedBy", "Clinton"), ("Clinton", "holdsPosition", "President"),
    }
