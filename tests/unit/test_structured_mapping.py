"""Records mappings: validation errors with their codes, templates, for_each/when, rendering."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from extraction.errors import MappingError, RecordError
from extraction.gazetteer.entries import GazetteerEntry, load_entries
from extraction.records import entity_id
from extraction.structured.importer import RecordsImporter, find_mentions
from extraction.structured.mapping import SHIPPED_DIR, compile_mapping, load_mapping, shipped_mappings
from extraction.structured.render import RecordRenderer, ResolvedEntity
from extraction.structured.templates import Missing, NotInMap, TemplateError, lookup, parse_template, render
from ontology.schema import load_ontology

SHIPPED = ("agencies", "committee_membership", "committees", "executive", "legislators")


@pytest.fixture(scope="module")
def gazetteer(gazetteers_dir: Path) -> dict[str, GazetteerEntry]:
    return {e.key: e for e in load_entries(gazetteers_dir)}


def _importer(gazetteer: dict[str, GazetteerEntry]) -> RecordsImporter:
    ontology = load_ontology()
    return RecordsImporter(None, ontology.check_fact, gazetteer.values(), has_class=ontology.has_class,
                           has_predicate=ontology.has_predicate)


# a small valid mapping over records shaped like legislators-current.yaml; tests break copies of it
BASE: dict[str, Any] = {
    "name": "people",
    "title": "People ({$file})",
    "records": {"key": "{id.bioguide}"},
    "maps": {"parties": {"Democrat": "institution:democratic party", "Republican": "institution:republican party"}},
    "entities": {
        "person": {"key": "person:{id.bioguide}", "name": ["{name.official_full}", "{name.first} {name.last}"],
                   "type": "Person"},
        "state": {"key": "state:{item.state}", "name": "{item.state}", "type": "StateOrRegion"},
        "party": {"key": "{item.party|map:parties}", "name": "{item.party}", "type": "PoliticalParty"},
    },
    "facts": [
        {"for_each": "terms", "when": [{"position": "last"}], "subject": "@person", "predicate": "represents",
         "object": "@state"},
        {"for_each": "terms", "when": {"position": "last"}, "subject": "@person", "predicate": "partyOf",
         "object": "@party"},
    ],
    "sentence": {
        "template": "{@person} served {#terms}.",
        "lists": {"terms": {"for_each": "terms", "item": "for {@state} from {item.start}", "join": ", ",
                            "last_join": " and ", "unique": True}},
    },
}

PELOSI = {
    "id": {"bioguide": "P000197"},
    "name": {"first": "Nancy", "last": "Pelosi", "official_full": "Nancy Pelosi"},
    "terms": [
        {"type": "rep", "start": "1987-06-09", "state": "CA", "district": 5, "party": "Democrat"},
        {"type": "rep", "start": "2023-01-03", "state": "CA", "district": 11, "party": "Democrat"},
    ],
}


def _mapping(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    raw.update(changes)
    return raw


def _code(raw: dict[str, Any], ontology: bool = False) -> MappingError:
    with pytest.raises(MappingError) as caught:
        compiled = compile_mapping(raw)
        if ontology:
            onto = load_ontology()
            compiled.validate_ontology(onto.has_class, onto.has_predicate)
    return caught.value


# -- the shipped mappings ----------------------------------------------------------------------
def test_shipped_mappings_validate_against_the_ontology_and_name_their_files(gazetteers_dir: Path):
    assert tuple(p.stem for p in shipped_mappings()) == SHIPPED
    onto = load_ontology()
    for name in SHIPPED:
        compiled = load_mapping(name)
        compiled.validate_ontology(onto.has_class, onto.has_predicate)
        assert compiled.name == name
        assert compiled.default_file is not None and compiled.default_file.parent == gazetteers_dir.resolve()
        assert compiled.default_file.is_file()
    assert load_mapping(SHIPPED_DIR / "committees.yaml").name == "committees"  # by path too


def test_mapping_digest_ignores_comments(tmp_path: Path):
    text = (SHIPPED_DIR / "agencies.yaml").read_text(encoding="utf-8")
    copy_path = tmp_path / "agencies.yaml"
    copy_path.write_text("# another comment\n" + text, encoding="utf-8")
    assert load_mapping(copy_path).mapping.digest == load_mapping("agencies").mapping.digest
    copy_path.write_text(text.replace("is a federal", "is a U.S. federal"), encoding="utf-8")
    assert load_mapping(copy_path).mapping.digest != load_mapping("agencies").mapping.digest


# -- validation errors, with codes ----------------------------------------------------------------
def test_unknown_mapping_name_is_E040():
    with pytest.raises(MappingError) as caught:
        load_mapping("no_such_mapping")
    assert caught.value.code == "E040"
    assert "legislators" in caught.value.message  # lists the shipped ones


def test_malformed_mapping_yaml_is_E041(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nentities: {person: [unclosed\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(bad)
    assert caught.value.code == "E041" and "invalid YAML" in caught.value.message
    listed = tmp_path / "list.yaml"
    listed.write_text("- name: x\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(listed)
    assert caught.value.code == "E041" and "expected a YAML mapping" in caught.value.message


@pytest.mark.parametrize("change, fragment", [
    ({"entitys": {}}, "entitys: unknown field"),
    ({"entities": {}}, "at least one entity template"),
    ({"name": "has space"}, "plain name"),
    ({"format": "xml"}, "format"),
    ({"sentence": {"template": "x", "variants": [{"template": "y"}]}}, "exactly one of `template` and `variants`"),
    ({"facts": [{"subject": "@person", "predicate": "represents"}]}, "facts.0.object: Field required"),
    ({"facts": [{"for_each": "terms", "when": {"value": "{item.state}"}, "subject": "@person",
                 "predicate": "represents", "object": "@state"}]}, "exactly one test"),
    ({"facts": [{"for_each": "terms", "when": {"value": "{x}", "in": ["a"], "exists": True}, "subject": "@person",
                 "predicate": "represents", "object": "@state"}]}, "got in, exists"),
    ({"facts": [{"for_each": "terms", "when": {"value": "{x}", "matches": "("}, "subject": "@person",
                 "predicate": "represents", "object": "@state"}]}, "bad regular expression"),
    ({"facts": [{"for_each": "terms", "as": "$x", "subject": "@person", "predicate": "represents",
                 "object": "@state"}]}, "not a plain name"),
])
def test_structural_errors_are_E042_with_the_field(change: dict[str, Any], fragment: str):
    error = _code(_mapping(**change))
    assert error.code == "E042", error.message
    assert fragment in error.message


def test_position_condition_outside_for_each_and_unused_templates_are_E042():
    facts = [{"when": {"position": "last"}, "subject": "@person", "predicate": "partyOf", "object": "@party"}]
    error = _code(_mapping(facts=facts, sentence="{@person} {@state}"))
    assert error.code == "E042" and "needs `for_each`" in error.message
    error = _code(_mapping(facts=[], sentence="{@person}."))
    assert error.code == "E042" and "'state', 'party'" in error.message and "never used" in error.message


def test_unknown_predicate_or_class_is_E042_when_checked_against_the_ontology():
    facts = copy.deepcopy(BASE["facts"])
    facts[0]["predicate"] = "representz"
    error = _code(_mapping(facts=facts), ontology=True)
    assert error.code == "E042" and "'representz' is not an ontology predicate" in error.message
    entities = copy.deepcopy(BASE["entities"])
    entities["state"]["type"] = "Province"
    error = _code(_mapping(entities=entities), ontology=True)
    assert error.code == "E042" and "'Province' is not an ontology class" in error.message


@pytest.mark.parametrize("sentence, fragment", [
    ("{@person} {#terms", "unclosed '{'"),
    ("{@person} } {#terms}", "unmatched '}'"),
    ("{@persn} {#terms}", "no entity template 'persn'"),
    ("{@person.age} {#terms}", "entity attribute 'age' unknown"),
    ("{@person} {#termz}", "no sentence list 'termz'"),
    ("{@person|upcase} {#terms}", "unknown filter 'upcase'"),
    ("{@person|map:nope} {#terms}", "no map 'nope'"),
    ("{@person|format:x} {#terms}", "has no %s"),
    ("{@person} {a..b} {#terms}", "bad path"),
])
def test_bad_templates_are_E043_naming_the_template(sentence: str, fragment: str):
    sentence_spec = copy.deepcopy(BASE["sentence"])
    sentence_spec["template"] = sentence
    error = _code(_mapping(sentence=sentence_spec))
    assert error.code == "E043", error.message
    assert fragment in error.message and repr(sentence) in error.message


def test_entity_and_list_references_are_refused_where_they_do_not_belong():
    entities = copy.deepcopy(BASE["entities"])
    entities["state"]["name"] = "{@person}"
    assert "not allowed here" in _code(_mapping(entities=entities)).message
    facts = copy.deepcopy(BASE["facts"])
    facts[0]["object"] = "@nobody"
    error = _code(_mapping(facts=facts))
    assert error.code == "E043" and "no entity template 'nobody'" in error.message
    lists = copy.deepcopy(BASE["sentence"])
    lists["lists"]["terms"]["item"] = "{#terms}"
    assert "only allowed in sentences" in _code(_mapping(sentence=lists)).message


# -- templates ----------------------------------------------------------------------------------
def test_template_paths_filters_and_escapes():
    record = {"id": {"bioguide": "P000197"}, "name": {"first": "Nancy", "middle": "", "last": "Pelosi"},
              "terms": [{"state": "CA", "district": 5}, {"state": "CA", "district": 11.0, "active": True}]}
    maps = {"states": {"CA": "California", "*": "state %s"}}

    def text(source: str, variables: dict[str, Any] | None = None) -> str:
        return render(parse_template(source), record, variables or {}, maps)

    assert text("{{literal}} {id.bioguide}") == "{literal} P000197"
    assert text("{terms.0.district}-{terms.-1.district}-{terms.1.active}") == "5-11-true"
    assert text("{terms.-1.state|map:states}, {terms.-1.state|lower}") == "California, ca"
    assert text("{name.middle|default:|format: (%s)}|{name.first|format: (%s)}") == "| (Nancy)"
    assert text("{name.last|upper|key}") == "pelosi"
    assert text("{item.state|map:states}", {"item": {"state": "GU"}}) == "state GU"  # the "*" fallback
    assert text("{$key}", {"$key": "k1"}) == "k1"
    with pytest.raises(Missing) as missing:
        text("{name.middle}")
    assert missing.value.path == "name.middle"
    with pytest.raises(Missing):
        text("{terms.5.state}")
    with pytest.raises(NotInMap):
        render(parse_template("{terms.0.state|map:states}"), record, {}, {"states": {"NY": "New York"}})
    with pytest.raises(TemplateError):
        parse_template("{a|default}")
    assert lookup(["terms", "-1", "state"], record, {}) == "CA"


def test_person_keys_without_bioguide_match_the_gazetteer(gazetteers_dir, gazetteer: dict[str, GazetteerEntry]):
    """Presidents without a bioguide id: the executive mapping's key alternatives find the gazetteer's key."""
    people = yaml.safe_load((gazetteers_dir / "executive.yaml").read_text(encoding="utf-8"))
    renderer = RecordRenderer(load_mapping("executive"), gazetteer, "executive.yaml")
    resolved = {p["name"]["last"] + str(i): renderer.resolve("person", p, renderer.base_variables(i), "k")
                for i, p in enumerate(people)}
    by_name = {r.entity.name: r for r in resolved.values()}
    assert by_name["Donald Trump"].key == "person:donald j trump:1946-06-14" and by_name["Donald Trump"].in_gazetteer
    assert by_name["James Carter"].key == "person:jimmy carter:1924-10-01"
    assert "Jimmy Carter" in by_name["James Carter"].entity.aliases
    assert by_name["Barack Obama"].key == "person:O000167"
    # every president and vice president is a gazetteer entity, but for John Adams, whose only
    # name the gazetteer drops as shared with John Quincy Adams: his entity comes from the record
    outside = sorted(r.entity.name for r in resolved.values() if not r.in_gazetteer)
    assert outside == ["John Adams"]
    assert by_name["John Adams"].key == "person:A000039"


# -- rendering: for_each, when, lists, errors ---------------------------------------------------------
def test_render_takes_the_last_term_and_lists_every_term(gazetteer: dict[str, GazetteerEntry]):
    renderer = RecordRenderer(compile_mapping(BASE), gazetteer, "people.yaml")
    out = renderer.render(PELOSI, 0, renderer.record_key(PELOSI, 0))
    assert out.key == "P000197"
    assert out.sentence == "Nancy Pelosi served for California from 1987-06-09 and for California from 2023-01-03."
    assert out.facts == [("person:P000197", "represents", "state:CA"),
                         ("person:P000197", "partyOf", "institution:democratic party")]
    person = out.entities["person:P000197"]
    assert person.in_gazetteer and person.entity.id == entity_id("person:P000197")
    assert out.entities["state:CA"].entity.name == "California"  # the gazetteer's name, not the template's


def test_when_conditions_filter_items(gazetteer: dict[str, GazetteerEntry]):
    members = {"key": "SSJU", "value": [
        {"name": "Chuck Grassley", "bioguide": "G000386", "party": "majority", "title": "Chairman"},
        {"name": "Dick Durbin", "bioguide": "D000563", "party": "minority", "title": "Ranking Member"},
        {"name": "Amy Klobuchar", "bioguide": "K000367", "party": "minority"},
    ]}
    raw = {
        "name": "members", "records": {"items": True, "key": "{key}"},
        "entities": {"committee": {"key": "committee:{key}", "name": "{key}", "type": "Committee"},
                     "member": {"key": "person:{item.bioguide}", "name": "{item.name}", "type": "Person"}},
        "facts": [
            {"for_each": "value", "when": {"value": "{item.title}", "in": ["Chairman", "Chair"]},
             "subject": "@member", "predicate": "chairpersonOf", "object": "@committee"},
            {"for_each": "value", "when": {"value": "{item.title}", "exists": False},
             "subject": "@member", "predicate": "memberOf", "object": "@committee"},
            {"for_each": "value", "when": [{"value": "{item.party}", "matches": "min.*"}, {"position": "not_last"}],
             "subject": "@member", "predicate": "employedBy", "object": "@committee"},
            {"for_each": "value", "when": {"value": "person:{item.bioguide}", "in_gazetteer": True},
             "subject": "@member", "predicate": "hasMember", "object": "@committee"},
        ],
        "sentence": {"template": "The {@committee} has {#chairs}{#others}.", "lists": {
            "chairs": {"for_each": "value", "when": {"value": "{item.title}", "not_in": ["Ranking Member"]},
                       "item": "{@member}{item.title|default:|format: (%s)}", "join": ", ", "last_join": " and "},
            "others": {"for_each": "value", "when": {"value": "{item.title}", "equals": "Vice Chair"},
                       "item": "{@member}", "before": "; vice chair: ", "empty": "; no vice chair"}}},
    }
    renderer = RecordRenderer(compile_mapping(raw), gazetteer, "m.yaml")
    out = renderer.render(members, 0, "SSJU")
    assert out.sentence == ("The Senate Committee on the Judiciary has Chuck Grassley (Chairman) and "
                            "Amy Klobuchar; no vice chair.")
    by_predicate: dict[str, list[str]] = {}
    for subject, predicate, _ in out.facts:
        by_predicate.setdefault(predicate, []).append(subject)
    assert by_predicate["chairpersonOf"] == ["person:G000386"]
    assert by_predicate["memberOf"] == ["person:K000367"]  # no title
    assert by_predicate["employedBy"] == ["person:D000563"]  # minority and not the last item
    assert len(by_predicate["hasMember"]) == 3
    assert "person:D000563" in out.entities  # referenced by a fact only, still emitted


def test_records_when_and_sentence_variants(gazetteer: dict[str, GazetteerEntry]):
    compiled = load_mapping("agencies")
    renderer = RecordRenderer(compiled, gazetteer, "agencies.tsv")
    rows = [{"name": "Department of Defense", "acronym": "DOD"}, {"name": "Defense Department", "acronym": "DOD"},
            {"name": "Texas", "acronym": ""}, {"name": "Access Board", "acronym": ""}]
    accepted = [row["name"] for i, row in enumerate(rows) if renderer.accepts(row, i, row["name"])]
    assert accepted == ["Department of Defense", "Defense Department", "Access Board"]  # a state is no agency
    sentences = [renderer.render(row, i, row["name"]).sentence for i, row in enumerate(rows) if row["name"] in accepted]
    assert sentences == ["The Department of Defense (DOD) is a federal department.",
                         "Defense Department (DOD) is a name of the Department of Defense, a federal department.",
                         "The Access Board is a federal agency."]


def test_record_errors_have_codes(gazetteer: dict[str, GazetteerEntry]):
    renderer = RecordRenderer(compile_mapping(BASE), gazetteer, "people.yaml")
    no_terms_state = copy.deepcopy(PELOSI)
    del no_terms_state["terms"][1]["state"]
    with pytest.raises(RecordError) as caught:
        renderer.render(no_terms_state, 0, "P000197")
    assert caught.value.code == "E046" and "'item.state'" in caught.value.message and "P000197" in caught.value.message
    green = copy.deepcopy(PELOSI)
    green["terms"][1]["party"] = "Green"
    with pytest.raises(RecordError) as caught:
        renderer.render(green, 0, "P000197")
    assert caught.value.code == "E047" and "'Green'" in caught.value.message and "'parties'" in caught.value.message
    scalar_terms = {**PELOSI, "terms": "none"}
    with pytest.raises(RecordError) as caught:
        renderer.render(scalar_terms, 0, "P000197")
    assert caught.value.code == "E048" and "not a list" in caught.value.message
    raw = _mapping(facts=[*BASE["facts"], {"subject": "@person", "predicate": "memberOf",
                                           "object": "institution:no such chamber"}])
    with pytest.raises(RecordError) as caught:
        RecordRenderer(compile_mapping(raw), gazetteer, "people.yaml").render(PELOSI, 0, "P000197")
    assert caught.value.code == "E049" and "'institution:no such chamber'" in caught.value.message


def test_key_endpoints_resolve_through_the_gazetteer(gazetteer: dict[str, GazetteerEntry]):
    raw = _mapping(facts=[*BASE["facts"], {"subject": "@person", "predicate": "memberOf",
                                           "object": "institution:united states house of representatives"}])
    out = RecordRenderer(compile_mapping(raw), gazetteer, "people.yaml").render(PELOSI, 0, "P000197")
    house = out.entities["institution:united states house of representatives"]
    assert house.in_gazetteer and house.entity.type == "Legislature"


def test_mentions_are_longest_first_without_overlap(gazetteer: dict[str, GazetteerEntry]):
    def entity(key: str) -> ResolvedEntity:
        e = gazetteer[key]
        from extraction.records import Entity
        return ResolvedEntity(key, Entity(id=entity_id(key), name=e.name, type=e.type,
                                          aliases=(*e.aliases, *e.acronyms)), True)

    parent, sub = entity("committee:HSAG"), entity("committee:HSAG15")
    text = f"{sub.entity.name}; the {parent.entity.name}; DOD"
    found = find_mentions(text, [parent, sub, entity("agency:DOD")])
    assert [(text[a:b], r.key) for a, b, r in found] == [
        (sub.entity.name, "committee:HSAG15"), (parent.entity.name, "committee:HSAG"), ("DOD", "agency:DOD")]


# -- a whole file: offsets, provenance, candidates ----------------------------------------------------
def test_build_json_file_offsets_and_provenance(tmp_path: Path, gazetteer: dict[str, GazetteerEntry]):
    maria = {"id": {"bioguide": "C000127"}, "name": {"first": "Maria", "last": "Cantwell"},
             "terms": [{"start": "2025-01-03", "state": "WA", "party": "Democrat"}]}
    source = tmp_path / "people.json"
    source.write_text(json.dumps({"people": [PELOSI, maria]}), encoding="utf-8")
    raw = _mapping(records={"path": "people", "key": "{id.bioguide}"})
    built = _importer(gazetteer).build(compile_mapping(raw), source)
    graph = built.graph
    assert graph is not None and not built.failures
    doc = graph.document
    assert doc.format == "json" and doc.title == "People (people.json)"
    assert doc.source_path == f"{source.resolve()}#mapping=people"
    assert json.loads(doc.metadata["record_keys"]) == ["P000197", "C000127"]
    for sentence in graph.sentences:
        assert doc.text[sentence.start:sentence.end] == sentence.text
    names = {e.id: {e.name, *e.aliases} for e in graph.entities}
    for mention in graph.mentions:
        assert doc.text[mention.start:mention.end] == mention.text and mention.text in names[mention.entity_id]
        assert mention.extractor.name == "records" and mention.extractor.version.startswith("people+")
    for fact in graph.facts:
        (prov,) = fact.provenance
        assert prov.extractor.name == "records/people" and prov.confidence == 1.0
        assert doc.text[prov.subject_start:prov.subject_end] in names[fact.subject_id]
        sentence = graph.sentences[prov.sentence_index]
        if fact.predicate == "partyOf":  # the sentence does not name the party: the span is the sentence
            assert (prov.object_start, prov.object_end) == (sentence.start, sentence.end)
            assert entity_id("institution:democratic party") not in {m.entity_id for m in graph.mentions}
        else:
            assert doc.text[prov.object_start:prov.object_end] in names[fact.object_id]
    assert doc.text.split("\n")[1] == "Maria Cantwell served for Washington from 2025-01-03."
    assert len(graph.facts) == 4 and not graph.candidates


def test_facts_outside_the_ontology_become_rejected_candidates(tmp_path: Path, gazetteer: dict[str, GazetteerEntry]):
    source = tmp_path / "people.yaml"
    source.write_text(yaml.safe_dump([PELOSI]), encoding="utf-8")
    facts = [*BASE["facts"], {"for_each": "terms", "subject": "@person", "predicate": "headquarteredIn",
                              "object": "@party"}]
    built = _importer(gazetteer).build(compile_mapping(_mapping(facts=facts)), source)
    assert built.graph is not None
    assert [f.predicate for f in built.graph.facts] == ["represents", "partyOf"]
    (candidate,) = built.graph.candidates
    assert candidate.status == "rejected" and candidate.fact.predicate == "headquarteredIn"
    assert "subject type Person is outside the domain of headquarteredIn" in candidate.reason


def test_csv_and_tsv_records(tmp_path: Path, gazetteer: dict[str, GazetteerEntry]):
    raw = {"name": "states", "records": {"key": "{code}"},
           "entities": {"state": {"key": "state:{code}", "name": "{label}", "type": "StateOrRegion"}},
           "sentence": "{@state} ({code}) {note|default:has no note}."}
    compiled = compile_mapping(raw)
    csv_file = tmp_path / "states.csv"
    csv_file.write_text("code,label,note\nWA,Washington,\"has a note, quoted\"\nVT,Vermont,\n", encoding="utf-8")
    graph = _importer(gazetteer).build(compiled, csv_file).graph
    assert graph is not None and graph.document.format == "csv"
    assert graph.document.text == "Washington (WA) has a note, quoted.\nVermont (VT) has no note."
    tsv_file = tmp_path / "states.tsv"
    tsv_file.write_text("code\tlabel\nNY\tNew York\n", encoding="utf-8")
    graph = _importer(gazetteer).build(compiled, tsv_file).graph
    assert graph is not None and graph.document.format == "tsv" and graph.document.text == "New York (NY) has no note."


def test_title_takes_no_record_fields():
    error = _code(_mapping(title="People of {name.last}"))
    assert error.code == "E043" and "only {$file} and {$mapping}" in error.message


def test_document_size_limit_is_E015(tmp_path: Path, gazetteer: dict[str, GazetteerEntry]):
    from extraction.errors import LoaderError

    source = tmp_path / "people.yaml"
    source.write_text(yaml.safe_dump([PELOSI]), encoding="utf-8")
    importer = _importer(gazetteer)
    importer.max_document_chars = 20
    with pytest.raises(LoaderError) as caught:
        importer.build(compile_mapping(BASE), source)
    assert caught.value.code == "E015"
