"""Names inside one document (extraction/names.py) through the resolver: short names, acronyms, head words."""
from __future__ import annotations

from extraction.gazetteer import load_entries
from extraction.names import is_acronym_of, name_tokens, organization_type, short_name_owner
from extraction.records import Extractor, Mention, entity_id, mention_id
from extraction.resolver import AliasResolver
from ontology.schema import load_ontology
from service.components import default_gazetteer_dir

ONTOLOGY = load_ontology()
MODEL = Extractor(name="ner", version="test")
RESOLVER = AliasResolver(load_entries(default_gazetteer_dir()), compatible=ONTOLOGY.is_subclass)


def mentions(text: str, *spans: tuple[str, str]) -> list[Mention]:
    out, cursor = [], 0
    for surface, cls in spans:
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        out.append(Mention(id=mention_id("doc", start, cursor, cls), document_id="doc", sentence_index=0,
                           start=start, end=cursor, text=surface, type=cls, confidence=0.9, extractor=MODEL))
    return out


def resolve(text: str, *spans: tuple[str, str]) -> tuple[list[Mention], dict[str, object]]:
    resolved, entities = RESOLVER.run(mentions(text, *spans))
    return resolved, {e.id: e for e in entities}


def test_a_short_name_resolves_to_the_full_name_used_before():
    text = "Saddam Hussein built palaces. Saddam ignored the inspectors."
    resolved, entities = resolve(text, ("Saddam Hussein", "Person"), ("Saddam", "Person"))
    assert resolved[0].entity_id == resolved[1].entity_id
    assert entities[resolved[0].entity_id].aliases == ("Saddam",)


def test_a_surname_resolves_to_the_records_person():
    text = "Senator Chuck Grassley spoke. Grassley asked for a vote."
    resolved, entities = resolve(text, ("Chuck Grassley", "Person"), ("Grassley", "Person"))
    grassley = entities[resolved[1].entity_id]
    assert resolved[1].entity_id == resolved[0].entity_id and grassley.name == "Chuck Grassley"
    assert resolved[1].gazetteer_key == resolved[0].gazetteer_key is not None


def test_an_ambiguous_short_name_stays_unresolved():
    text = "Laura Smith met John Smith. Smith left early."
    resolved, _ = resolve(text, ("Laura Smith", "Person"), ("John Smith", "Person"), ("Smith", "Person"))
    assert resolved[2].entity_id not in {resolved[0].entity_id, resolved[1].entity_id}
    assert resolved[2].entity_id == entity_id("Person:smith")


def test_a_short_name_before_the_full_name_is_not_resolved():
    text = "Turk spoke first. Then Dave Turk spoke again."
    resolved, _ = resolve(text, ("Turk", "Person"), ("Dave Turk", "Person"))
    assert resolved[0].entity_id != resolved[1].entity_id


def test_a_parenthesised_acronym_is_the_name_before_it():
    text = "She joined the International Energy Agency (IEA) in 2015. The IEA publishes outlooks."
    resolved, entities = resolve(text, ("International Energy Agency", "Organization"), ("IEA", "Organization"),
                                 ("IEA", "Organization"))
    assert len({m.entity_id for m in resolved}) == 1
    assert entities[resolved[0].entity_id].name == "International Energy Agency"


def test_state_of_a_state_is_the_state():
    resolved, entities = resolve("the State of Indiana", ("State of Indiana", "Location"))
    assert entities[resolved[0].entity_id].name == "Indiana" and resolved[0].type == "StateOrRegion"
    assert "State of Indiana" in entities[resolved[0].entity_id].aliases


def test_organization_types_by_head_word():
    assert organization_type("National Security Subcommittee") == "Committee"
    assert organization_type("Office of Rural Prosperity") == "Agency"
    assert organization_type("U.S. District Court for the Eastern District of Missouri") == "Court"
    assert organization_type("Knesset") == "Legislature"
    assert organization_type("Democratic Party") == "PoliticalParty"
    assert organization_type("Department of Labor") == "Department"
    assert organization_type("ChargePoint") is None
    resolved, _ = resolve("the Tactical Technology Office", ("Tactical Technology Office", "Organization"))
    assert resolved[0].type == "Agency"


def test_name_helpers():
    assert name_tokens("Joseph R. Biden, Jr.") == ("joseph", "biden")
    assert name_tokens("Ms. Bianchi") == ("bianchi",)
    assert short_name_owner(("biden",), {"a": ("joseph", "biden"), "b": ("jill", "biden")}) is None
    assert short_name_owner(("lujan", "grisham"), {"a": ("michelle", "lujan", "grisham")}) == "a"
    assert is_acronym_of("DARPA", "Defense Advanced Research Projects Agency")
    assert is_acronym_of("OLA", "Office of Legislative Affairs")
    assert not is_acronym_of("NASA", "National Security Agency")
