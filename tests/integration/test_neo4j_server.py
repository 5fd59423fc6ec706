"""The local Neo4j server manager against a real server (no mocks).

Each module run starts its own server in a temporary home on free ports; the jar cache is
the shared default one (~/.cache/govkg/neo4j-<version>), so only the first run downloads.
The tests run in file order and share one server; the last ones stop it.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
import typer

from cli.neo4j import build_app
from graph.errors import Neo4jServerError
from tools.neo4j_server import Neo4jServer, Neo4jServerConfig

pytestmark = pytest.mark.neo4j

# Small JVM: the tests share a 2-core / 24 GiB machine with the code under test.
HEAP = "1g"
PAGECACHE = "256m"


def free_ports(count: int) -> list[int]:
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [s.getsockname()[1] for s in socks]
    finally:
        for sock in socks:
            sock.close()


def make_config(home: Path, **overrides: object) -> Neo4jServerConfig:
    bolt, http = free_ports(2)
    values: dict[str, object] = {
        "home": home, "bolt_port": bolt, "http_port": http, "heap": HEAP,
        "heap_initial": "256m", "pagecache": PAGECACHE,
    }
    values.update(overrides)
    return Neo4jServerConfig(**values)  # type: ignore[arg-type]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    srv = Neo4jServer(make_config(tmp_path_factory.mktemp("neo4j") / "home"))
    srv.ensure_jars()
    try:
        yield srv
    finally:
        srv.stop(timeout_s=30)


@pytest.fixture(scope="module")
def started(server: Neo4jServer) -> int:
    status = server.start(timeout_s=180)
    assert status.pid is not None
    return status.pid


def test_start_reports_running(server: Neo4jServer, started: int) -> None:
    status = server.status()
    assert status.running, status.message
    assert status.pid == started
    assert status.bolt_uri == f"bolt://127.0.0.1:{server.config.bolt_port}"
    assert status.version == server.config.version
    assert Path(status.password_file) == server.home / "password"
    assert server.pid_file.read_text().strip() == str(started)
    assert stat.S_IMODE(os.stat(status.password_file).st_mode) == 0o600
    conf = server.conf_file.read_text()
    assert f"server.bolt.listen_address=127.0.0.1:{server.config.bolt_port}" in conf
    assert "dbms.security.auth_enabled=true" in conf
    assert "dbms.usage_report.enabled=false" in conf
    # Detached into its own session, logging under the home folder.
    assert os.getsid(started) == started
    assert (server.home / "logs" / "neo4j.log").is_file()
    print(f"\nNeo4j pid {started}: RSS {rss_mib(started):.0f} MiB after start")


def test_cypher_with_generated_password(server: Neo4jServer, started: int) -> None:
    password = server.password()
    assert len(password) >= 24
    assert server.password() == password  # reused, not regenerated
    with neo4j.GraphDatabase.driver(server.config.bolt_uri, auth=("neo4j", password)) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one")
        assert records[0]["one"] == 1
        driver.execute_query("CREATE (:GovkgProbe {name: $name})", name="kept across restarts")


def test_http_endpoint_answers(server: Neo4jServer, started: int) -> None:
    with urllib.request.urlopen(server.config.http_uri, timeout=10) as response:
        discovery = json.load(response)
    assert discovery["neo4j_version"] == server.config.version
    assert discovery["neo4j_edition"] == "community"
    assert discovery["bolt_direct"] == server.config.bolt_uri


def test_start_again_is_a_noop(server: Neo4jServer, started: int) -> None:
    again = server.start(timeout_s=30)
    assert again.running
    assert again.pid == started
    # A second manager object for the same home finds the same process.
    assert Neo4jServer(server.config).start(timeout_s=30).pid == started


def test_wrong_password_is_refused(server: Neo4jServer, started: int) -> None:
    with neo4j.GraphDatabase.driver(server.config.bolt_uri, auth=("neo4j", "not-the-password")) as driver:
        with pytest.raises(neo4j.exceptions.AuthError):
            driver.verify_connectivity()


def test_port_in_use_is_a_clear_error(server: Neo4jServer, started: int, tmp_path: Path) -> None:
    # Another home that wants the running server's Bolt port.
    other = Neo4jServer(make_config(tmp_path / "other", bolt_port=server.config.bolt_port,
                                    jar_cache=server.config.jar_cache))
    with pytest.raises(Neo4jServerError, match=rf"Bolt port {server.config.bolt_port} .* already in use"):
        other.start(timeout_s=30)
    assert not other.status().running


def test_cli_status_json(server: Neo4jServer, started: int, capsys: pytest.CaptureFixture[str]) -> None:
    app = build_app(lambda: server.config)
    with pytest.raises(SystemExit) as exit_info:
        app(["status", "--json"])
    assert exit_info.value.code == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["running"] is True and shown["pid"] == started


def test_stop(server: Neo4jServer, started: int) -> None:
    status = server.stop(timeout_s=60)
    assert not status.running
    assert status.pid is None
    assert not server.pid_file.exists()
    assert not server.status().running
    with pytest.raises(ProcessLookupError):
        os.kill(started, 0)
    assert not server.stop().running  # idempotent


def test_restart_keeps_password_and_data_then_kill(server: Neo4jServer, started: int) -> None:
    status = server.start(timeout_s=180)
    assert status.running and status.pid != started
    password = server.password()
    with neo4j.GraphDatabase.driver(server.config.bolt_uri, auth=("neo4j", password)) as driver:
        records, _, _ = driver.execute_query("MATCH (p:GovkgProbe) RETURN count(p) AS n")
        assert records[0]["n"] == 1
        # An uncommitted write in flight when the server dies.
        session = driver.session()
        tx = session.begin_transaction()
        tx.run("UNWIND range(1, 1000) AS i CREATE (:GovkgProbe {name: 'lost', i: i})").consume()
        server.kill()
        with pytest.raises(neo4j.exceptions.DriverError):  # ServiceUnavailable, SessionExpired, ...
            tx.commit()
        with contextlib.suppress(neo4j.exceptions.DriverError):
            session.close()
    killed = server.status()
    assert not killed.running and killed.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(status.pid, 0)  # type: ignore[arg-type]

    # A stale pid file naming a live process that is not Neo4j (this test runner).
    server.pid_file.write_text(f"{os.getpid()}\n")
    stale = server.status()
    assert not stale.running and "stale pid file" in stale.message

    recovered = server.start(timeout_s=180)
    assert recovered.running and recovered.pid not in (None, os.getpid())
    with neo4j.GraphDatabase.driver(server.config.bolt_uri, auth=("neo4j", password)) as driver:
        records, _, _ = driver.execute_query("MATCH (p:GovkgProbe) RETURN count(p) AS n")
        assert records[0]["n"] == 1  # committed data survived, the killed transaction did not
    assert not server.stop().running


def test_password_file_that_does_not_match_the_store(server: Neo4jServer, started: int) -> None:
    assert not server.status().running
    real = server.password_file.read_text()
    try:
        server.password_file.unlink()
        with pytest.raises(Neo4jServerError, match="password file .* is missing"):
            server.start(timeout_s=60)
        assert not server.password_file.exists()  # not silently replaced by a new one

        server.password_file.write_text("a-different-password\n")
        with pytest.raises(Neo4jServerError, match="refuses the password"):
            server.start(timeout_s=180)
        assert server.status().pid is None  # the unusable server was stopped again
    finally:
        server.password_file.write_text(real)


def test_missing_mvn_is_a_clear_error(tmp_path: Path) -> None:
    srv = Neo4jServer(make_config(tmp_path / "home", jar_cache=tmp_path / "empty-cache",
                                  mvn=str(tmp_path / "no-such-mvn")))
    with pytest.raises(Neo4jServerError, match="Maven .*not found"):
        srv.ensure_jars()


def test_missing_java_is_a_clear_error(tmp_path: Path) -> None:
    srv = Neo4jServer(make_config(tmp_path / "home", java=str(tmp_path / "no-such-java")))
    with pytest.raises(Neo4jServerError, match="java executable does not exist"):
        srv.start(timeout_s=10)
    assert not srv.status().running


def test_cli_config_getter_may_take_the_context(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_config(tmp_path / "home")
    seen: list[object] = []

    def get_config(ctx: typer.Context) -> Neo4jServerConfig:
        seen.append(ctx)
        return config

    with pytest.raises(SystemExit) as exit_info:
        build_app(get_config)(["status", "--json"])
    assert exit_info.value.code == 0
    assert seen[0].find_root() is not None  # the Click context (typer._click) of the command
    shown = json.loads(capsys.readouterr().out)
    assert shown["running"] is False and shown["pid"] is None
    assert shown["home"] == str(tmp_path / "home")


def test_cli_error_exit_code(tmp_path: Path) -> None:
    """A failing `start` exits non-zero with the message on stderr (real subprocess)."""
    script = (
        "from pathlib import Path\n"
        "from cli.neo4j import build_app\n"
        "from tools.neo4j_server import Neo4jServerConfig\n"
        f"build_app(lambda: Neo4jServerConfig(home=Path({str(tmp_path / 'h')!r}),"
        f" java={str(tmp_path / 'no-java')!r}))(['start'])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=120, check=False)
    assert done.returncode == 1
    assert "java executable does not exist" in done.stderr
    assert done.stdout == ""
