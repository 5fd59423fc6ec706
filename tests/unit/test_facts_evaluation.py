"""`govkg evaluate facts`, the engine: reading the gold file, the matching rules, entity scores, and the
whole path (importer → real SQLite store → read back) with a scripted pipeline that stores exactly the
facts and candidates a test names."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extraction.errors import DataError
from extraction.evaluation import evaluate_facts, load_gold
from extraction.evaluation.entities import Span, class_mapper, score_entities
from extraction.evaluation.facts import Predicates, locate, sentence_at
from extraction.evaluation.gold import GoldEntity, GoldFact, GoldSentence, group_documents
from extraction.evaluation.matching import (
    Argument,
    argument_matches,
    canonical_predicate,
    coreferent_texts,
    fact_matches,
    is_acronym,
    match_once,
)
from extraction.evaluation.report import score
from extraction.importer import Importer, ImportOptions
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
    entity_id,
    fact_id,
    mention_id,
)
from graph.sqlite.store import SqliteStore
from ontology.schema import load_ontology

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "govfacts" / "dev.jsonl"  # beside the project
ONTOLOGY = load_ontology()
PREDICATES = Predicates.from_ontology(ONTOLOGY)


def arg(name: str, type: str = "Person", *aliases: str) -> Argument:
    return Argument(id=entity_id(name), name=name, type=type, aliases=aliases)


def matches(predicate: str, subject: Argument, obj: Argument, gold: GoldFact,
            subject_texts: set[str] | None = None, object_texts: set[str] | None = None) -> bool:
    return fact_matches(predicate, subject, obj, gold, subject_texts or {gold.subject}, object_texts or {gold.object},
                        PREDICATES.inverse, PREDICATES.symmetric)


SU = arg("Julie A. Su")
LWDA = arg("California Labor and Workforce Development Agency", "Agency")
HEAD = GoldFact(subject="Julie A. Su", predicate="headOf", object="California Labor and Workforce Development Agency")


# -- matching rules --------------------------------------------------------------------------------
def test_the_gold_predicate_with_the_gold_arguments_matches():
    assert matches("headOf", SU, LWDA, HEAD)


def test_the_inverse_predicate_counts_with_subject_and_object_swapped():
    assert PREDICATES.inverse["hasHead"] == "headOf" and PREDICATES.inverse["headOf"] == "hasHead"
    assert matches("hasHead", LWDA, SU, HEAD)
    assert not matches("hasHead", SU, LWDA, HEAD)  # the inverse in the gold order states something else
    assert not matches("headOf", LWDA, SU, HEAD)  # nor the gold predicate backwards


def test_relative_of_is_symmetric_either_direction_counts():
    gold = GoldFact(subject="Joseph R. Biden, Jr.", predicate="relativeOf", object="Jill Biden")
    joe, jill = arg("Joseph R. Biden, Jr."), arg("Jill Biden")
    assert "relativeOf" in PREDICATES.symmetric
    assert matches("relativeOf", joe, jill, gold) and matches("relativeOf", jill, joe, gold)
    employed = GoldFact(subject="Jill Biden", predicate="employedBy", object="Joseph R. Biden, Jr.")
    assert not matches("employedBy", joe, jill, employed)  # an asymmetric predicate only one way


def test_an_alias_of_the_stored_entity_matches_the_gold_text():
    iea = arg("IEA", "Organization", "International Energy Agency")
    gold = GoldFact(subject="Dave Turk", predicate="employedBy", object="International Energy Agency")
    assert matches("employedBy", arg("Dave Turk"), iea, gold)
    assert argument_matches(arg("Department of Justice", "Department", "DOJ", "Justice Department"), ["DOJ"])


def test_names_are_compared_after_normalisation():
    office = arg("Wisconsin's office of rural prosperity", "Agency")
    assert argument_matches(office, ["Wisconsin’s Office of Rural Prosperity"])  # curly quote, case, possessive
    assert argument_matches(arg("Department of Justice", "Department"), ["the Department of Justice"])
    assert argument_matches(arg("U.S. Senate", "Legislature"), ["U.S Senate"])  # punctuation
    assert not argument_matches(arg("Senate", "Legislature"), ["U.S. Senate"])


def test_a_wrong_predicate_does_not_match():
    assert not matches("employedBy", SU, LWDA, HEAD)
    assert not matches("chairpersonOf", SU, LWDA, HEAD)  # a sub-property is not the gold predicate


def test_a_wrong_argument_does_not_match():
    assert not matches("headOf", arg("Dave Turk"), LWDA, HEAD)
    assert not matches("headOf", SU, arg("California Department of Labor", "Department"), HEAD)


def test_a_coreferent_acronym_of_the_same_sentence_may_stand_for_the_argument():
    full = GoldEntity(text="International Energy Agency", start=60, end=87, type="Organization")
    acronym = GoldEntity(text="IEA", start=89, end=92, type="Organization")
    person = GoldEntity(text="Dave Turk", start=0, end=9, type="Person")
    texts = coreferent_texts(full, [person, full, acronym])
    assert texts == {"International Energy Agency", "IEA"}
    gold = GoldFact(subject="Dave Turk", predicate="employedBy", object="International Energy Agency")
    only_acronym = arg("IEA", "Organization")
    assert matches("employedBy", arg("Dave Turk"), only_acronym, gold, object_texts=texts)
    assert not matches("employedBy", arg("Dave Turk"), only_acronym, gold)  # without the co-reference


def test_a_mention_the_store_resolved_to_the_same_entity_corefers():
    turk = GoldEntity(text="Turk", start=0, end=4, type="Person")
    full = GoldEntity(text="Dave Turk", start=40, end=49, type="Person")
    assert coreferent_texts(turk, [turk, full]) == {"Turk"}
    assert coreferent_texts(turk, [turk, full], lambda a, b: True) == {"Turk", "Dave Turk"}


def test_acronyms():
    assert is_acronym("DARPA", "Defense Advanced Research Projects Agency")
    assert is_acronym("OLA", "Office of Legislative Affairs")
    assert is_acronym("EPA", "Environmental Protection Agency")
    assert not is_acronym("Turk", "Dave Turk") and not is_acronym("IEA", "Dave Turk")


def test_a_gold_fact_is_matched_once():
    # two stored facts (two entities named Turk) both state the one gold fact: one is right, one is not
    pairs = match_once(["turk-a", "turk-b"], ["gold"], lambda p, g: True)
    assert len(pairs) == 1
    # and the matching is maximal: a prediction that fits two gold facts leaves the other's one free
    pairs = match_once(["both", "first-only"], ["first", "second"],
                       lambda p, g: p == "both" or g == "first")
    assert pairs == {0: 1, 1: 0}


def test_a_false_positive_of_an_inverse_predicate_is_scored_under_the_gold_one():
    assert canonical_predicate("hasHead", {"headOf"}, PREDICATES.inverse) == "headOf"
    assert canonical_predicate("headOf", {"headOf"}, PREDICATES.inverse) == "headOf"
    assert canonical_predicate("replaces", {"headOf"}, PREDICATES.inverse) == "replaces"


def test_scores():
    assert score(0, 0, 0).f1 == 0.0
    s = score(2, 4, 8)
    assert (s.precision, s.recall, s.f1) == (0.5, 0.25, 0.3333)


# -- entities --------------------------------------------------------------------------------------
def test_entity_scores_by_span_and_type():
    class_of = class_mapper(ONTOLOGY.ancestors)
    assert class_of("Act") == "Legislation" and class_of("GovernmentOrganization") == "Organization"
    assert class_of("Company") == "Organization" and class_of("NoSuchType") == "NoSuchType"
    gold = [Span(0, 9, "Person"), Span(20, 47, "Organization"), Span(50, 60, "Agreement"), Span(70, 80, "Position"),
            Span(90, 95, "Country")]
    stored = [
        Span(0, 9, "Person"),  # right
        Span(20, 47, "Agency"),  # a subclass of the gold Organization: right
        Span(50, 60, "Act"),  # gold Agreement counts as Legislation, Act is one
        Span(70, 80, "Person"),  # the gold span, the wrong type
        Span(100, 108, "Position"),  # a title no fact uses: not annotated, not counted
        Span(110, 115, "Country"),  # on no gold span: wrong
    ]
    result = score_entities(gold, stored, ONTOLOGY.is_subclass, class_of)
    assert result.excluded == {"Position": 1}
    assert (result.micro.true_positives, result.micro.predicted, result.micro.support) == (3, 5, 5)
    assert (result.span_only.true_positives, result.span_only.predicted) == (4, 5)
    assert result.per_class["Person"].model_dump(include={"true_positives", "predicted", "support"}) == {
        "true_positives": 1, "predicted": 2, "support": 1}
    assert result.per_class["Organization"].f1 == 1.0 and result.per_class["Legislation"].f1 == 1.0
    assert result.per_class["Position"].recall == 0.0 and result.per_class["Country"].precision == 0.0


# -- the gold file ---------------------------------------------------------------------------------
def test_sentences_group_by_source_in_file_order():
    lines = [GoldSentence(id=i, source=src, document=f"title {src}", year=year, text=f"Sentence {i}.")
             for i, src, year in (("1", "a", 1841), ("2", "b", 2021), ("3", "a", 1841))]
    documents = group_documents(lines)
    assert [(d.key, d.source, d.title, d.year) for d in documents] == [
        ("doc-001", "a", "title a", 1841), ("doc-002", "b", "title b", 2021)]
    assert documents[0].text == "Sentence 1.\n\nSentence 3."


@pytest.mark.skipif(not DEV.is_file(), reason="the GovFacts dev set is not beside the project")
def test_the_dev_file_reads_and_groups_into_its_documents():
    sentences = load_gold(DEV)
    assert len(sentences) == 65 and sum(len(s.facts) for s in sentences) == 147
    documents = group_documents(sentences)
    assert len(documents) == 33
    first = documents[0]
    assert [s.id for s in first.sentences][:2] == ["gd-001", "gd-002"] and first.year == 2021
    assert first.text.startswith(first.sentences[0].text + "\n\n" + first.sentences[1].text)
    nominations = next(d for d in documents if any(s.id == "gd-060" for s in d.sentences))
    assert [s.id for s in nominations.sentences] == ["gd-044", "gd-045", "gd-046", "gd-047", "gd-048", "gd-060"]


def _line(**changes: object) -> str:
    record: dict[str, object] = {"id": "x-1", "source": "s", "year": 2021, "text": "Dave Turk met EPA.",
                                 "entities": [{"text": "Dave Turk", "start": 0, "end": 9, "type": "Person"},
                                              {"text": "EPA", "start": 14, "end": 17, "type": "Agency"}],
                                 "facts": [{"subject": "Dave Turk", "predicate": "employedBy", "object": "EPA"}]}
    record.update(changes)
    return json.dumps(record)


@pytest.mark.parametrize(("content", "code"), [
    ("{not json", "E071"),
    (_line(text=""), "E072"),
    (json.dumps({"id": "x"}), "E072"),
    (_line() + "\n" + _line(), "E072"),  # duplicate id
    (_line(entities=[{"text": "Dave", "start": 0, "end": 9, "type": "Person"}]), "E073"),
    (_line(facts=[{"subject": "Dave Turk", "predicate": "employedBy", "object": "NASA"}]), "E074"),
    ("\n\n", "E075"),
])
def test_a_bad_gold_file_is_a_coded_error(tmp_path: Path, content: str, code: str):
    path = tmp_path / "gold.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_gold(path)
    assert raised.value.code == code


def test_a_missing_gold_file_is_a_coded_error(tmp_path: Path):
    with pytest.raises(DataError) as raised:
        load_gold(tmp_path / "absent.jsonl")
    assert raised.value.code == "E070"


def test_sentences_are_located_in_the_stored_text():
    sentences = [GoldSentence(id="a", source="s", text="One."), GoldSentence(id="b", source="s", text="One.")]
    ranges = locate("One.\n\nOne.", sentences)
    assert ranges == [(0, 4), (6, 10)]
    assert sentence_at(ranges, 6, 9) == 1 and sentence_at(ranges, 3, 7) is None
    with pytest.raises(DataError) as raised:
        locate("Two.", sentences)
    assert raised.value.code == "E077"


# -- the whole path, with a scripted pipeline and a real SQLite store ---------------------------------
class ScriptedPipeline:
    """Stores what the test names: entities found by their text in each blank-line paragraph, and facts
    (status "fact") or candidates ("rejected", "low_confidence") between them."""

    extractor = Extractor(name="scripted", version="1")

    def __init__(self, entities: dict[str, tuple[str, tuple[str, ...]]],
                 facts: list[tuple[str, str, str, str]]) -> None:
        self.entities = entities  # text → (type, aliases)
        self.facts = facts  # (subject text, predicate, object text, status)

    def run(self, document: Document) -> DocumentGraph:
        text, sentences, start = document.text, [], 0
        for index, part in enumerate(text.split("\n\n")):
            sentences.append(Sentence(document_id=document.id, index=index, start=start, end=start + len(part),
                                      text=part))
            start += len(part) + 2
        mentions: dict[str, list[Mention]] = {}
        for sentence in sentences:
            for name, (type_, _) in self.entities.items():
                at = sentence.text.find(name)
                if at >= 0:
                    begin = sentence.start + at
                    mentions.setdefault(name, []).append(Mention(
                        id=mention_id(document.id, begin, begin + len(name), type_), document_id=document.id,
                        sentence_index=sentence.index, start=begin, end=begin + len(name), text=name, type=type_,
                        confidence=1.0, extractor=self.extractor, entity_id=entity_id(name)))
        entities = tuple(Entity(id=entity_id(n), name=n, type=t, aliases=a)
                         for n, (t, a) in self.entities.items() if n in mentions)
        kept, held = [], []
        for subject, predicate, obj, status in self.facts:
            provenance = tuple(
                Provenance(document_id=document.id, sentence_index=s.sentence_index, subject_start=s.start,
                           subject_end=s.end, object_start=o.start, object_end=o.end, confidence=0.9,
                           extractor=self.extractor)
                for s in mentions.get(subject, []) for o in mentions.get(obj, [])
                if s.sentence_index == o.sentence_index)
            if not provenance:
                continue
            fact = Fact(id=fact_id(entity_id(subject), predicate, entity_id(obj)), subject_id=entity_id(subject),
                        predicate=predicate, object_id=entity_id(obj), confidence=0.9, provenance=provenance)
            if status == "fact":
                kept.append(fact)
            else:
                held.append(CandidateFact(fact=fact, status=status, reason=f"scripted {status}"))
        return DocumentGraph(document=document, sentences=tuple(sentences),
                             mentions=tuple(m for ms in mentions.values() for m in ms), entities=entities,
                             facts=tuple(kept), candidates=tuple(held))


GOLD = [
    GoldSentence(id="t-1", source="doc-a", year=2021, text="Julie A. Su leads the LWDA.",
                 entities=(GoldEntity(text="Julie A. Su", start=0, end=11, type="Person"),
                           GoldEntity(text="LWDA", start=22, end=26, type="Agency")),
                 facts=(GoldFact(subject="Julie A. Su", predicate="headOf", object="LWDA"),)),
    GoldSentence(id="t-2", source="doc-b", year=2023, text="Dave Turk works at the IEA and met Julie A. Su.",
                 entities=(GoldEntity(text="Dave Turk", start=0, end=9, type="Person"),
                           GoldEntity(text="IEA", start=23, end=26, type="Organization"),
                           GoldEntity(text="Julie A. Su", start=35, end=46, type="Person")),
                 facts=(GoldFact(subject="Dave Turk", predicate="employedBy", object="IEA"),
                        GoldFact(subject="Dave Turk", predicate="memberOf", object="IEA"))),
    GoldSentence(id="t-3", source="doc-a", year=2021, text="Julie A. Su spoke to the LWDA.",
                 entities=(GoldEntity(text="Julie A. Su", start=0, end=11, type="Person"),
                           GoldEntity(text="LWDA", start=25, end=29, type="Agency"))),
]


def test_stored_facts_and_candidates_are_read_back_and_scored(tmp_path: Path):
    pipeline = ScriptedPipeline(
        entities={"Julie A. Su": ("Person", ()), "LWDA": ("Agency", ("Labor and Workforce Development Agency",)),
                  "Dave Turk": ("Person", ()), "IEA": ("Organization", ())},
        facts=[("LWDA", "hasHead", "Julie A. Su", "fact"),  # t-1 right (inverse), t-3 wrong (no gold fact)
               ("Dave Turk", "employedBy", "IEA", "low_confidence"),  # held back, would have been right
               ("Dave Turk", "relativeOf", "Julie A. Su", "rejected")],  # held back, wrong
    )
    store = SqliteStore(tmp_path / "scratch.sqlite3")
    try:
        importer = Importer(lambda: pipeline, store, ImportOptions())  # type: ignore[arg-type, return-value]
        result = evaluate_facts(GOLD, importer, ONTOLOGY, tmp_path, data="scripted")
    finally:
        store.close()
    assert (result.documents, result.sentences) == (2, 3)
    # the hasHead fact's provenance lands in t-1 and t-3 of doc-a: one prediction each
    assert (result.micro.true_positives, result.micro.predicted, result.micro.support) == (1, 2, 3)
    assert [(r.sentence_id, r.predicate) for r in result.correct] == [("t-1", "hasHead")]
    assert [(r.sentence_id, r.subject, r.object) for r in result.false_positives] == [("t-3", "LWDA", "Julie A. Su")]
    assert result.false_positives[0].subject_aliases == ["Labor and Workforce Development Agency"]
    assert result.false_positives[0].extractors == ["scripted 1"]
    head = result.per_predicate["headOf"]  # the inverse's false positive is scored under headOf
    assert (head.true_positives, head.predicted, head.support) == (1, 2, 1)
    assert sorted((m.sentence_id, m.predicate) for m in result.missed) == [("t-2", "employedBy"), ("t-2", "memberOf")]
    candidates = result.candidates
    assert (candidates.total, candidates.by_status, candidates.right, candidates.recovers_missed) == (
        2, {"low_confidence": 1, "rejected": 1}, 1, 1)
    by_predicate = {c.predicate: c for c in candidates.rows}
    assert by_predicate["employedBy"].right and by_predicate["employedBy"].reason == "scripted low_confidence"
    assert not by_predicate["relativeOf"].right and by_predicate["relativeOf"].status == "rejected"
    assert result.entities.micro.true_positives == 7 and result.entities.micro.support == 7
