"""Neo4j failure behaviour: server down, wrong password, and a server killed in the middle of an
import. Nothing half-written is reported as imported, and a rerun finishes without duplicates."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from core.settings import load_settings
from extraction.importer import Progress
from graph.errors import StoreUnavailable
from graph.factory import Neo4jConnection
from service.components import build_services
from tools.local_server import free_port

pytestmark = pytest.mark.neo4j


def test_server_down_stops_the_import_with_a_clear_message(govkg, samples_dir: Path, tmp_path: Path):
    port = free_port()  # nothing listens there
    result = govkg(tmp_path, "import", str(samples_dir), "--store", f"bolt://127.0.0.1:{port}", "--json",
                   env={"GOVKG_NEO4J__PASSWORD": "whatever"})
    assert result.returncode == 1
    message = json.loads(result.stdout)["error"]
    assert f"127.0.0.1:{port}" in message and "[G001]" in message


def test_wrong_password_is_refused_clearly(neo4j_connection: Neo4jConnection):
    from graph.neo4j.store import Neo4jStore

    wrong = Neo4jConnection(uri=neo4j_connection.uri, user=neo4j_connection.user, password="not-the-password",
                            database=neo4j_connection.database, batch_size=1000)
    with pytest.raises(StoreUnavailable) as info:
        Neo4jStore.connect(wrong)
    assert "authentication failed" in info.value.message


class KillAfter(Progress):
    """Kills the server a moment after the n-th file, so it dies while the next one is in flight."""

    def __init__(self, server, after_files: int) -> None:  # type: ignore[no-untyped-def]
        self.server, self.after, self.done = server, after_files, 0

    def start(self, total_files: int) -> None:
        pass

    def advance(self, path: Path, sentences: int) -> None:
        self.done += 1
        if self.done == self.after:
            threading.Timer(0.05, self.server.kill).start()


def test_killed_mid_import_then_rerun_completes_without_duplicates(samples_dir: Path, tmp_path: Path):
    from tools.neo4j_server import Neo4jServer, Neo4jServerConfig

    server = Neo4jServer(Neo4jServerConfig(home=tmp_path / "neo4j", bolt_port=free_port(), http_port=free_port(),
                                           heap="1g", pagecache="256m"))
    status = server.start()
    settings = load_settings(data_dir=tmp_path / "data")
    settings.neo4j.password = server.password()
    try:
        services = build_services(settings, status.bolt_uri)
        first = services.importer(department="Executive Office of the President").import_paths(
            [samples_dir], progress=KillAfter(server, after_files=5))
        services.close()
        assert first.aborted is not None and "bolt://127.0.0.1" in first.aborted
        assert 5 <= first.documents_ok < 21  # stopped early; what it reports was committed
        server.start()
        services = build_services(settings, status.bolt_uri)
        stored = services.store.stats().documents
        # everything reported as imported is there; at most the document in flight committed unreported
        assert first.documents_ok <= stored <= first.documents_ok + 1
        second = services.importer(department="Executive Office of the President").import_paths([samples_dir])
        assert second.aborted is None and second.documents_failed == 0
        assert second.documents_skipped == stored
        assert second.documents_ok == 21 - stored
        neo4j_stats = services.store.stats()
        services.close()
    finally:
        server.stop()
    reference = build_services(load_settings(data_dir=tmp_path / "reference"))  # a clean import, embedded store
    reference.importer(department="Executive Office of the President").import_paths([samples_dir])
    clean = reference.store.stats()
    reference.close()
    assert neo4j_stats.model_dump(exclude={"store"}) == clean.model_dump(exclude={"store"})
