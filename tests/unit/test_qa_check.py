"""Citation and answer validation, generated-answer parsing, and the evaluation's scoring rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from extraction.records import Document, DocumentGraph, Sentence, document_id
from graph.sqlite.store import SqliteStore
from qa.check import attribute, check_answer, is_one_of
from qa.errors import BadQuestionsFile
from qa.evaluation import QaQuestion, answer_matches, citation_correct, load_questions, token_f1
from qa.generators.base import parse_answer
from qa.models import Citation

EVIDENCE = {
    1: "Chuck Grassley — represents — Iowa",
    2: "I compliment the Congress for passing the Family and Medical Leave Act as a good first step.",
}
QUESTION = "Which act did President Clinton compliment Congress for passing?"


def test_a_supported_answer_with_existing_citations_passes() -> None:
    assert check_answer("Family and Medical Leave Act", [2], EVIDENCE, QUESTION).ok
    assert check_answer("Iowa", [1], EVIDENCE, "Which state does Chuck Grassley represent?").ok


@pytest.mark.parametrize(("answer", "cited", "reason"), [
    ("", [2], "empty"),
    ("Family and Medical Leave Act", [7], "does not exist"),
    ("Family and Medical Leave Act", [], "cites no evidence"),
    ("Social Security Act", [2], "Social, Security"),  # names what the cited sentence does not say
    ("Iowa", [2], "Iowa"),  # true elsewhere, not in what it cites
    ("unknown", [2], "does not answer"),
    ("The evidence does not say who passed it", [2], "does not answer"),
    ("Congress", [2], "repeats the question"),
    ("It was the very first bill that the Congress passed and the President signed into law that year", [2], "short"),
])
def test_unsupported_or_uncited_answers_fail(answer: str, cited: list[int], reason: str) -> None:
    result = check_answer(answer, cited, EVIDENCE, QUESTION)
    assert not result.ok and reason in (result.reason or "")


def test_uncited_answers_are_attributed_to_the_evidence_that_states_them() -> None:
    assert attribute("Family and Medical Leave Act", EVIDENCE) == [2]
    assert attribute("Iowa", EVIDENCE) == [1]
    assert attribute("Social Security Act", EVIDENCE) == []
    assert is_one_of("The Family and Medical Leave Act", ["Family and Medical Leave Act", "Congress"])
    assert not is_one_of("Social Security Act", ["Family and Medical Leave Act"])
    assert not is_one_of("The Interior Department handles salmon when they are in saltwater", ["Interior Department"])


def test_generated_text_is_parsed_into_answer_and_citations() -> None:
    parsed = parse_answer("The answer is: Family and Medical Leave Act [2][1].\nIt was passed in 1993.")
    assert parsed.text == "Family and Medical Leave Act" and parsed.cited == [2, 1]
    assert parse_answer("").text == "" and parse_answer("Answer: Iowa").cited == []


def test_answer_matching_and_token_f1() -> None:
    assert answer_matches("Justice Department", ["Department of Justice", "Justice Department"]) == (True, True)
    assert answer_matches("General Mark Milley", ["Mark Milley"]) == (True, False)
    assert answer_matches("Pérez de Cuéllar", ["Perez de Cuellar"]) == (True, True)
    assert answer_matches("Mark", ["Mark Milley"]) == (False, False)
    assert answer_matches("", ["Iowa"]) == (False, False)
    assert token_f1("Mark Milley", "General Mark Milley") == pytest.approx(0.8)
    assert token_f1("Iowa", "Kentucky") == 0.0


def test_citation_accuracy_needs_the_evidence_document_and_an_overlapping_sentence(tmp_path: Path) -> None:
    text = "First sentence here. I compliment the Congress for passing the Family and Medical Leave Act today."
    doc = Document(id=document_id(text), text=text, title="1993", source_path="/x/1993.txt", source_name="1993.txt",
                   format="txt")
    sentences = (Sentence(document_id=doc.id, index=0, start=0, end=20, text=text[:20]),
                 Sentence(document_id=doc.id, index=1, start=21, end=len(text), text=text[21:]))
    store = SqliteStore(tmp_path / "s.sqlite3")
    store.write(DocumentGraph(document=doc, sentences=sentences, mentions=(), entities=(), facts=()))
    question = QaQuestion(id="q", question="?", answers=["Family and Medical Leave Act"], kind="legislation",
                          document="1993.txt", evidence="passing the Family and Medical Leave Act")

    def cite(index: int, source: str = "1993.txt") -> Citation:
        s = sentences[index]
        return Citation(document_id=doc.id, document_title="1993", document_source=source, sentence=s.text,
                        start=s.start, end=s.end)

    assert citation_correct(question, [cite(1)], store)
    assert not citation_correct(question, [cite(0)], store)  # the right document, another sentence
    assert not citation_correct(question, [cite(1, "other.txt")], store)
    structured = QaQuestion(id="s", question="?", answers=["Iowa"], kind="structured",
                            evidence="legislators-current.yaml: Chuck Grassley, state: IA")
    record = Citation(document_id="d", document_title="t", document_source="legislators-current.yaml",
                      sentence="Chuck Grassley (Republican Party) represents Iowa (IA).", start=0, end=10)
    assert citation_correct(structured, [record], store)
    assert not citation_correct(structured, [record.model_copy(update={"document_source": "x.yaml"})], store)
    store.close()


def test_questions_files_are_checked(tmp_path: Path) -> None:
    good = tmp_path / "q.jsonl"
    good.write_text('{"id": "a", "question": "Who?", "answers": [], "kind": "unanswerable"}\n\n', encoding="utf-8")
    assert [q.id for q in load_questions(good)] == ["a"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(BadQuestionsFile, match="line 1"):
        load_questions(bad)
    with pytest.raises(BadQuestionsFile, match="cannot read"):
        load_questions(tmp_path / "missing.jsonl")
