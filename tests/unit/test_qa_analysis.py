"""Question analysis: answer types from wh-words and ontology labels, predicates, constraints, linking."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from extraction.pipeline import Pipeline
from extraction.records import Document, document_id
from graph.sqlite.store import SqliteStore
from ontology.schema import load_ontology
from qa.analysis import RulesAnalyzer, date_phrases
from qa.spans import PatternSpans, RecognizerSpans, SpacySpans

GRASSLEY = "2020_donald_j_trump_r_excerpt.txt"
TREASURY = "1992_george_bush_r_excerpt.txt"


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline,
             fixtures_dir: Path) -> Iterator[RulesAnalyzer]:
    store = SqliteStore(tmp_path_factory.mktemp("qa") / "store.sqlite3")
    for path in (fixtures_dir / "qa" / GRASSLEY, fixtures_dir / "qa" / TREASURY):
        text = path.read_text(encoding="utf-8")
        store.write(pipeline.run(Document(id=document_id(text), text=text, title=path.stem, source_path=str(path),
                                          source_name=path.name, format="txt", published=path.name[:4])))
    ontology = load_ontology()
    sources = [RecognizerSpans(pipeline.recognizers[0]), SpacySpans(lambda label: ontology.map_entity_label(
        "ontonotes", label)), PatternSpans()]
    yield RulesAnalyzer(store, ontology, sources)
    store.close()


def test_wh_words_and_class_labels_give_the_answer_type(analyzer: RulesAnalyzer) -> None:
    assert analyzer.analyze("Which state does Senator Chuck Grassley represent?").answer_types == ["StateOrRegion"]
    assert analyzer.analyze("Which act did Congress pass in 1993?").answer_types == ["Act"]
    assert analyzer.analyze("Which 1988 law did the bill build on?").answer_types == ["Legislation"]
    assert analyzer.analyze("Which department handles salmon in saltwater?").answer_types == ["Department"]
    assert analyzer.analyze("What party is the senator affiliated with?").answer_types == ["PoliticalParty"]
    assert analyzer.analyze("When was the law signed?").answer_types == ["Date"]
    assert analyzer.analyze("Which senator co-sponsored the bill?").answer_types == ["Person", "Position"]
    # "who" asks for a person, or for a title when none is given; "who was the <title>" for a person only
    assert analyzer.analyze("Whom did the President ask to lead the review?").answer_types == ["Person", "Position"]
    assert analyzer.analyze("Who was the Secretary of State in 2005?").answer_types == ["Person"]
    acronym = analyzer.analyze("What acronym does the list give for the Agency for Healthcare Research and Quality?")
    assert acronym.wants_acronym and acronym.answer_types == ["Acronym"]
    assert analyzer.analyze("Tell me about taxes.").answer_types == []


def test_predicates_years_and_keywords(analyzer: RulesAnalyzer) -> None:
    analysis = analyzer.analyze("Which state does Senator Chuck Grassley represent, according to the 2020 address?")
    assert analysis.predicates[0] == "represents"
    assert analysis.years == [2020]
    assert {"state", "grassley", "represent", "2020"} <= set(analysis.keywords)
    assert "the" not in analysis.keywords and "which" not in analysis.keywords


def test_entities_are_linked_by_exact_names_only(analyzer: RulesAnalyzer) -> None:
    analysis = analyzer.analyze("Which state does Senator Chuck Grassley represent?")
    assert [(link.entity.name, link.entity.type, link.text) for link in analysis.links] == [
        ("Chuck Grassley", "Person", "Chuck Grassley")]
    link = analysis.links[0]
    assert analysis.question[link.start:link.end] == "Chuck Grassley"
    # a bare title names no one; a name the graph does not hold links to nothing (no guessing)
    assert analyzer.analyze("What did the President say?").links == []
    assert analyzer.analyze("Who is Zebulon Quackenbush?").links == []
    # parenthesised asides do not hide a name
    bernie = analyzer.analyze("What did Senator Chuck (Chuckie) Grassley say about drug prices?")
    assert [link.entity.name for link in bernie.links] == ["Chuck Grassley"]


def test_date_phrases_are_written_as_records_write_them() -> None:
    assert date_phrases("Who served from January 20, 2017 to January 20, 2021?") == ["2017-01-20 to 2021-01-20"]
    assert date_phrases("What happened on March 4, 1933?") == ["1933-03-04"]
    assert date_phrases("What happened in 1933?") == []


def test_pattern_spans_find_legislation_titles_and_acronyms() -> None:
    def found(text: str, kind: str) -> list[str]:
        return [s.text for s in PatternSpans().spans(text) if s.type == kind]

    assert found("Members of Congress, the No Child Left Behind Act is a bipartisan achievement.", "Act") == [
        "No Child Left Behind Act"]
    assert found("The Family Support Act of 1988 will help.", "Act") == ["Family Support Act of 1988"]
    assert found("I compliment the Congress for passing the Family and Medical Leave Act as a first step", "Act") == [
        "Family and Medical Leave Act"]
    assert found("directed the Secretary of the Treasury to change", "Position") == ["Secretary of the Treasury"]
    assert found("The Agency for Healthcare Research and Quality (AHRQ) is a federal agency.", "Acronym") == ["AHRQ"]
