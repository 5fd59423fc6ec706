"""Faults and concurrency (issue #19): two imports at once with reads during them, an import killed with
SIGKILL, a full disk, and Neo4j stopped under a serving API. Nothing is lost or duplicated, no 500."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from core.settings import load_settings
from service.components import build_services
from tools.local_server import free_port

PIPELINE_ENV = {"GOVKG_PIPELINE__RECOGNIZERS": '["gazetteer"]', "GOVKG_PIPELINE__RELATION_EXTRACTORS": '["patterns"]',
                "HF_HUB_OFFLINE": "1"}
DEPARTMENT = "Executive Office of the President"


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "GOVKG_DATA_DIR": str(data_dir), **PIPELINE_ENV}


def _import_command(db: Path, *paths: Path) -> list[str]:
    return [sys.executable, "-m", "cli", "import", *map(str, paths), "--department", DEPARTMENT,
            "--store", f"sqlite:///{db}", "--json"]


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("documents", "sentences", "mentions", "entities", "facts", "fact_provenance")}


def _clean_import(project_dir: Path, tmp_path: Path, *paths: Path) -> dict[str, int]:
    db = tmp_path / "clean.sqlite3"
    done = subprocess.run(_import_command(db, *paths), cwd=project_dir, env=_env(tmp_path / "clean"),
                          capture_output=True, text=True, timeout=600)
    assert json.loads(done.stdout)["documents_failed"] == 0, done.stderr
    return _counts(db)


def _settings(data_dir: Path):  # type: ignore[no-untyped-def]
    settings = load_settings(data_dir=data_dir)
    settings.pipeline.recognizers = ["gazetteer"]
    settings.pipeline.relation_extractors = ["patterns"]
    settings.qa.preload = False
    return settings


# -- concurrency -------------------------------------------------------------------------------------
def test_two_sqlite_imports_at_once_with_api_reads_during_them(serve_api, bearer, project_dir: Path,
                                                               samples_dir: Path, tmp_path: Path) -> None:
    """Two `govkg import` processes into one SQLite file (overlapping halves of the corpus), while the API
    serves reads from it: both finish, no read is a 500, and the result is the clean import's."""
    files = sorted(samples_dir.glob("*.txt"))
    first, second = files[: len(files) * 2 // 3], files[len(files) // 3:]
    db = tmp_path / "store.sqlite3"
    services = build_services(_settings(tmp_path / "api"), f"sqlite:///{db}")
    services.store.stats()  # the schema exists before the importers and the readers start
    statuses: list[int] = []
    stop = threading.Event()
    with serve_api(services) as base, httpx.Client(base_url=base, timeout=60, headers=bearer(services)) as http:
        def read() -> None:
            paths = ["/stats", "/documents", "/entities?q=sec", "/graph/central", "/facts/candidates"]
            i = 0
            while not stop.is_set():
                statuses.append(http.get(paths[i % len(paths)]).status_code)
                i += 1

        reader = threading.Thread(target=read)
        reader.start()
        try:
            procs = [subprocess.Popen(_import_command(db, *half), cwd=project_dir, env=_env(tmp_path / f"i{n}"),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for n, half in enumerate((first, second))]
            outputs = [p.communicate(timeout=600) for p in procs]
        finally:
            stop.set()
            reader.join(timeout=60)
    services.close()
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-2000:]
        assert json.loads(out)["documents_failed"] == 0
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    assert _counts(db) == _clean_import(project_dir, tmp_path, *files)


@pytest.mark.neo4j
def test_two_neo4j_imports_at_once_keep_the_graph_of_one(neo4j_connection, wipe_neo4j, samples_dir: Path,
                                                         tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two importers writing overlapping documents into Neo4j at once (deadlocks are retried): the graph is
    the same as one import's."""
    wipe_neo4j(neo4j_connection)
    settings = _settings(tmp_path / "data")
    settings.neo4j.user, settings.neo4j.password = neo4j_connection.user, neo4j_connection.password
    files = sorted(samples_dir.glob("*.txt"))[:8]
    reports: list[object] = []

    def run(paths: list[Path]) -> None:
        services = build_services(settings, neo4j_connection.uri)
        try:
            reports.append(services.importer(department=DEPARTMENT).import_paths(paths))
        finally:
            services.close()

    threads = [threading.Thread(target=run, args=(files[:6],)), threading.Thread(target=run, args=(files[2:],))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert len(reports) == 2 and all(r.documents_failed == 0 and r.aborted is None for r in reports)  # type: ignore[attr-defined]
    services = build_services(settings, neo4j_connection.uri)
    together = services.store.stats()
    services.close()
    reference = build_services(_settings(tmp_path / "reference"))
    reference.importer(department=DEPARTMENT).import_paths(files)
    clean = reference.store.stats()
    reference.close()
    assert together.model_dump(exclude={"store"}) == clean.model_dump(exclude={"store"})


# -- faults ------------------------------------------------------------------------------------------
def test_sqlite_import_killed_mid_batch_then_rerun_matches_a_clean_import(project_dir: Path, samples_dir: Path,
                                                                          tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    proc = subprocess.Popen(_import_command(db, samples_dir), cwd=project_dir, env=_env(tmp_path / "k"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if db.exists() and _counts(db)["documents"] >= 3:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    killed = _counts(db)
    assert 3 <= killed["documents"] < 21
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rerun = subprocess.run(_import_command(db, samples_dir), cwd=project_dir, env=_env(tmp_path / "k"),
                           capture_output=True, text=True, timeout=600)
    report = json.loads(rerun.stdout)
    assert rerun.returncode == 0 and report["documents_failed"] == 0
    assert report["documents_skipped"] == killed["documents"]
    assert _counts(db) == _clean_import(project_dir, tmp_path, samples_dir)


def _small_volume(path: Path, size: str) -> bool:
    """A tmpfs of `size` mounted at `path` (True), when this machine lets us mount one."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    return done.returncode == 0


def test_disk_full_during_a_sqlite_import_is_a_clean_error_and_the_file_stays_sound(project_dir: Path,
                                                                                     samples_dir: Path,
                                                                                     tmp_path: Path) -> None:
    """The store's volume fills during an import (a 2 MB tmpfs; where mounting is not allowed, a 2 MB
    file-size limit on the importing process, which fails the same writes): every failure is coded in the
    report, nothing is a traceback, `PRAGMA integrity_check` passes and a rerun with room finishes the job."""
    volume = tmp_path / "volume"
    mounted = _small_volume(volume, "2m")
    volume.mkdir(exist_ok=True)
    db = volume / "store.sqlite3"
    preexec = None
    if not mounted:
        import resource

        def preexec() -> None:  # type: ignore[misc]
            resource.setrlimit(resource.RLIMIT_FSIZE, (2 * 1024 * 1024, 2 * 1024 * 1024))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
    try:
        full = subprocess.run(_import_command(db, samples_dir), cwd=project_dir, env=_env(tmp_path / "f"),
                              capture_output=True, text=True, timeout=600, preexec_fn=preexec)
        assert full.returncode == 1, full.stderr[-2000:]
        assert "Traceback" not in full.stderr
        report = json.loads(full.stdout)
        assert report["documents_failed"] + (report["aborted"] is not None) >= 1
        assert all(f["code"] for f in report["failures"])
        with closing(sqlite3.connect(db)) as conn:  # closed (sqlite3's own `with` only commits): umount needs it
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert stored == report["documents_ok"]  # what the report says was imported is there, and only that
        moved = tmp_path / "roomy.sqlite3"
        with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(moved)) as target:
            source.backup(target)
    finally:
        if mounted:
            subprocess.run(["umount", str(volume)], capture_output=True)
    rerun = subprocess.run(_import_command(moved, samples_dir), cwd=project_dir, env=_env(tmp_path / "f"),
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert _counts(moved) == _clean_import(project_dir, tmp_path, samples_dir)


@pytest.mark.neo4j
def test_neo4j_stopped_under_a_serving_api_gives_503_with_retry_after_then_recovers(serve_api, bearer, docs_dir: Path,
                                                                                    tmp_path: Path) -> None:
    from tools.neo4j_server import Neo4jServer, Neo4jServerConfig

    server = Neo4jServer(Neo4jServerConfig(home=tmp_path / "neo4j", bolt_port=free_port(), http_port=free_port(),
                                           heap="1g", pagecache="256m"))
    status = server.start()
    settings = _settings(tmp_path / "data")
    settings.neo4j.password = server.password()
    services = build_services(settings, status.bolt_uri)
    try:
        report = services.importer(department=DEPARTMENT, labels=("public",)).import_paths(
            [docs_dir / "2003_bush_excerpt.txt"])
        assert report.documents_ok == 1
        with serve_api(services) as base, httpx.Client(base_url=base, timeout=60, headers=bearer(services)) as http:
            before = http.get("/stats").json()
            server.stop()
            for path in ("/stats", "/entities?q=Bush", "/documents"):
                down = http.get(path)
                assert down.status_code == 503, (path, down.status_code, down.text[:300])
                assert down.headers["Retry-After"].isdigit()
                assert down.json()["error"]["code"] == "G001"
            assert http.get("/health").json()["store_ok"] is False
            server.start()
            deadline = time.monotonic() + 120
            while True:  # no restart of govkg: the same app, the same store object
                back = http.get("/stats")
                if back.status_code == 200 or time.monotonic() > deadline:
                    break
                time.sleep(1)
            assert back.status_code == 200 and back.json() == before
    finally:
        services.close()
        server.stop()
