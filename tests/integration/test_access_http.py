"""Access control over real HTTP (uvicorn on loopback), on both stores (issue #18).

One server per store, seeded with hand-built document graphs of two departments: a public document, a
`restricted` Treasury document holding a secret alias, secret facts, a secret candidate and distinctive
sentences, department-private documents, and a Defense document shared with Treasury.

- The matrix: every principal (two departments' readers, a public-only reader, a holder of `restricted`,
  a Defense reader holding `restricted` (which does not open Treasury's restricted document), a Treasury
  editor, an admin) x every read endpoint: status codes, and every string of a document the principal may
  not see (ids, titles, file names, sentences, names, aliases, entity/fact/mention/candidate ids) is
  searched for in the raw response text. Positive controls check that those who may see them do get them.
  Bad credentials (none, malformed, expired, revoked) get 401 with a JSON error and `WWW-Authenticate`.
- Object-level checks (OWASP API1, BOLA): ids of another department swapped into requests, deletes and
  uploads across departments, re-uploads that would move a document.
- The audit log, tokens over HTTP, and `api.auth = "off"`.

The matrix runs before the tests that change the store (pytest keeps the file's order within a store).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from core.settings import load_settings
from extraction.records import (
    CandidateFact,
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
from graph.visibility import Scope
from service.auth.principal import Role
from service.components import Services, build_services

TREASURY = "Department of the Treasury"
DEFENSE = "Department of Defense"
AGRICULTURE = "Department of Agriculture"  # owns nothing: its reader sees public documents only
EXTRACTOR = Extractor(name="access-test", version="1")


# -- the seeded graph -------------------------------------------------------------------------------
def ent(key: str, name: str, type_: str) -> Entity:
    return Entity(id=entity_id(f"access:{key}"), name=name, type=type_)


E = {
    "treasury": ent("treasury", TREASURY, "Department"),
    "defense": ent("defense", DEFENSE, "Department"),
    "bureau": ent("bureau", "Bureau of Engraving", "Agency"),
    "ada": ent("ada", "Ada Quill", "Person"),
    "halcyon": ent("halcyon", "Halcyon Vault Program", "Program"),
    "orrin": ent("orrin", "Orrin Blackwood", "Person"),
    "mabel": ent("mabel", "Mabel Finch", "Person"),
    "silas": ent("silas", "Silas Grove", "Person"),
    "ledgers": ent("ledgers", "Office of Joint Ledgers", "Agency"),
    "iris": ent("iris", "Iris Vale", "Person"),
    "wren": ent("wren", "Wren Calder", "Person"),
    "dora": ent("dora", "Dora Pike", "Person"),
}
SECRET_ALIAS = "Nightjar Seven"  # Ada Quill's alias, learnt from the restricted document only
SECRET_SENTENCE = "Ada Quill, known as Nightjar Seven, heads the Halcyon Vault Program."
SECRET_TITLE = "Halcyon Vault briefing"


@dataclass
class Spec:
    key: str
    title: str
    department: str | None
    labels: tuple[str, ...]
    sentences: list[str]
    surfaces: dict[str, str]  # surface text -> entity key
    facts: list[tuple]  # subject key, predicate, object key, sentence index[, confidence]
    candidates: list[tuple[str, str, str, int]] = field(default_factory=list)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # entity key -> aliases this doc gives


SPECS = [
    Spec("pub_t", "Engraving overview", TREASURY, ("public",),
         ["The Department of the Treasury oversees the Bureau of Engraving.",
          "The Bureau of Engraving employs Ada Quill."],
         {TREASURY: "treasury", "Bureau of Engraving": "bureau", "Ada Quill": "ada"},
         [("treasury", "hasSubOrganization", "bureau", 0), ("bureau", "employs", "ada", 1)]),
    Spec("restricted", SECRET_TITLE, TREASURY, ("restricted",),
         [SECRET_SENTENCE,
          "The Bureau of Engraving employs Ada Quill and Orrin Blackwood.",
          "The Department of the Treasury employs Ada Quill directly."],
         {"Ada Quill": "ada", SECRET_ALIAS: "ada", "Halcyon Vault Program": "halcyon",
          "Bureau of Engraving": "bureau", "Orrin Blackwood": "orrin", TREASURY: "treasury"},
         # the public fact `Bureau employs Ada` again, more confident here: its confidence must not leak
         [("ada", "headOf", "halcyon", 0), ("bureau", "employs", "ada", 1, 0.97), ("bureau", "employs", "orrin", 1),
          ("treasury", "employs", "ada", 2)],
         candidates=[("halcyon", "represents", "ada", 0)],
         aliases={"ada": (SECRET_ALIAS,)}),
    Spec("priv_t", "Finch staffing note", TREASURY, (),
         ["The Department of the Treasury employs Mabel Finch.",
          "Treasury payroll lists Iris Vale as an adviser to the Department of the Treasury."],
         {TREASURY: "treasury", "Mabel Finch": "mabel", "Iris Vale": "iris"},
         [("treasury", "employs", "mabel", 0), ("treasury", "employs", "iris", 1)]),
    Spec("priv_d", "Grove posting order", DEFENSE, (),
         ["The Department of Defense employs Silas Grove.",
          "Defense rosters show Iris Vale on loan to the Department of Defense."],
         {DEFENSE: "defense", "Silas Grove": "silas", "Iris Vale": "iris"},
         [("defense", "employs", "silas", 0), ("defense", "employs", "iris", 1)]),
    Spec("shared", "Joint ledgers memorandum", DEFENSE, (f"shared:{TREASURY}",),
         ["The Department of Defense oversees the Office of Joint Ledgers."],
         {DEFENSE: "defense", "Office of Joint Ledgers": "ledgers"},
         [("defense", "hasSubOrganization", "ledgers", 0)]),
    Spec("pub_d", "Calder press release", DEFENSE, ("public",),
         ["The Department of Defense employs Wren Calder."],
         {DEFENSE: "defense", "Wren Calder": "wren"},
         [("defense", "employs", "wren", 0)]),
    Spec("del_t", "Pike appointment", TREASURY, (),
         ["The Department of the Treasury employs Dora Pike."],
         {TREASURY: "treasury", "Dora Pike": "dora"},
         [("treasury", "employs", "dora", 0)]),
]


def build(spec: Spec) -> DocumentGraph:
    text = " ".join(spec.sentences)
    source_name = spec.title.lower().replace(" ", "_") + ".txt"
    doc = Document(id=document_id(text), text=text, title=spec.title, source_path=f"/corpus/{source_name}",
                   source_name=source_name, format="txt", department=spec.department, published="2024",
                   labels=spec.labels)
    sentences, mentions, spans = [], [], {}
    offset = 0
    for index, sentence_text in enumerate(spec.sentences):
        sentences.append(Sentence(document_id=doc.id, index=index, start=offset, end=offset + len(sentence_text),
                                  text=sentence_text))
        for surface, key in spec.surfaces.items():
            at = sentence_text.find(surface)
            while at >= 0:
                start = offset + at
                entity = E[key]
                mentions.append(Mention(
                    id=mention_id(doc.id, start, start + len(surface), entity.type), document_id=doc.id,
                    sentence_index=index, start=start, end=start + len(surface), text=surface, type=entity.type,
                    confidence=0.9, extractor=EXTRACTOR, entity_id=entity.id))
                spans.setdefault((key, index), (start, start + len(surface)))
                at = sentence_text.find(surface, at + 1)
        offset += len(sentence_text) + 1
    keys = dict.fromkeys(spec.surfaces.values())
    entities = [E[k].model_copy(update={"aliases": spec.aliases.get(k, ())}) for k in keys]

    def fact(s: str, p: str, o: str, i: int, confidence: float = 0.8) -> Fact:
        (ss, se), (os_, oe) = spans[(s, i)], spans[(o, i)]
        return Fact(id=fact_id(E[s].id, p, E[o].id), subject_id=E[s].id, predicate=p, object_id=E[o].id,
                    confidence=confidence,
                    provenance=(Provenance(document_id=doc.id, sentence_index=i, subject_start=ss, subject_end=se,
                                           object_start=os_, object_end=oe, confidence=confidence,
                                           extractor=EXTRACTOR),))

    facts = [fact(*f) for f in spec.facts]
    candidates = [CandidateFact(fact=fact(*c, confidence=0.7), status="rejected", reason="outside the ontology")
                  for c in spec.candidates]
    return DocumentGraph(document=doc, sentences=tuple(sentences), mentions=tuple(mentions),
                         entities=tuple(entities), facts=tuple(facts), candidates=tuple(candidates))


GRAPHS = {spec.key: build(spec) for spec in SPECS}
DOC = {key: graph.document for key, graph in GRAPHS.items()}
FACT = {  # the facts the tests name
    "secret_treasury_ada": fact_id(E["treasury"].id, "employs", E["ada"].id),  # restricted only
    "secret_bureau_orrin": fact_id(E["bureau"].id, "employs", E["orrin"].id),  # restricted only
    "secret_ada_halcyon": fact_id(E["ada"].id, "headOf", E["halcyon"].id),  # restricted only
    "bureau_ada": fact_id(E["bureau"].id, "employs", E["ada"].id),  # public and restricted sources
    "treasury_iris": fact_id(E["treasury"].id, "employs", E["iris"].id),
    "defense_iris": fact_id(E["defense"].id, "employs", E["iris"].id),
    "defense_silas": fact_id(E["defense"].id, "employs", E["silas"].id),
}
SECRET_CANDIDATE = fact_id(E["halcyon"].id, "represents", E["ada"].id)


def doc_strings(graph: DocumentGraph) -> set[str]:
    """Everything a response could carry that comes from this document alone."""
    d = graph.document
    strings = {d.id, d.title, d.source_name, d.source_path, *(s.text for s in graph.sentences),
               *(m.id for m in graph.mentions), *(f.id for f in graph.facts), *(c.fact.id for c in graph.candidates)}
    for entity in graph.entities:
        strings |= {entity.id, entity.name, *entity.aliases}
    return strings


def all_fact_ids() -> set[str]:
    return {f.id for g in GRAPHS.values() for f in g.facts}


# -- principals ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Who:
    key: str
    role: Role
    departments: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    @property
    def scope(self) -> Scope | None:
        return None if self.role is Role.admin else Scope.of(self.departments, self.labels)

    def sees(self, doc_key: str) -> bool:
        scope, doc = self.scope, DOC[doc_key]
        return scope is None or scope.sees(doc.department, doc.labels)


PRINCIPALS = {
    "treasury_reader": Who("treasury_reader", Role.reader, (TREASURY,)),
    "defense_reader": Who("defense_reader", Role.reader, (DEFENSE,)),
    "public_reader": Who("public_reader", Role.reader, (AGRICULTURE,)),
    "restricted_holder": Who("restricted_holder", Role.reader, (TREASURY,), ("restricted",)),
    "defense_restricted": Who("defense_restricted", Role.reader, (DEFENSE,), ("restricted",)),
    "treasury_editor": Who("treasury_editor", Role.editor, (TREASURY,)),
    "admin": Who("admin", Role.admin),
}
# the rule spelled out by hand (checked against Scope.sees, so the reference is not its own oracle)
EXPECTED_VISIBLE = {
    "treasury_reader": {"pub_t", "priv_t", "shared", "pub_d", "del_t"},
    "defense_reader": {"pub_t", "priv_d", "shared", "pub_d"},
    "public_reader": {"pub_t", "pub_d"},
    "restricted_holder": {"pub_t", "restricted", "priv_t", "shared", "pub_d", "del_t"},
    "defense_restricted": {"pub_t", "priv_d", "shared", "pub_d"},
    "treasury_editor": {"pub_t", "priv_t", "shared", "pub_d", "del_t"},
    "admin": set(DOC),
}
BAD_CREDENTIALS = ["none", "malformed", "unknown", "expired", "revoked"]


@dataclass
class View:
    """What one principal may see, computed in plain Python from the seeded graphs."""

    who: Who

    @property
    def docs(self) -> set[str]:
        return {k for k in DOC if self.who.sees(k)}

    @property
    def forbidden(self) -> set[str]:
        hidden = set().union(*(doc_strings(GRAPHS[k]) for k in DOC if k not in self.docs))
        shown = set().union(*(doc_strings(GRAPHS[k]) for k in self.docs))
        return hidden - shown

    def entities(self) -> set[str]:
        return {e.id for k in self.docs for e in GRAPHS[k].entities}

    def facts(self) -> set[str]:
        return {f.id for k in self.docs for f in GRAPHS[k].facts}

    def fact_sources(self, fid: str) -> set[str]:
        return {DOC[k].id for k in self.docs for f in GRAPHS[k].facts if f.id == fid}

    def fact_support(self, fid: str) -> int:
        return sum(len(f.provenance) for k in self.docs for f in GRAPHS[k].facts if f.id == fid)

    def fact_confidence(self, fid: str) -> float:
        return max(p.confidence for k in self.docs for f in GRAPHS[k].facts if f.id == fid for p in f.provenance)

    def mention_count(self, entity_key: str) -> int:
        return sum(m.entity_id == E[entity_key].id for k in self.docs for m in GRAPHS[k].mentions)

    def degree(self, entity_key: str) -> int:
        eid = E[entity_key].id
        return len({f.id for k in self.docs for f in GRAPHS[k].facts if eid in (f.subject_id, f.object_id)})

    def by_type(self) -> dict[str, int]:
        types: dict[str, int] = {}
        for e in E.values():
            if e.id in self.entities():
                types[e.type] = types.get(e.type, 0) + 1
        return types

    def by_predicate(self) -> dict[str, int]:
        predicates: dict[str, set[str]] = {}
        for k in self.docs:
            for f in GRAPHS[k].facts:
                predicates.setdefault(f.predicate, set()).add(f.id)
        return {p: len(ids) for p, ids in predicates.items()}

    def candidates(self) -> set[str]:
        return {c.fact.id for k in self.docs for c in GRAPHS[k].candidates}

    def departments_of(self, entity_key: str) -> set[str]:
        return {DOC[k].department for k in self.docs for e in GRAPHS[k].entities if e.id == E[entity_key].id}

    def aliases_of(self, entity_key: str) -> set[str]:
        return {a for k in self.docs for e in GRAPHS[k].entities if e.id == E[entity_key].id for a in e.aliases}


# -- the server ------------------------------------------------------------------------------------
@dataclass
class World:
    services: Services
    http: httpx.Client
    headers: dict[str, dict[str, str]]  # principal or bad-credential key -> headers
    token_names: dict[str, str]
    secrets: list[str]  # every bearer token made here (GET /tokens must not show them)


def make_token(services: Services, name: str, role: Role, departments=(), labels=()) -> tuple[str, str]:
    created = services.tokens.create(name, list(departments), list(labels), role)
    return created.token, created.info.id


@pytest.fixture(scope="module")
def world(services_on_each_store, serve_api, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("access") / "data")
    settings.api.audit_questions = "hash"
    services = services_on_each_store(settings)
    for graph in GRAPHS.values():
        services.store.write(graph)
    headers: dict[str, dict[str, str]] = {}
    names: dict[str, str] = {}
    secrets: list[str] = []
    for key, who in PRINCIPALS.items():
        names[key] = f"access-{key}"
        token, _ = make_token(services, names[key], who.role, who.departments, who.labels)
        headers[key] = {"Authorization": f"Bearer {token}"}
        secrets.append(token)
    expired, expired_id = make_token(services, "access-expired", Role.admin)
    with sqlite3.connect(settings.tokens_path) as conn:
        conn.execute("UPDATE tokens SET expires_at = ? WHERE id = ?", ("2001-01-01T00:00:00+00:00", expired_id))
    revoked, revoked_id = make_token(services, "access-revoked", Role.admin)
    services.tokens.revoke(revoked_id)
    secrets += [expired, revoked]
    headers["none"] = {}
    headers["malformed"] = {"Authorization": "Token abc"}
    headers["unknown"] = {"Authorization": f"Bearer {expired[:-4]}AAAA"}  # a known id, a wrong secret
    headers["expired"] = {"Authorization": f"Bearer {expired}"}
    headers["revoked"] = {"Authorization": f"Bearer {revoked}"}
    with serve_api(services) as base, httpx.Client(base_url=base, timeout=60) as http:
        yield World(services, http, headers, names, secrets)
    services.close()


# -- the matrix --------------------------------------------------------------------------------------
ASK_QUESTIONS = ["Who does the Bureau of Engraving employ?", "Who does the Department of the Treasury employ?",
                 "Who heads the Halcyon Vault?"]
SEARCHES = ["Nightjar", "Halcyon", "Orrin", "Mabel", "Silas", "Ledgers", "Iris", "Ada Quill", "Wren", "Dora",
            "Bureau", "Vault", "Blackwood", "Grove"]
LOOKUP_NAMES = ["Nightjar", "Halcyon Vault", "Orrin", "Mabel", "Silas", "Joint Ledgers", "Iris", "Ada", "Wren",
                "Dora", "Bureau of Engraving"]


class Checker:
    """Runs requests as one principal; collects every problem (a leak, a wrong status) instead of stopping."""

    def __init__(self, world: World, key: str) -> None:
        self.world, self.key = world, key
        self.problems: list[str] = []
        self.forbidden = View(PRINCIPALS[key]).forbidden if key in PRINCIPALS else \
            set().union(*(doc_strings(g) for g in GRAPHS.values()))

    def request(self, method: str, path: str, expect: int | set[int], echo: tuple[str, ...] = (),
                **kwargs) -> httpx.Response:
        response = self.world.http.request(method, path, headers=self.world.headers[self.key], **kwargs)
        label = f"{self.key}: {method} {path} {kwargs.get('params') or kwargs.get('json') or ''}".strip()
        expected = {expect} if isinstance(expect, int) else expect
        if response.status_code not in expected:
            self.problems.append(f"{label}: status {response.status_code}, expected {sorted(expected)}: "
                                 f"{response.text[:300]}")
        self.no_leak(label, response.text, echo)
        return response

    def no_leak(self, label: str, text: str, echo: tuple[str, ...] = ()) -> None:
        for echoed in echo:  # what the request itself sent (a queried id, a question) may come back
            text = text.replace(echoed, "")
        leaked = sorted(s for s in self.forbidden if s and s in text)
        if leaked:
            self.problems.append(f"{label}: LEAK {leaked}")

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            self.problems.append(f"{self.key}: {message}")


def test_the_hand_written_rule_agrees_with_the_reference():
    for key, who in PRINCIPALS.items():
        assert {k for k in DOC if who.sees(k)} == EXPECTED_VISIBLE[key], key
    assert SECRET_ALIAS in View(PRINCIPALS["public_reader"]).forbidden
    assert SECRET_ALIAS not in View(PRINCIPALS["restricted_holder"]).forbidden


def test_health_and_explorer_need_no_token(world: World):
    health = world.http.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert world.http.get("/explorer").status_code == 200
    assert world.http.get("/static/explorer.js").status_code == 200


ENDPOINTS_FOR_BAD_CREDENTIALS = [
    ("GET", "/documents", {}), ("GET", f"/documents/{DOC['restricted'].id}", {}),
    ("GET", f"/documents/{DOC['restricted'].id}/annotated", {}), ("GET", "/entities", {"params": {"q": "Nightjar"}}),
    ("GET", f"/entities/{E['ada'].id}", {}), ("POST", "/entities/lookup", {"json": {"names": [{"name": "Ada"}]}}),
    ("GET", f"/facts/{FACT['secret_treasury_ada']}", {}), ("GET", "/facts/candidates", {}), ("GET", "/stats", {}),
    ("GET", f"/graph/neighbourhood/{E['ada'].id}", {}),
    ("GET", "/graph/paths", {"params": {"source": E["treasury"].id, "target": E["ada"].id}}),
    ("GET", "/graph/central", {}), ("GET", "/graph/communities", {}),
    ("POST", "/ask", {"json": {"question": ASK_QUESTIONS[0], "mode": "extractive"}}),
    ("GET", "/export", {"params": {"format": "nt"}}), ("GET", "/audit", {}), ("GET", "/tokens", {}),
    ("POST", "/tokens", {"json": {"name": "x", "role": "admin"}}), ("DELETE", "/tokens/access-admin", {}),
    ("GET", "/ontology", {}), ("DELETE", f"/documents/{DOC['del_t'].id}", {}),
    ("POST", "/documents", {"files": {"file": ("x.txt", b"The Department of the Treasury employs Zed.")},
                            "data": {"department": TREASURY}}),
]


@pytest.mark.parametrize("credential", BAD_CREDENTIALS)
def test_bad_credentials_get_401_everywhere(world: World, credential: str):
    checker = Checker(world, credential)
    for method, path, kwargs in ENDPOINTS_FOR_BAD_CREDENTIALS:
        response = checker.request(method, path, 401, echo=(DOC["restricted"].id, DOC["del_t"].id), **kwargs)
        checker.check(response.headers.get("www-authenticate", "").lower().startswith("bearer"),
                      f"{method} {path}: no WWW-Authenticate: Bearer header")
        try:
            error = response.json()["error"]
            checker.check(bool(error["message"]), f"{method} {path}: an empty error message")
        except (ValueError, KeyError, TypeError):
            checker.problems.append(f"{credential}: {method} {path}: not a JSON error: {response.text[:200]}")
    assert not checker.problems, "\n".join(checker.problems)
    # nothing changed: the document the DELETE named is still there
    assert world.http.get(f"/documents/{DOC['del_t'].id}", headers=world.headers["admin"]).status_code == 200


@pytest.mark.parametrize("key", list(PRINCIPALS))
def test_matrix(world: World, key: str):
    """Every read endpoint as this principal: status codes, no forbidden string, the visible things there."""
    view, c = View(PRINCIPALS[key]), Checker(world, key)
    admin = key == "admin"

    # documents: list, show, annotated
    listed = c.request("GET", "/documents", 200, params={"limit": 1000}).json()
    c.check({d["id"] for d in listed} == {DOC[k].id for k in view.docs},
            f"GET /documents lists {sorted(d['title'] for d in listed)}")
    for k, doc in DOC.items():
        expect = 200 if k in view.docs else 404
        shown = c.request("GET", f"/documents/{doc.id}", expect, echo=(doc.id,))
        if expect == 200:
            c.check(shown.json()["text"] == doc.text, f"document {k} text")
        annotated = c.request("GET", f"/documents/{doc.id}/annotated", expect, echo=(doc.id,))
        if expect == 200:
            body = annotated.json()
            c.check(len(body["mentions"]) == len(GRAPHS[k].mentions), f"annotated {k}: mentions")
            c.check({f["fact_id"] for f in body["facts"]} <= view.facts(),
                    f"annotated {k}: facts {body['facts']}")

    # search and autocomplete
    for q in SEARCHES:
        c.request("GET", "/entities", 200, params={"q": q, "limit": 100})
    for ekey, entity in E.items():
        hits = c.request("GET", "/entities", 200, params={"q": entity.name, "limit": 100}).json()
        found = entity.id in {h["id"] for h in hits}
        c.check(found == (entity.id in view.entities()),
                f"search {entity.name!r}: found={found}, visible={entity.id in view.entities()}")
        for hit in hits:
            if hit["id"] == entity.id:
                c.check(hit["mention_count"] == view.mention_count(ekey),
                        f"search {entity.name!r}: mention_count {hit['mention_count']} != {view.mention_count(ekey)}")
    alias_hits = c.request("GET", "/entities", 200, params={"q": SECRET_ALIAS, "limit": 100}).json()
    c.check((E["ada"].id in {h["id"] for h in alias_hits}) == (SECRET_ALIAS in view.aliases_of("ada")),
            f"search by the secret alias: {alias_hits}")

    # entity detail
    for ekey, entity in E.items():
        visible = entity.id in view.entities()
        detail = c.request("GET", f"/entities/{entity.id}", 200 if visible else 404, echo=(entity.id,))
        if visible and detail.status_code == 200:
            body = detail.json()
            c.check(set(body.get("departments", [])) == view.departments_of(ekey),
                    f"/entities/{ekey} departments {body.get('departments')} != {sorted(view.departments_of(ekey))}")
            c.check({f["id"] for f in body["facts"]} <= view.facts(), f"/entities/{ekey}: invisible facts")
            for f in body["facts"]:
                c.check(abs(f["confidence"] - view.fact_confidence(f["id"])) < 1e-6,
                        f"/entities/{ekey}: fact {f['id']} confidence {f['confidence']}")
            c.check(body["mention_count"] == view.mention_count(ekey),
                    f"/entities/{ekey}: mention_count {body['mention_count']} != {view.mention_count(ekey)}")
    ada = c.request("GET", f"/entities/{E['ada'].id}", 200).json()
    c.check((SECRET_ALIAS in ada.get("aliases", [])) == (SECRET_ALIAS in view.aliases_of("ada")),
            f"Ada Quill's aliases {ada.get('aliases')}")

    # batch lookup (names echo back in `name`: only the matches are searched)
    lookup = c.request("POST", "/entities/lookup", 200, echo=tuple(LOOKUP_NAMES),
                       json={"names": [{"name": n} for n in LOOKUP_NAMES] + [{"name": SECRET_ALIAS}], "limit": 5})
    results = lookup.json()
    c.no_leak("lookup matches", json.dumps([r["matches"] for r in results]))
    by_name = {r["name"]: r["matches"] for r in results}
    for name, ekey in (("Iris", "iris"), ("Ada", "ada"), ("Wren", "wren"), ("Mabel", "mabel")):
        match = next((m for m in by_name.get(name, []) if m["id"] == E[ekey].id), None)
        if E[ekey].id in view.entities():
            c.check(match is not None and set(match["departments"]) == view.departments_of(ekey),
                    f"lookup {name!r}: {match} (departments should be {sorted(view.departments_of(ekey))})")
        else:
            c.check(match is None, f"lookup {name!r} found an invisible entity")
    orrin = any(m["id"] == E["orrin"].id for m in by_name.get("Orrin", []))
    c.check(orrin == (E["orrin"].id in view.entities()), f"lookup 'Orrin': found={orrin}")
    by_alias = any(m["id"] == E["ada"].id for m in by_name.get(SECRET_ALIAS, []))
    c.check(by_alias == (SECRET_ALIAS in view.aliases_of("ada")), f"lookup by the secret alias: found={by_alias}")

    # facts and candidates
    for fid in sorted(all_fact_ids()):
        visible = fid in view.facts()
        shown = c.request("GET", f"/facts/{fid}", 200 if visible else 404, echo=(fid,))
        if visible and shown.status_code == 200:
            body = shown.json()
            sources = {p["document_id"] for p in body["provenance"]}
            c.check(sources == view.fact_sources(fid), f"/facts/{fid}: sources {sources}")
            c.check(abs(body["confidence"] - view.fact_confidence(fid)) < 1e-6,
                    f"/facts/{fid}: confidence {body['confidence']} != {view.fact_confidence(fid)} "
                    "(the best visible source)")
    candidates = c.request("GET", "/facts/candidates", 200, params={"limit": 1000}).json()
    c.check({x["id"] for x in candidates} == view.candidates(), f"candidates {[x['id'] for x in candidates]}")

    # stats count only what it may see
    stats = c.request("GET", "/stats", 200).json()
    expected = {"documents": len(view.docs), "sentences": sum(len(GRAPHS[k].sentences) for k in view.docs),
                "mentions": sum(len(GRAPHS[k].mentions) for k in view.docs), "entities": len(view.entities()),
                "facts": len(view.facts())}
    got = {k: stats.get(k) for k in expected}
    c.check(got == expected, f"/stats {got} != {expected}")
    c.check(stats.get("entities_by_type") == view.by_type(),
            f"/stats entities_by_type {stats.get('entities_by_type')} != {view.by_type()}")
    c.check(stats.get("facts_by_predicate") == view.by_predicate(),
            f"/stats facts_by_predicate {stats.get('facts_by_predicate')} != {view.by_predicate()}")
    c.check(sum(stats.get("candidates_by_status", {}).values()) == len(view.candidates()),
            f"/stats candidates {stats.get('candidates_by_status')}")

    # graph explorer
    key_of = {e.id: k for k, e in E.items()}
    for entity in E.values():
        visible = entity.id in view.entities()
        elements = c.request("GET", f"/graph/neighbourhood/{entity.id}", 200 if visible else 404, echo=(entity.id,),
                             params={"depth": 3, "limit": 2000})
        if not visible or elements.status_code != 200:
            continue
        for node in elements.json()["nodes"]:
            data, nkey = node["data"], key_of.get(node["data"]["id"], "?")
            c.check(nkey != "?" and set(data["departments"]) == view.departments_of(nkey),
                    f"neighbourhood node {nkey}: departments {data['departments']}")
            c.check(nkey != "?" and data["degree"] == view.degree(nkey),
                    f"neighbourhood node {nkey}: degree {data['degree']} != "
                    f"{view.degree(nkey) if nkey != '?' else '?'}")
        for edge in elements.json()["edges"]:
            data = edge["data"]
            c.check(data["id"] in view.facts() and data["support"] == view.fact_support(data["id"]),
                    f"neighbourhood edge {data['id']}: support {data['support']}")
            c.check(data["id"] in view.facts() and abs(data["confidence"] - view.fact_confidence(data["id"])) < 1e-6,
                    f"neighbourhood edge {data['id']}: confidence {data['confidence']}")
    paths = c.request("GET", "/graph/paths", 200,
                      params={"source": E["treasury"].id, "target": E["ada"].id, "max_length": 8, "k": 20}).json()
    hops = [len(p["nodes"]) - 1 for p in paths["paths"]]
    c.check(bool(hops) and min(hops) == (1 if FACT["secret_treasury_ada"] in view.facts() else 2),
            f"paths Treasury -> Ada Quill: hop counts {hops}")
    for target in ("orrin", "silas", "mabel"):
        visible = E[target].id in view.entities()
        c.request("GET", "/graph/paths", {200} if visible else {404, 200},
                  echo=(E[target].id,), params={"source": E["bureau"].id, "target": E[target].id})
    central = c.request("GET", "/graph/central", 200, params={"limit": 500}).json()
    c.check({x["id"] for x in central} <= view.entities(), "central: invisible entities")
    c.check(E["orrin"].id in {x["id"] for x in central} or E["orrin"].id not in view.entities(),
            "central: Orrin Blackwood missing for a principal who sees him")
    c.request("GET", "/graph/communities", 200, params={"limit": 200, "members": 100})

    # ask: evidence, citations, suggestions, subgraph
    asked = []
    for question in ASK_QUESTIONS:
        answer = c.request("POST", "/ask", 200, echo=(question,), json={"question": question, "mode": "extractive"})
        asked.append(answer.text.replace(question, ""))
        if answer.status_code == 200:
            body = answer.json()
            cited = {x["document_id"] for x in body["citations"] + body.get("suggestions", [])}
            c.check(cited <= {DOC[k].id for k in view.docs}, f"ask {question!r}: cites {cited}")
    if key in ("admin", "restricted_holder"):  # positive control: the restricted evidence reaches them
        c.check(any("Orrin Blackwood" in text or DOC["restricted"].id in text for text in asked),
                "ask: no restricted evidence for a principal who may see it")
    # department narrowing
    for department in (TREASURY, DEFENSE):
        allowed = admin or department in PRINCIPALS[key].departments
        narrowed = c.request("POST", "/ask", 200 if allowed else 403, echo=(ASK_QUESTIONS[1],),
                             json={"question": ASK_QUESTIONS[1], "mode": "extractive", "department": department})
        # narrowed to one department: only what that department (with the token's labels) sees
        labels = () if admin else PRINCIPALS[key].labels
        hidden = View(Who("narrowed", Role.reader, (department,), labels)).forbidden
        leaked = sorted(x for x in hidden if x in narrowed.text.replace(ASK_QUESTIONS[1], ""))
        c.check(not leaked, f"ask narrowed to {department}: LEAK {leaked}")

    # RDF export
    nt = c.request("GET", "/export", 200, params={"format": "nt"}).text
    for k in view.docs:
        c.check(DOC[k].id in nt or DOC[k].title in nt, f"export lacks visible document {k}")
    c.check((SECRET_ALIAS in nt) == (SECRET_ALIAS in view.aliases_of("ada")), "export: the secret alias")
    c.check(("0.97" in nt) == ("restricted" in view.docs), "export: the restricted source's confidence 0.97")
    for department in (TREASURY, DEFENSE):
        c.request("GET", "/export", 200, params={"format": "turtle", "department": department})

    # admin-only
    for path in ("/audit", "/tokens"):
        denied = c.request("GET", path, 200 if admin else 403)
        if not admin:
            c.check("error" in denied.json(), f"{path}: 403 without a JSON error")
    if admin:
        listed_tokens = world.http.get("/tokens", headers=world.headers[key]).text
        c.check(not any(secret.split("_", 2)[-1] in listed_tokens for secret in world.secrets),
                "GET /tokens shows a token's secret")
        c.check('"hash"' not in listed_tokens and '"salt"' not in listed_tokens, "GET /tokens shows hashes")
    problems = list(dict.fromkeys(c.problems))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


# -- object level (BOLA): ids of another department swapped in -----------------------------------------
def as_(world: World, key: str) -> dict[str, str]:
    return world.headers[key]


def exists(world: World, doc_key: str) -> dict | None:
    response = world.http.get(f"/documents/{DOC[doc_key].id}", headers=as_(world, "admin"))
    return response.json() if response.status_code == 200 else None


def test_defense_ids_in_treasury_requests_are_not_found(world: World):
    http, editor = world.http, as_(world, "treasury_editor")
    private = DOC["priv_d"].id
    assert http.get(f"/documents/{private}", headers=editor).status_code == 404
    assert http.get(f"/documents/{private}/annotated", headers=editor).status_code == 404
    deleted = http.delete(f"/documents/{private}", headers=editor)
    assert deleted.status_code == 404, deleted.text
    assert "Grove posting order" not in deleted.text
    assert exists(world, "priv_d") is not None
    for path in (f"/entities/{E['silas'].id}", f"/facts/{FACT['defense_silas']}",
                 f"/graph/neighbourhood/{E['silas'].id}"):
        assert http.get(path, headers=editor).status_code == 404, path
    # Treasury's restricted document is invisible to a Treasury editor without the label: 404, kept
    assert http.delete(f"/documents/{DOC['restricted'].id}", headers=editor).status_code == 404
    assert exists(world, "restricted") is not None


def test_deletes_need_an_editor_of_the_owning_department(world: World):
    http = world.http
    # a Defense-owned public document: Treasury's editor sees it but may not delete it
    public_defense = http.delete(f"/documents/{DOC['pub_d'].id}", headers=as_(world, "treasury_editor"))
    assert public_defense.status_code == 403 and public_defense.json()["error"]["message"]
    assert exists(world, "pub_d") is not None
    # the shared document: visible to Treasury, still Defense's
    assert http.delete(f"/documents/{DOC['shared'].id}", headers=as_(world, "treasury_editor")).status_code == 403
    # readers delete nothing, not even in their own department or with the restricted label
    assert http.delete(f"/documents/{DOC['del_t'].id}", headers=as_(world, "treasury_reader")).status_code == 403
    assert http.delete(f"/documents/{DOC['restricted'].id}",
                       headers=as_(world, "restricted_holder")).status_code == 403
    assert exists(world, "del_t") is not None and exists(world, "restricted") is not None
    # its own department's document: deleted
    ok = http.delete(f"/documents/{DOC['del_t'].id}", headers=as_(world, "treasury_editor"))
    assert ok.status_code == 200, ok.text
    assert exists(world, "del_t") is None
    assert http.get(f"/documents/{DOC['del_t'].id}", headers=as_(world, "treasury_editor")).status_code == 404


def upload(world: World, key: str, name: str, text: str, **data) -> httpx.Response:
    return world.http.post("/documents", headers=as_(world, key),
                           files={"file": (name, text.encode("utf-8"), "text/plain")}, data=data)


def test_uploads_go_only_into_own_departments(world: World):
    own = upload(world, "treasury_editor", "mint_note.txt",
                 "The Department of the Treasury welcomed Senator Chuck Grassley of Iowa.",
                 department=TREASURY, labels=["public"])
    assert own.status_code == 201, own.text
    new_id = own.json()["documents"][0]["id"]
    shown = world.http.get(f"/documents/{new_id}", headers=as_(world, "treasury_reader")).json()
    assert shown["department"] == TREASURY
    # the token's only department is the default
    default = upload(world, "treasury_editor", "default_note.txt", "The Department of the Treasury met Joni Ernst.")
    assert default.status_code == 201, default.text
    assert exists(world, "pub_t") is not None
    assert world.http.get(f"/documents/{default.json()['documents'][0]['id']}",
                          headers=as_(world, "admin")).json()["department"] == TREASURY
    other = upload(world, "treasury_editor", "into_defense.txt", "The Department of Defense employs Zora Lint.",
                   department=DEFENSE)
    assert other.status_code == 403, other.text
    for reader in ("treasury_reader", "restricted_holder", "public_reader"):
        denied = upload(world, reader, "reader.txt", "The Department of the Treasury employs Quinn Moss.",
                        department=TREASURY)
        assert denied.status_code == 403, (reader, denied.text)
    searched = world.http.get("/entities", params={"q": "Zora Lint"}, headers=as_(world, "admin")).json()
    assert searched == [] or all(h["name"] != "Zora Lint" for h in searched)
    # admins import anywhere
    anywhere = upload(world, "admin", "admin_note.txt", "The Department of Defense employs Yuri Tamm.",
                      department=DEFENSE)
    assert anywhere.status_code == 201, anywhere.text


def test_reuploading_another_departments_text_does_not_move_it(world: World):
    for doc_key in ("priv_d", "pub_d"):
        text = DOC[doc_key].text
        again = upload(world, "treasury_editor", f"{doc_key}_copy.txt", text, department=TREASURY,
                       reextract="true")
        assert again.status_code == 403, again.text
        codes = [f["code"] for f in again.json().get("failures", [])]
        assert codes and set(codes) == {"E018"}, again.text
        assert exists(world, doc_key)["department"] == DEFENSE
        assert DOC[doc_key].title not in again.text
    # without reextract the stored document is not rewritten either, and its title does not come back
    quiet = upload(world, "treasury_editor", "priv_d_copy.txt", DOC["priv_d"].text, department=TREASURY)
    assert quiet.status_code in (200, 403), quiet.text
    assert DOC["priv_d"].title not in quiet.text and "Grove posting order" not in quiet.text
    kept = exists(world, "priv_d")
    assert kept["department"] == DEFENSE and kept["labels"] == [] and kept["title"] == DOC["priv_d"].title
    # moving its own document into a department it does not hold
    moved = upload(world, "treasury_editor", "pike.txt", DOC["priv_t"].text, department=DEFENSE, reextract="true")
    assert moved.status_code == 403, moved.text
    assert exists(world, "priv_t")["department"] == TREASURY
    # a jsonl record naming another department is refused on its own (E018)
    record = json.dumps({"id": "r1", "text": "The Department of Defense employs Vera Noon.", "department": DEFENSE})
    jsonl = upload(world, "treasury_editor", "records.jsonl", record + "\n")
    assert jsonl.status_code == 403, jsonl.text
    assert [f["code"] for f in jsonl.json()["failures"]] == ["E018"]


def test_an_upload_reported_as_done_is_visible_to_its_uploader(world: World):
    """Documents are keyed by their text: uploading the text of another department's private document must
    not answer 200 `skipped` (the upload is not done, and the answer confirms that another department holds
    exactly this text). Either a copy the uploader can see is imported, or the upload is refused (4xx)."""
    response = upload(world, "treasury_editor", "guessed.txt", DOC["priv_d"].text, department=TREASURY)
    if response.status_code < 300:
        ids = [d["id"] for d in response.json()["documents"]]
        seen = [world.http.get(f"/documents/{i}", headers=as_(world, "treasury_editor")).status_code for i in ids]
        assert ids and seen == [200] * len(ids), (
            f"{response.status_code} {[d['status'] for d in response.json()['documents']]}, but GET answers {seen}")


def test_audit_log_records_who_did_what(world: World):
    http, admin = world.http, as_(world, "admin")
    question = "Who does the Department of Defense employ?"
    assert http.post("/ask", json={"question": question, "mode": "extractive"},
                     headers=as_(world, "defense_reader")).status_code == 200
    assert http.get("/export", params={"format": "nt"}, headers=as_(world, "public_reader")).status_code == 200
    events = http.get("/audit", params={"limit": 1000}, headers=admin)
    assert events.status_code == 200, events.text
    log = events.json()
    assert question not in events.text  # hashed by default

    def seen(principal: str, action: str, outcome: str) -> list[dict]:
        return [e for e in log if e["principal"] == world.token_names[principal] and e["action"] == action
                and e["outcome"] == outcome]

    assert seen("treasury_editor", "import", "ok") and seen("treasury_editor", "import", "denied")
    assert seen("treasury_reader", "import", "denied")
    assert seen("treasury_editor", "delete", "ok")
    assert any(e["target"] == DOC["del_t"].id for e in seen("treasury_editor", "delete", "ok"))
    assert seen("treasury_editor", "delete", "denied") and seen("treasury_editor", "delete", "not_found")
    assert seen("treasury_reader", "delete", "denied")
    asks = seen("defense_reader", "ask", "ok")
    assert asks and all(e["detail"].startswith("sha256:") for e in asks), asks
    assert seen("public_reader", "export", "ok")
    assert seen("admin", "import", "ok")
    assert [e["at"] for e in log] == sorted((e["at"] for e in log), reverse=True)  # newest first
    only = http.get("/audit", params={"principal": world.token_names["treasury_reader"], "limit": 1000},
                    headers=admin).json()
    assert only and {e["principal"] for e in only} == {world.token_names["treasury_reader"]}
    deletes = http.get("/audit", params={"action": "delete", "limit": 1000}, headers=admin).json()
    assert deletes and {e["action"] for e in deletes} == {"delete"}


def test_tokens_over_http(world: World):
    http, admin = world.http, as_(world, "admin")
    # non-admins cannot make themselves a token
    escalate = http.post("/tokens", json={"name": "sneaky", "role": "admin"}, headers=as_(world, "treasury_editor"))
    assert escalate.status_code == 403
    assert http.delete("/tokens/access-admin", headers=as_(world, "treasury_editor")).status_code == 403
    created = http.post("/tokens", json={"name": "http-defense", "departments": [DEFENSE], "role": "reader"},
                        headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert "hash" not in body["info"] and "salt" not in body["info"]
    headers = {"Authorization": f"Bearer {body['token']}"}
    listed = http.get("/documents", headers=headers)
    assert listed.status_code == 200
    assert DOC["priv_d"].id in {d["id"] for d in listed.json()}
    assert DOC["restricted"].id not in listed.text and DOC["priv_t"].id not in listed.text
    assert body["token"].split("_", 2)[-1] not in http.get("/tokens", headers=admin).text
    revoked = http.delete(f"/tokens/{body['info']['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 1}
    after = http.get("/documents", headers=headers)
    assert after.status_code == 401 and after.headers["www-authenticate"].lower().startswith("bearer")
    assert next(t for t in http.get("/tokens", headers=admin).json() if t["id"] == body["info"]["id"])["revoked_at"]
    assert http.post("/tokens", json={"name": "no-dept", "role": "reader"}, headers=admin).status_code == 422


# -- api.auth = "off" -------------------------------------------------------------------------------------
def test_auth_off_only_on_loopback(serve_api, tmp_path: Path):
    from api.app import create_app
    from service.auth.errors import AuthConfigError

    settings = load_settings(data_dir=tmp_path / "data")
    settings.api.auth = "off"
    services = build_services(settings)
    try:
        with pytest.raises(AuthConfigError):
            create_app(services, host="0.0.0.0")
        with pytest.raises(AuthConfigError):
            create_app(services, host="192.168.1.10")
        create_app(services, host="::1")
        services.store.write(GRAPHS["restricted"])
        with serve_api(services) as base, httpx.Client(base_url=base, timeout=30) as http:
            listed = http.get("/documents")
            assert listed.status_code == 200 and [d["id"] for d in listed.json()] == [DOC["restricted"].id]
            assert http.get("/audit").status_code == 200
    finally:
        services.close()
