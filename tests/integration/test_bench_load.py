"""`govkg bench load`, run as a real process against SQLite and the real Neo4j server: the figures it
prints, that its passes leave no duplicates, and that it leaves nothing of its own behind."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import neo4j
import pytest

from graph.factory import Neo4jConnection


@pytest.fixture
def bench(govkg) -> Callable[..., object]:
    """`bench(data_dir, *args, env=None)`: `govkg bench load ... --json` as a real process."""
    return lambda data_dir, *args, env=None: govkg(data_dir, "bench", "load", *args, "--json", env=env, timeout=600)


@pytest.mark.neo4j
def test_neo4j_load_bench_with_the_write_ceiling_leaves_nothing_behind(bench, wipe_neo4j, tmp_path: Path,
                                                                       neo4j_connection: Neo4jConnection):
    wipe_neo4j(neo4j_connection)
    result = bench(tmp_path, "--store", neo4j_connection.uri, "--facts", "600", "--facts-per-document", "200",
                   "--naive-sample", "20", "--ceiling",
                   env={"GOVKG_NEO4J__PASSWORD": neo4j_connection.password, "GOVKG_NEO4J__BATCH_SIZE": "250"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["store"], report["facts"], report["documents"], report["naive_sample"]) == ("neo4j", 600, 3, 20)
    assert report["facts_in_store"] == 600 and not report["duplicates"]
    assert report["batched_facts_per_s"] > 0 and report["second_pass_facts_per_s"] > 0
    assert report["speedup_vs_naive"] == pytest.approx(  # each figure rounded to 0.1
        report["batched_facts_per_s"] / report["naive_facts_per_s"], abs=0.1)
    ceiling = report["ceiling"]
    assert (ceiling["facts"], ceiling["batch_size"]) == (600, 250)
    assert set(ceiling["models"]) == {"typed_relationship", "typed_relationship_merged",
                                      "typed_relationship_with_provenance"}
    assert [(run["model"], run["writers"]) for run in ceiling["runs"]] == [
        (model, writers) for model in ceiling["models"] for writers in (1, 2)]
    assert all(run["facts_per_s"] == pytest.approx(600 / run["seconds"], rel=0.02) for run in ceiling["runs"])

    auth = (neo4j_connection.user, neo4j_connection.password)
    with neo4j.GraphDatabase.driver(neo4j_connection.uri, auth=auth) as driver:
        left, _, _ = driver.execute_query(
            "MATCH (n) WHERE n:BenchCeiling OR n:BenchNaive OR n:Document OR n:Fact RETURN count(n) AS n")
        constraints, _, _ = driver.execute_query(
            "SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'bench_' RETURN collect(name) AS names")
    assert left[0]["n"] == 0
    assert constraints[0]["names"] == []


def test_sqlite_load_bench_and_the_ceiling_is_refused_there(bench, tmp_path: Path):
    store = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    result = bench(tmp_path, "--store", store, "--facts", "300", "--facts-per-document", "100", "--naive-sample", "10")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["store"], report["facts"], report["documents"]) == ("sqlite", 300, 3)
    assert report["facts_in_store"] == 300 and not report["duplicates"]
    assert "ceiling" not in report

    refused = bench(tmp_path, "--store", store, "--facts", "10", "--ceiling")
    assert refused.returncode == 1
    assert "Neo4j" in json.loads(refused.stdout)["error"]
