"""`govkg ask`, `govkg evaluate qa` and `govkg bench qa`, run as real processes on real files."""
from __future__ import annotations

import json
from pathlib import Path

QUESTIONS = [
    {"id": "t-1", "question": "Which act did President Clinton compliment the Congress for passing in 1993?",
     "answers": ["Family and Medical Leave Act"], "kind": "legislation",
     "document": "1993_william_j_clinton_d_excerpt.txt",
     "evidence": "I compliment the Congress for passing the Family and Medical Leave Act"},
    {"id": "t-2", "question": "Which state does Senator Chuck Grassley represent?", "answers": ["Iowa"],
     "kind": "relation", "document": "2020_donald_j_trump_r_excerpt.txt", "evidence": "Senator Chuck Grassley of Iowa"},
    {"id": "t-3", "question": "Who was the Secretary of Defense who recommended the defense cuts in 1992?",
     "answers": [], "kind": "unanswerable", "document": None, "evidence": None},
]


def test_ask_evaluate_and_bench_from_the_command_line(govkg, fixtures_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert govkg(data, "import", str(fixtures_dir / "qa"), "--json").returncode == 0
    asked = govkg(data, "ask", "Which state does Senator Chuck Grassley represent?", "--mode", "extractive", "--json")
    assert asked.returncode == 0, asked.stderr
    body = json.loads(asked.stdout)
    assert body["answer"] == "Iowa" and body["citations"][0]["triple"]["predicate"] == "represents"

    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    evaluated = govkg(data, "evaluate", "qa", "--questions", str(questions), "--mode", "extractive", "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    assert (result["answerable"], result["answered_right"], result["right_with_citation"]) == (2, 2, 2)
    assert (result["unanswerable"], result["abstained_unanswerable"], result["abstention_precision"]) == (1, 1, 1.0)
    assert result["by_kind"]["legislation"]["citation_accuracy"] == 1.0
    assert {"analysis", "text_retrieval", "reader", "total"} <= set(result["latency"])
    assert result["latency"]["total"]["p95_ms"] >= result["latency"]["total"]["p50_ms"] > 0

    bench = govkg(data, "bench", "qa", "--questions", str(questions), "--mode", "extractive", "--json")
    assert bench.returncode == 0, bench.stderr
    timings = json.loads(bench.stdout)
    assert timings["questions"] == 3 and timings["startup_ms"] > 0 and timings["first_question_ms"] > 0
    assert set(timings["stages"]) >= {"analysis", "total"}

    bad = govkg(data, "evaluate", "qa", "--questions", str(tmp_path / "missing.jsonl"), "--json")
    assert bad.returncode == 1 and "Q004" in json.loads(bad.stdout)["error"]
