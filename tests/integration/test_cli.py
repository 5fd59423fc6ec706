"""The `govkg` command line, run as a real process on real files."""
from __future__ import annotations

import json
import shutil
from pathlib import Path


def test_import_twice_skips_everything_and_keeps_counts(govkg, docs_dir: Path, tmp_path: Path):
    data = tmp_path / "data"
    first = govkg(data, "import", str(docs_dir), "--department", "Executive Office of the President", "--json")
    assert first.returncode == 1, first.stderr  # speeches.jsonl has two bad lines
    report = json.loads(first.stdout)
    assert report["documents_ok"] == 8 and report["documents_failed"] == 2
    assert {(f["path"].rsplit("/", 1)[-1], f["code"]) for f in report["failures"]} == {
        ("speeches.jsonl", "E011"), ("speeches.jsonl", "E012")}
    stats_before = json.loads(govkg(data, "stats", "--json").stdout)
    second = json.loads(govkg(data, "import", str(docs_dir), "--json").stdout)
    assert second["documents_skipped"] == 8 and second["documents_ok"] == 0
    assert json.loads(govkg(data, "stats", "--json").stdout) == stats_before
    assert stats_before["documents"] == 8 and stats_before["mentions"] > 20


def test_bad_files_are_reported_and_the_rest_imported(govkg, docs_dir: Path, bad_dir: Path, tmp_path: Path):
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("corrupt.pdf", "empty.txt", "binary.txt", "corrupt.docx"):
        shutil.copy(bad_dir / name, batch / name)
    for name in ("2020_trump_latin1.txt", "2003_bush_excerpt.txt", "2017_trump_excerpt.pdf"):
        shutil.copy(docs_dir / name, batch / name)
    result = govkg(tmp_path / "data", "import", str(batch))  # the human report (test_import_twice reads --json)
    assert result.returncode == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed ")]
    assert [(Path(line.split()[1].rstrip(":")).name, line.split()[2]) for line in failed] == [
        ("binary.txt", "[E004]"), ("corrupt.docx", "[E010]"), ("corrupt.pdf", "[E007]"), ("empty.txt", "[E002]")]
    table = dict(tuple(cell.strip() for cell in line.strip("│").split("│")) for line in result.stdout.splitlines()
                 if line.startswith("│"))
    assert (table["documents ok"], table["documents failed"], table["documents skipped"]) == ("3", "4", "0")
    documents = json.loads(govkg(tmp_path / "data", "documents", "list", "--json").stdout)
    assert sorted(d["source_name"] for d in documents) == [
        "2003_bush_excerpt.txt", "2017_trump_excerpt.pdf", "2020_trump_latin1.txt"]
    latin1 = next(d for d in documents if d["source_name"] == "2020_trump_latin1.txt")
    shown = json.loads(govkg(tmp_path / "data", "documents", "show", latin1["id"], "--json").stdout)
    assert "Juan Guaidó" in shown["text"] and shown["published"] == "2020"


def test_changed_file_replaces_its_old_version(govkg, tmp_path: Path):
    source = tmp_path / "notice.txt"
    source.write_text("The Department of Defense will report to the Congress.", encoding="utf-8")
    data = tmp_path / "data"
    govkg(data, "import", str(source), "--json")
    source.write_text("The FBI will report to the Congress.", encoding="utf-8")
    report = json.loads(govkg(data, "import", str(source), "--json").stdout)
    assert report["documents_replaced"] == 1
    stats = json.loads(govkg(data, "stats", "--json").stdout)
    assert stats["documents"] == 1
    hits = json.loads(govkg(data, "entities", "search", "defense", "--json").stdout)
    assert hits == []  # the old version's entities went with it


