"""Shared fixtures: settings and services on a temporary data dir, the real Neo4j server,
and a `store` fixture parametrized over both stores (the contract tests run on each)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings, load_settings
from extraction.pipeline import Pipeline
from graph.store import GraphStore
from service.components import Services, build_services

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = FIXTURES / "docs"
BAD = FIXTURES / "bad"
PROJECT = Path(__file__).resolve().parent.parent

# The tests pin the rule layers: a model that `make models` built on this machine (models/ner) must
# not change what the import tests see. The NER tests train their own tiny model (tests/unit/test_ner*).
os.environ.setdefault("GOVKG_PIPELINE__RECOGNIZERS", '["gazetteer"]')
os.environ.setdefault("GOVKG_PIPELINE__RELATION_EXTRACTORS", '["patterns"]')  # the same for models/re


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    """The default extraction pipeline, built once per session (the gazetteer takes a second)."""
    return build_services(load_settings(data_dir=Path("unused"))).pipeline


# -- Neo4j -------------------------------------------------------------------------------------
def _test_settings() -> Settings:
    """The settings `make test` exports (GOVKG_DATA_DIR=var/test, ports 17687/17474), or the same by default."""
    overrides: dict[str, object] = {}
    if "GOVKG_DATA_DIR" not in os.environ:
        overrides["data_dir"] = PROJECT / "var" / "test"
    settings = load_settings(**overrides)
    if "GOVKG_NEO4J__BOLT_PORT" not in os.environ:
        settings.neo4j.bolt_port, settings.neo4j.http_port = 17687, 17474
    return settings


@pytest.fixture(scope="session")
def neo4j_server():
    """The real server `make test` started; started here when it is not running. Never skipped:
    a Neo4j test fails when the server cannot start (deselect with -m 'not neo4j' on purpose)."""
    from tools.neo4j_server import Neo4jServer, Neo4jServerConfig

    settings = _test_settings()
    conf = settings.neo4j
    server = Neo4jServer(Neo4jServerConfig(home=(settings.data_dir / "neo4j").resolve(),
                                           bolt_port=conf.bolt_port, http_port=conf.http_port))
    was_running = server.status().running
    status = server.start()
    yield server, status
    if not was_running:
        server.stop()


@pytest.fixture
def neo4j_connection(neo4j_server):
    from graph.factory import Neo4jConnection

    server, status = neo4j_server
    return Neo4jConnection(uri=status.bolt_uri, user=status.user, password=server.password(),
                           database="neo4j", batch_size=1000)


def wipe_neo4j(connection) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(connection.uri, auth=(connection.user, connection.password)) as driver:
        with driver.session(database=connection.database) as session:  # IN TRANSACTIONS needs auto-commit
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "sqlite":
        from graph.sqlite.store import SqliteStore

        opened: GraphStore = SqliteStore(tmp_path / "store.sqlite3")
    else:
        from graph.neo4j.store import Neo4jStore

        connection = request.getfixturevalue("neo4j_connection")
        wipe_neo4j(connection)
        opened = Neo4jStore.connect(connection)
    yield opened
    opened.close()
