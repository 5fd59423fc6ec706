"""`govkg evaluate facts` as a real process: gold sentences through the production import path (the rule
layers: gazetteer and patterns) into a scratch store, scored; the user's store is never touched."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

RULES_ONLY = {"GOVKG_PIPELINE__RECOGNIZERS": '["gazetteer"]', "GOVKG_PIPELINE__RELATION_EXTRACTORS": '["patterns"]'}


@pytest.fixture
def rules_only(govkg) -> Callable[..., object]:
    """The shared `govkg` fixture with the rule layers pinned (gazetteer and patterns) whatever the environment."""
    return lambda data_dir, *args, env=None: govkg(data_dir, *args, env={**RULES_ONLY, **(env or {})})


def entity(text: str, sentence: str, type_: str) -> dict[str, object]:
    start = sentence.index(text)
    return {"text": text, "start": start, "end": start + len(text), "type": type_}


CANTWELL = "I spoke today with Senator Maria Cantwell of Washington about the salmon plan."
FBI = "The Federal Bureau of Investigation, an agency within the Department of Justice, opened an inquiry."
# annotated by the dev set's guidelines (a Position only where a fact uses it)
WRITTEN = [
    {"id": "t-001", "source": "tests/written.md", "document": "Written for the test", "year": 2024, "text": CANTWELL,
     "entities": [entity("Senator", CANTWELL, "Position"), entity("Maria Cantwell", CANTWELL, "Person"),
                  entity("Washington", CANTWELL, "StateOrRegion")],
     "facts": [{"subject": "Maria Cantwell", "predicate": "represents", "object": "Washington",
                "evidence": "Senator Maria Cantwell of Washington"},
               {"subject": "Maria Cantwell", "predicate": "holdsPosition", "object": "Senator",
                "evidence": "Senator Maria Cantwell"}]},
    {"id": "t-002", "source": "tests/written.md", "document": "Written for the test", "year": 2024, "text": FBI,
     "entities": [entity("Federal Bureau of Investigation", FBI, "Agency"),
                  entity("Department of Justice", FBI, "Department")],
     "facts": [{"subject": "Federal Bureau of Investigation", "predicate": "subOrganizationOf",
                "object": "Department of Justice", "evidence": "an agency within the Department of Justice"}]},
]


# two real lines of the GovFacts dev set (shared/data/govfacts/dev.jsonl), verbatim: gd-004 (a fact between
# places the gazetteer does not list) and gd-053 (no fact, two countries the gazetteer knows)
REAL = [
    {"id": "gd-004",
     "source": "brian14708/wh-briefings/statements-releases/2021-02/"
               "2021-02-10-president-biden-announces-additional-members-of-his-energy-and-jobs-team.md",
     "document": "President Biden Announces Additional Members of His Energy and Jobs Team",
     "year": 2021,
     "text": "Turk was born in Quito, Ecuador, and grew up in a small Midwestern town.",
     "entities": [{"text": "Turk", "start": 0, "end": 4, "type": "Person"},
                  {"text": "Quito", "start": 17, "end": 22, "type": "City"},
                  {"text": "Ecuador", "start": 24, "end": 31, "type": "Country"}],
     "facts": [{"subject": "Quito", "predicate": "country", "object": "Ecuador", "evidence": "Quito, Ecuador"}]},
    {"id": "gd-053",
     "source": "brian14708/wh-briefings/statements-releases/2023-03/2023-03-07-statement-from-national-security-"
               "advisor-jake-sullivan-on-the-introduction-of-the-restrict-act.md",
     "document": "Statement from National Security Advisor Jake Sullivan on the Introduction of the RESTRICT Act",
     "year": 2023,
     "text": "This legislation would empower the United States government to prevent certain foreign governments "
             "from exploiting technology services operating in the United States in a way that poses risks to "
             "Americans’ sensitive data and our national security.",
     "entities": [{"text": "United States", "start": 35, "end": 48, "type": "Country"},
                  {"text": "United States", "start": 152, "end": 165, "type": "Country"}],
     "facts": []},
]


def gold_file(tmp_path: Path) -> Path:
    """The two sentences written for the test (one document) and the two real lines (two documents)."""
    lines = WRITTEN + REAL
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


def figures(score: dict[str, float]) -> tuple[object, ...]:
    return (score["true_positives"], score["predicted"], score["support"],
            score["precision"], score["recall"], score["f1"])


def test_facts_are_scored_through_the_import_path(rules_only, tmp_path: Path):
    user_store = tmp_path / "user-data"
    result = rules_only(user_store, "evaluate", "facts", "--data", str(gold_file(tmp_path)), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert not user_store.exists()  # a scratch store: the user's data dir is not created, let alone written
    assert (report["documents"], report["sentences"]) == (3, 4)
    assert report["recognizers"] == ["gazetteer"] and report["relation_extractors"] == ["patterns"]
    # stored: represents and subOrganizationOf, both right; missed: holdsPosition (no Position mention
    # without a model) and gd-004's `Quito country Ecuador` (no mention at all)
    assert figures(report["micro"]) == (2, 2, 4, 1.0, 0.5, 0.6667)
    per = report["per_predicate"]
    assert figures(per["represents"]) == (1, 1, 1, 1.0, 1.0, 1.0)
    assert figures(per["subOrganizationOf"]) == (1, 1, 1, 1.0, 1.0, 1.0)
    assert figures(per["holdsPosition"])[:3] == (0, 0, 1) and figures(per["country"])[:3] == (0, 0, 1)
    assert sorted((r["sentence_id"], r["subject"], r["predicate"], r["object"]) for r in report["correct"]) == [
        ("t-001", "Maria Cantwell", "represents", "Washington"),
        ("t-002", "Federal Bureau of Investigation", "subOrganizationOf", "Department of Justice")]
    assert all(r["extractors"][0].startswith("patterns ") for r in report["correct"])
    assert report["false_positives"] == []
    assert sorted((m["sentence_id"], m["predicate"]) for m in report["missed"]) == [
        ("gd-004", "country"), ("t-001", "holdsPosition")]
    assert report["candidates"]["total"] == 0
    # entities: 6 stored mentions, each on its gold span with its gold type; 10 gold mentions
    entities = report["entities"]
    assert figures(entities["micro"]) == (6, 6, 10, 1.0, 0.6, 0.75)
    assert figures(entities["span_only"]) == (6, 6, 10, 1.0, 0.6, 0.75)
    assert figures(entities["per_class"]["Country"]) == (2, 2, 3, 1.0, 0.6667, 0.8)
    assert figures(entities["per_class"]["Position"])[:3] == (0, 0, 1)


def test_held_back_facts_are_counted_and_judged(rules_only, tmp_path: Path):
    """Above every rule's confidence, the threshold holds all facts back: none is stored, and the
    candidates say they would have been right."""
    result = rules_only(tmp_path / "data", "evaluate", "facts", "--data", str(gold_file(tmp_path)), "--json",
                   env={"GOVKG_PIPELINE__MIN_FACT_CONFIDENCE": "0.99"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert figures(report["micro"]) == (0, 0, 4, 0.0, 0.0, 0.0)
    candidates = report["candidates"]
    assert (candidates["total"], candidates["by_status"], candidates["right"], candidates["recovers_missed"]) == (
        2, {"low_confidence": 2}, 2, 2)
    assert {(c["sentence_id"], c["predicate"], c["status"]) for c in candidates["rows"]} == {
        ("t-001", "represents", "low_confidence"), ("t-002", "subOrganizationOf", "low_confidence")}
    assert all("below the threshold" in c["reason"] for c in candidates["rows"])


def test_the_tables_and_a_bad_gold_file(rules_only, tmp_path: Path):
    tables = rules_only(tmp_path / "data", "evaluate", "facts", "--data", str(gold_file(tmp_path)))
    assert tables.returncode == 0, tables.stderr
    assert "P 1.000  R 0.500  F1 0.667" in tables.stdout and "per predicate" in tables.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "source": "s", "text": "Hi."}\n{oops\n', encoding="utf-8")
    failed = rules_only(tmp_path / "data", "evaluate", "facts", "--data", str(bad), "--json")
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["error"].startswith("[E071]")