def test_reextract_runs_a_changed_pipeline_over_unchanged_documents(govkg, tmp_path: Path):
    """Re-importing an unchanged file skips it; with --reextract the (changed) pipeline runs again
    and the document is rewritten in place: new facts, no duplicates."""
    source = tmp_path / "2020_grassley.txt"  # the 2020 State of the Union
    source.write_text("I have been speaking to Senator Chuck Grassley of Iowa and others in the Congress in "
                      "order to get something on drug pricing done, and done properly.", encoding="utf-8")
    data = tmp_path / "data"
    gazetteer_only = {"GOVKG_PIPELINE__RECOGNIZERS": '["gazetteer"]'}
    first = json.loads(govkg(data, "import", str(source), "--json",
                             env={**gazetteer_only, "GOVKG_PIPELINE__RELATION_EXTRACTORS": "[]"}).stdout)
    assert first["documents_ok"] == 1 and first["facts"] == 0 and first["mentions"] == 3
    again = json.loads(govkg(data, "import", str(source), "--json", env=gazetteer_only).stdout)
    assert again["documents_skipped"] == 1 and again["facts"] == 0
    redone = json.loads(govkg(data, "import", str(source), "--reextract", "--json", env=gazetteer_only).stdout)
    assert redone["documents_reextracted"] == 1 and redone["documents_ok"] == 1
    assert redone["documents"][0]["status"] == "reextracted" and redone["facts"] == 1
    stats = json.loads(govkg(data, "stats", "--json").stdout)
    assert (stats["documents"], stats["mentions"], stats["entities"], stats["facts"]) == (1, 3, 3, 1)
    assert stats["facts_by_predicate"] == {"represents": 1}


def test_search_show_and_delete(govkg, docs_dir: Path, tmp_path: Path):
    data = tmp_path / "data"
    imported = json.loads(govkg(data, "import", str(docs_dir / "2021_biden_excerpt.md"),
                                str(docs_dir / "2003_bush_excerpt.txt"), "--json").stdout)
    mentions = {d["id"]: d["mentions"] for d in imported["documents"]}
    assert sorted(mentions.values()) == [3, 5]
    hits = json.loads(govkg(data, "entities", "search", "defense", "--json").stdout)
    assert hits[0]["name"] == "Department of Defense"
    detail = json.loads(govkg(data, "entities", "show", hits[0]["id"], "--json").stdout)
    assert {m["text"] for m in detail["mentions"]} == {"Department of Defense", "Defense Department"}
    bad_type = govkg(data, "entities", "search", "defense", "--type", "Spaceship", "--json")
    assert bad_type.returncode == 2 and "unknown type" in json.loads(bad_type.stdout)["error"]
    missing = govkg(data, "entities", "show", "ent_nope", "--json")
    assert missing.returncode == 1 and "ent_nope" in json.loads(missing.stdout)["error"]
    doc_id = detail["mentions"][0]["document_id"]
    deleted = json.loads(govkg(data, "documents", "delete", doc_id, "--json").stdout)
    assert deleted["document_id"] == doc_id and deleted["mentions_removed"] == mentions[doc_id]


def test_unknown_store_url_is_a_clear_error(govkg, tmp_path: Path):
    result = govkg(tmp_path / "data", "stats", "--store", "mysql://x", "--json")
    assert result.returncode == 1 and "unknown store 'mysql://x'" in json.loads(result.stdout)["error"]


def test_facts_show_and_candidates(govkg, docs_dir: Path, tmp_path: Path):
    data = tmp_path / "data"
    govkg(data, "import", str(docs_dir / "2020_trump_excerpt.docx"), "--json")
    grassley = json.loads(govkg(data, "entities", "search", "Chuck Grassley", "--json").stdout)[0]["id"]
    fact_id = json.loads(govkg(data, "entities", "show", grassley, "--json").stdout)["facts"][0]["id"]
    fact = json.loads(govkg(data, "facts", "show", fact_id, "--json").stdout)
    assert (fact["subject"]["name"], fact["predicate"], fact["object"]["name"]) == (
        "Chuck Grassley", "represents", "Iowa")
    assert json.loads(govkg(data, "facts", "candidates", "--json").stdout) == []
    bad = govkg(data, "facts", "candidates", "--status", "maybe", "--json")
    assert bad.returncode == 2 and "unknown status" in json.loads(bad.stdout)["error"]
