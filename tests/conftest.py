"""Shared fixtures, the only thing the tests share (no test module imports another): the project's and the
fixture files' folders, settings and services on a temporary data dir, the default pipeline, the real Neo4j
server, a `store` and a `services_on_each_store` factory parametrized over both stores (the contract tests
run on each), the `govkg` command as a real process, and the real API on a loopback port (`serve_api`,
`bearer`)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from core.settings import Settings, load_settings
from extraction.pipeline import Pipeline
from extraction.records import Document, DocumentGraph, document_id
from graph.store import GraphStore
from service.auth.principal import Role
from service.components import Services, build_services

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = FIXTURES / "docs"
BAD = FIXTURES / "bad"
PROJECT = Path(__file__).resolve().parent.parent

# The tests pin the rule layers: a model that `make models` built on this machine (models/ner) must
# not change what the import tests see. The NER tests train their own tiny model (tests/unit/test_ner*).
os.environ.setdefault("GOVKG_PIPELINE__RECOGNIZERS", '["gazetteer"]')
os.environ.setdefault("GOVKG_PIPELINE__RELATION_EXTRACTORS", '["patterns"]')  # the same for models/re


# -- the folders ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def project_dir() -> Path:
    """The repository root (the CLI's working directory; data/ holds the shipped samples and gazetteers)."""
    return PROJECT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """tests/fixtures: docs/ (good files of every format), bad/ (broken ones), qa/ (speech excerpts), ner/."""
    return FIXTURES


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """data/samples: the shipped State of the Union addresses."""
    return PROJECT / "data" / "samples"


@pytest.fixture(scope="session")
def gazetteers_dir() -> Path:
    """data/gazetteers: the shipped gazetteers and government records."""
    return PROJECT / "data" / "gazetteers"


@pytest.fixture(scope="session")
def docs_dir() -> Path:
    """tests/fixtures/docs: one real excerpt per format (txt, latin-1 txt, md, html, pdf, docx, jsonl)."""
    return DOCS


@pytest.fixture(scope="session")
def bad_dir() -> Path:
    """tests/fixtures/bad: corrupt, empty, blank and binary files, one per failure code."""
    return BAD


# -- settings, services, the pipeline --------------------------------------------------------------
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


@pytest.fixture(scope="session")
def extract(pipeline: Pipeline) -> Callable[..., DocumentGraph]:
    """`extract(text, name, department=None)`: the default pipeline's graph of a public 2020 document."""
    def run(text: str, name: str, department: str | None = None) -> DocumentGraph:
        return pipeline.run(Document(id=document_id(text), text=text, title=name.title(), source_path=f"/corpus/{name}",
                                     source_name=name, format="txt", department=department, published="2020",
                                     labels=("public",)))

    return run


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


@pytest.fixture(scope="session")
def neo4j_connection(neo4j_server):
    from graph.factory import Neo4jConnection

    server, status = neo4j_server
    return Neo4jConnection(uri=status.bolt_uri, user=status.user, password=server.password(),
                           database="neo4j", batch_size=1000)


def _wipe_neo4j(connection) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(connection.uri, auth=(connection.user, connection.password)) as driver:
        with driver.session(database=connection.database) as session:  # IN TRANSACTIONS needs auto-commit
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture(scope="session")
def wipe_neo4j() -> Callable[..., None]:
    """`wipe_neo4j(connection)`: deletes every node and relationship of the connection's database."""
    return _wipe_neo4j


# -- both stores -------------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "sqlite":
        from graph.sqlite.store import SqliteStore

        opened: GraphStore = SqliteStore(tmp_path / "store.sqlite3")
    else:
        from graph.neo4j.store import Neo4jStore

        connection = request.getfixturevalue("neo4j_connection")
        _wipe_neo4j(connection)
        opened = Neo4jStore.connect(connection)
    yield opened
    opened.close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def services_on_each_store(request: pytest.FixtureRequest) -> Callable[[Settings], Services]:
    """`services_on_each_store(settings)`: Services built from these settings over the parametrized store: the
    data dir's SQLite file, or the real Neo4j server, emptied first (the settings get its credentials). The
    caller closes them. Module-scoped, so that module fixtures can use it: a module's tests run on SQLite,
    then on Neo4j."""
    connection = request.getfixturevalue("neo4j_connection") if request.param == "neo4j" else None

    def build(settings: Settings) -> Services:
        if connection is None:
            return build_services(settings)
        _wipe_neo4j(connection)
        settings.neo4j.user, settings.neo4j.password = connection.user, connection.password
        return build_services(settings, connection.uri)

    return build


# -- the command line and the HTTP API ---------------------------------------------------------------
@pytest.fixture(scope="session")
def govkg() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`govkg(data_dir, *args, env=None, timeout=300)`: the command line as a real process (`python -m cli`) in
    the project root, on this data dir, offline; `env` adds variables."""
    def run(data_dir: Path, *args: str, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GOVKG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **(env or {})}
        return subprocess.run([sys.executable, "-m", "cli", *args], cwd=PROJECT, env=env, capture_output=True,
                              text=True, timeout=timeout, check=False)

    return run


@pytest.fixture(scope="session")
def serve_api() -> Callable[..., AbstractContextManager[str]]:
    """`with serve_api(services) as base_url:` the real API of these services (create_app) with uvicorn on a
    free loopback port, in a thread of this process; `customize(app)` may change the app before it serves."""
    from api.app import create_app
    from tools.local_server import serve_app

    @contextmanager
    def serve(services: Services, customize: Callable[..., object] | None = None) -> Iterator[str]:
        app = create_app(services)
        if customize is not None:
            customize(app)
        with serve_app(app) as base:
            yield base

    return serve


@pytest.fixture(scope="session")
def bearer() -> Callable[..., dict[str, str]]:
    """`bearer(services, role=admin, departments=(), labels=(), name="test-admin")`: headers with a fresh token
    of this role, created in the services' token store."""
    def headers(services: Services, role: Role = Role.admin, departments: tuple[str, ...] = (),
                labels: tuple[str, ...] = (), name: str = "test-admin") -> dict[str, str]:
        created = services.tokens.create(name, list(departments), list(labels), role)
        return {"Authorization": f"Bearer {created.token}"}

    return headers
