"""Schemathesis against the ASGI app, in process: every operation of the OpenAPI document with generated
requests (a bounded number each), as an admin. No 500s, and every response (status, headers, body) must
match the schema; operations that declare the bearer scheme are also called without it and with a bad
token, and must answer 401."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from api.app import create_app
from core.settings import load_settings
from service.auth.principal import Role
from service.components import Services, build_services

MAX_EXAMPLES = 15


def _fuzz_settings():  # type: ignore[no-untyped-def]
    import tempfile

    settings_ = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="govkg-fuzz-")) / "data")
    settings_.pipeline.recognizers = ["gazetteer"]
    settings_.pipeline.relation_extractors = ["patterns"]
    settings_.qa.preload = False
    settings_.qa.embed_at_import = False
    settings_.qa.text_retriever = "bm25"  # no encoder to load for generated questions
    return settings_


# Built at collection (schemathesis' lazy fixture loader does not run under this pytest); the services open
# nothing until the module fixture below seeds the store.
SERVICES = build_services(_fuzz_settings())
ADMIN_TOKEN = SERVICES.tokens.create("fuzz-admin", [], [], Role.admin).token  # asked for at collection
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(SERVICES))


@pytest.fixture(scope="module", autouse=True)
def fuzz_services(docs_dir: Path) -> Iterator[Services]:
    import shutil

    texts = sorted(docs_dir.glob("*.txt"))  # 2003_bush_excerpt.txt, 2020_trump_latin1.txt
    report = SERVICES.importer(department="Department of Defense", labels=("public",)).import_paths(texts)
    assert (report.documents_ok, report.failures) == (2, [])
    yield SERVICES
    SERVICES.close()
    shutil.rmtree(SERVICES.settings.data_dir.parent, ignore_errors=True)


@schema.auth()
class AdminToken:
    """The admin token, applied by schemathesis itself (so its auth checks can also leave it out)."""

    def get(self, case, ctx):  # type: ignore[no-untyped-def]
        return ADMIN_TOKEN

    def set(self, case, data, ctx) -> None:  # type: ignore[no-untyped-def]
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_matches_its_schema_and_never_fails(case) -> None:  # type: ignore[no-untyped-def]
    # Left out on purpose: positive_data_acceptance (a schema-valid request may still get a documented 422 for
    # what a schema cannot say: an ontology class that does not exist, a file type no loader reads, a question
    # over qa.max_question_chars, a reader token without a department) and negative_data_rejection (unknown
    # query parameters are ignored, as HTTP APIs commonly do, rather than refused).
    case.call_and_validate(excluded_checks=[positive_data_acceptance, negative_data_rejection])


def test_the_schema_declares_the_bearer_scheme_on_every_operation_but_health() -> None:
    document = schema.raw_schema
    assert document["components"]["securitySchemes"]["token"] == {
        "type": "http", "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["token"]["description"]}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            secured = operation.get("security") == [{"token": []}]
            assert secured == (path != "/health"), f"{method.upper()} {path}"
            if secured:
                assert {"401", "403", "404"} <= set(operation["responses"]), f"{method.upper()} {path}"
