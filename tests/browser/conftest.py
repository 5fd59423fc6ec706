"""Browser-only fixtures: the real API (with the explorer page) on a small real corpus, and a real
headless Chromium (Debian's chromium + chromium-driver) driven by Selenium.

The API needs a bearer token: each server the `serve_explorer` fixture starts gets an admin token
(ADMIN_TOKENS), which `Browser.open` puts in the tab's sessionStorage (`govkg.token`, where the explorer keeps
it) before the page's scripts run, and which the tests' own `httpx.get` calls to that server carry
(`tests/browser/test_token_prompt.py` tests the prompt itself, without it).

Every test fails on a JavaScript console error (a SEVERE browser log entry). The tests get what they share as
fixtures: `serve_explorer`, `screenshots_dir`, `browser` / `page` (a `Browser`)."""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from core.settings import load_settings
from extraction.records import (
    Document,
    DocumentGraph,
    Entity,
    Extractor,
    Fact,
    Mention,
    Provenance,
    Sentence,
    document_id,
    entity_id,
    fact_id,
    mention_id,
)
from service.auth.principal import Role
from service.components import Services, build_services

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CORPUS = ["2003_bush_excerpt.txt", "2021_biden_excerpt.md", "1989_bush_excerpt.html", "2020_trump_excerpt.docx"]
ERNST = "We thank Senator Joni Ernst of Iowa for her service."
TOKEN_KEY = "govkg.token"  # the explorer's sessionStorage key
ADMIN_TOKENS: dict[str, str] = {}  # base URL of each running explorer server -> an admin token of its services
CHROME_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-quic",
]


# -- the app ------------------------------------------------------------------------------------
def with_explorer(app: FastAPI) -> FastAPI:
    """The explorer's router and static files, unless api/app.py already includes them."""
    from api.routers.explorer_page import mount_static, router

    paths = {getattr(route, "path", None) for route in app.routes}
    if "/explorer" not in paths:
        app.include_router(router)
    mount_static(app)
    return app


@pytest.fixture(scope="session")
def serve_explorer(serve_api) -> Callable[..., AbstractContextManager[str]]:
    """`with serve_explorer(services, customize=None) as base_url:` the `serve_api` server, its app (create_app)
    with the explorer, then `customize(app)`; the server's admin token is known to the tab and to httpx."""
    @contextmanager
    def serve(services: Services, customize: Callable[[FastAPI], None] | None = None) -> Iterator[str]:
        def explorer(app: FastAPI) -> None:
            with_explorer(app)
            if customize:
                customize(app)

        with serve_api(services, explorer) as base:
            ADMIN_TOKENS[base] = services.tokens.create("browser-tests", [], [], Role.admin).token
            try:
                yield base
            finally:
                ADMIN_TOKENS.pop(base, None)

    return serve


@pytest.fixture(scope="session")
def screenshots_dir(project_dir: Path) -> Path:
    """test-output/explorer: each step's screenshot and the layout timings."""
    return project_dir / "test-output" / "explorer"


def admin_token(url: str) -> str | None:
    """The admin token of the explorer server this URL points at (None for another address)."""
    origin = httpx.URL(str(url))
    return ADMIN_TOKENS.get(f"{origin.scheme}://{origin.host}:{origin.port}")


@pytest.fixture(autouse=True)
def _httpx_carries_the_admin_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """`httpx.get` / `httpx.post` calls of the tests to an explorer server send its admin token (unless they
    set an Authorization header themselves)."""
    for name in ("get", "post"):
        original = getattr(httpx, name)

        def call(url, *args, _original=original, headers=None, **kwargs):  # type: ignore[no-untyped-def]
            token = admin_token(url)
            given = {k.lower() for k in (headers or {})}
            if token and "authorization" not in given:
                headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
            return _original(url, *args, headers=headers, **kwargs)

        monkeypatch.setattr(httpx, name, call)


def import_corpus(services: Services, docs: Path, folder: Path) -> None:
    importer = services.importer(department="Executive Office of the President", labels=("public",))
    report = importer.import_paths([docs / name for name in CORPUS])
    assert report.documents_ok == len(CORPUS), report
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ernst_tribute.txt").write_text(ERNST + "\n", encoding="utf-8")
    report = services.importer(department="Department of Justice").import_paths([folder / "ernst_tribute.txt"])
    assert report.documents_ok == 1, report


@pytest.fixture(scope="module")
def corpus_services(docs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("explorer")
    services = build_services(load_settings(data_dir=root / "data"))
    import_corpus(services, docs_dir, root / "texts")
    yield services
    services.close()


@pytest.fixture(scope="module")
def base_url(serve_explorer, corpus_services: Services) -> Iterator[str]:
    with serve_explorer(corpus_services) as base:
        yield base


# -- a big hand-written graph for the layout benchmark -----------------------------------------
BENCH = Extractor(name="browser-bench", version="1")


def star_graph(agencies: int = 50, people_per_agency: int = 4) -> tuple[DocumentGraph, str]:
    """A department with `agencies` sub-organizations, each employing `people_per_agency` people:
    1 + agencies * (1 + people) entities and agencies * (1 + people) facts (251 + 250 by default)."""
    text = "The Department of Benchmarks oversees many agencies and employs many people."
    document = Document(id=document_id(text), text=text, title="Benchmark graph", source_path="/bench/graph.txt",
                        source_name="graph.txt", format="txt", department="Department of Benchmarks",
                        published="2024", labels=("public",))
    sentence = Sentence(document_id=document.id, index=0, start=0, end=len(text), text=text)
    hub = Entity(id=entity_id("bench:hub"), name="Department of Benchmarks", type="Department")
    entities = [hub]
    triples: list[tuple[Entity, str, Entity]] = []
    for a in range(agencies):
        agency = Entity(id=entity_id(f"bench:agency:{a}"), name=f"Benchmark Agency {a}", type="Agency")
        entities.append(agency)
        triples.append((hub, "hasSubOrganization", agency))
        for p in range(people_per_agency):
            person = Entity(id=entity_id(f"bench:person:{a}:{p}"), name=f"Person {a}-{p}", type="Person")
            entities.append(person)
            triples.append((agency, "employs", person))
    mentions = [
        Mention(id=mention_id(document.id, 0, 3, e.type) + f"_{i}", document_id=document.id, sentence_index=0,
                start=0, end=3, text=text[:3], type=e.type, confidence=0.9, extractor=BENCH, entity_id=e.id)
        for i, e in enumerate(entities)
    ]
    facts = [
        Fact(id=fact_id(s.id, p, o.id), subject_id=s.id, predicate=p, object_id=o.id, confidence=0.8,
             provenance=(Provenance(document_id=document.id, sentence_index=0, subject_start=0, subject_end=3,
                                    object_start=4, object_end=14, confidence=0.8, extractor=BENCH),))
        for s, p, o in triples
    ]
    graph = DocumentGraph(document=document, sentences=(sentence,), mentions=tuple(mentions),
                          entities=tuple(entities), facts=tuple(facts))
    return graph, hub.id


@pytest.fixture(scope="module")
def bench_server(serve_explorer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, int]]:
    root = tmp_path_factory.mktemp("bench")
    services = build_services(load_settings(data_dir=root / "data"))
    graph, hub = star_graph()
    services.store.write(graph)
    with serve_explorer(services) as base:
        yield base, hub, len(graph.entities) + len(graph.facts)
    services.close()


# -- the browser --------------------------------------------------------------------------------
def _require_chromium() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: apt-get install -y chromium chromium-driver "
                    "(make test installs them)", pytrace=False)


def new_driver(profile: Path, width: int = 1366, height: int = 768):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


class Browser:
    """A Chromium session plus the helpers the tests share."""

    def __init__(self, driver, profile: Path, screenshots: Path) -> None:
        self.driver = driver
        self.profile = profile
        self.screenshots = screenshots
        self.logs: list[dict] = []
        self.signed_in: dict[str, str] = {}  # origin -> the token its pages get (Browser.sign_in)

    # console
    def console(self) -> list[dict]:
        entries = self.driver.get_log("browser")
        self.logs.extend(entries)
        return entries

    def assert_no_console_errors(self) -> None:
        severe = [e for e in self.console() if e.get("level") == "SEVERE"]
        assert not severe, "JavaScript console errors:\n" + "\n".join(e["message"] for e in severe)

    # page
    def sign_in(self, url: str, token: str) -> None:
        """Every page of the URL's origin this tab loads from now on finds the token in its sessionStorage,
        as the explorer's prompt leaves it (set by a script that runs before the page's own)."""
        origin = httpx.URL(url)
        origin_text = f"{origin.scheme}://{origin.host}:{origin.port}"
        if self.signed_in.get(origin_text) == token:
            return
        source = (f"if (location.origin === {json.dumps(origin_text)}) "
                  f"sessionStorage.setItem({json.dumps(TOKEN_KEY)}, {json.dumps(token)});")
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
        self.signed_in[origin_text] = token

    def stored_token(self) -> str | None:
        """The token the explorer keeps in this tab's sessionStorage (None when it holds none)."""
        return self.js("return sessionStorage.getItem(arguments[0])", TOKEN_KEY)

    def store_token(self, token: str) -> None:
        """Put a token where the explorer keeps it, as its prompt would."""
        self.js("sessionStorage.setItem(arguments[0], arguments[1])", TOKEN_KEY, token)

    def open(self, url: str, fresh: bool = True, token: bool = True) -> None:
        """Load the page (fresh: a new document, also when only the #hash differs from the current URL),
        signed in with the server's admin token (token=False: with whatever the tab holds)."""
        admin = admin_token(url) if token else None
        if admin:
            self.sign_in(url, admin)
        if fresh:
            self.driver.get("about:blank")
        self.driver.get(url)
        self.wait_idle()

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, predicate: Callable[[], object], timeout: float = 15, message: str = "condition") -> object:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {message}")
            time.sleep(0.05)

    def wait_idle(self, timeout: float = 20) -> None:
        """The page is loaded and has no request or layout in flight (checked twice, 100 ms apart)."""
        def idle() -> bool:
            return bool(self.js("return document.documentElement.dataset.ready === 'true'"
                                " && document.documentElement.dataset.busy === '0'"))

        deadline = time.monotonic() + timeout
        while True:
            if idle():
                time.sleep(0.1)
                if idle():
                    return
            if time.monotonic() > deadline:
                raise AssertionError("the page did not settle")
            time.sleep(0.05)

    def screenshot(self, name: str) -> Path:
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def hash_params(self) -> dict[str, str]:
        return json.loads(self.js(
            "return JSON.stringify(Object.fromEntries(new URLSearchParams(location.hash.slice(1))))"))


@pytest.fixture(scope="module")
def browser(screenshots_dir: Path) -> Iterator[Browser]:
    _require_chromium()
    profile = Path(tempfile.mkdtemp(prefix="govkg-chromium-"))
    driver = new_driver(profile)
    try:
        yield Browser(driver, profile, screenshots_dir)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Browser) -> Iterator[Browser]:
    """The module's browser; the test fails on any console error it caused."""
    browser.console()  # drop what earlier tests left
    yield browser
    browser.assert_no_console_errors()
