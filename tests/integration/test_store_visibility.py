"""Department-scoped visibility (issue #18) at the store level, on every store (SQLite and the real Neo4j
server): every read method of the GraphStore contract under several scopes, compared with a reference
computed in plain Python from `Scope.sees` over the seeded graphs; no restricted name, alias, sentence or
title leaks through any field; the audit log; and a Hypothesis property over random visibility assignments."""
from __future__ import annotations

import json
import math
import sqlite3
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from graph.errors import NotFound
from graph.store import AuditEvent, GraphStore
from graph.visibility import Scope

PATTERNS = Extractor(name="patterns", version="1")
JOINT = Extractor(name="joint", version="7")
VECTOR_DIMS = 384  # what the Neo4j vector index is built for (graph/neo4j/queries.py)


# -- building hand-made document graphs -------------------------------------------------------------
def make_entity(name: str, etype: str) -> Entity:
    return Entity(id=entity_id(f"{etype}:{name.lower()}"), name=name, type=etype)


def build_graph(
    sentences: list[str], *, title: str, source: str, department: str | None, labels: Iterable[str],
    mentions: list[tuple[int, str, Entity]],
    facts: Iterable[tuple[Entity, str, Entity, int, Extractor]] = (),
    candidates: Iterable[tuple[Entity, str, Entity, int, str, str]] = (),
    names: dict[str, Entity] | None = None,
) -> DocumentGraph:
    """A document of these sentences; `mentions` are (sentence index, surface text, entity); facts and
    candidates cite one sentence, their argument spans are the mentions of their entities in it; `names`
    overrides (by entity id) the Entity record this document gives (its name and aliases)."""
    text = " ".join(sentences)
    doc = Document(id=document_id(text), text=text, title=title, source_path=f"/corpus/{source}",
                   source_name=source, format="txt", department=department, published="2026",
                   labels=tuple(labels))
    starts, offset = [], 0
    for s in sentences:
        starts.append(offset)
        offset += len(s) + 1
    sentence_records = tuple(Sentence(document_id=doc.id, index=i, start=starts[i], end=starts[i] + len(s), text=s)
                             for i, s in enumerate(sentences))
    mention_records, spans = [], {}
    for si, surface, entity in mentions:
        start = text.index(surface, starts[si])
        end = start + len(surface)
        assert end <= starts[si] + len(sentences[si]), f"{surface!r} is not in sentence {si}"
        mention_records.append(Mention(
            id=mention_id(doc.id, start, end, entity.type), document_id=doc.id, sentence_index=si, start=start,
            end=end, text=surface, type=entity.type, confidence=0.9, extractor=PATTERNS, entity_id=entity.id))
        spans[(si, entity.id)] = (start, end)

    def fact(subject: Entity, predicate: str, obj: Entity, si: int, extractor: Extractor, confidence: float) -> Fact:
        (ss, se), (os_, oe) = spans[(si, subject.id)], spans[(si, obj.id)]
        return Fact(id=fact_id(subject.id, predicate, obj.id), subject_id=subject.id, predicate=predicate,
                    object_id=obj.id, confidence=confidence,
                    provenance=(Provenance(document_id=doc.id, sentence_index=si, subject_start=ss, subject_end=se,
                                           object_start=os_, object_end=oe, confidence=confidence,
                                           extractor=extractor),))

    fact_records = tuple(fact(s, p, o, si, ex, 0.8) for s, p, o, si, ex in facts)
    candidate_records = tuple(CandidateFact(fact=fact(s, p, o, si, PATTERNS, 0.3), status=status, reason=reason)
                              for s, p, o, si, status, reason in candidates)
    overrides = names or {}
    entities: dict[str, Entity] = {}
    for _, _, entity in mentions:
        entities.setdefault(entity.id, overrides.get(entity.id, entity))
    return DocumentGraph(document=doc, sentences=sentence_records, mentions=tuple(mention_records),
                         entities=tuple(entities.values()), facts=fact_records, candidates=candidate_records)


# -- the reference: what a scope may see, computed in plain Python from Scope.sees ----------------
class Reference:
    def __init__(self, graphs: list[DocumentGraph]) -> None:
        self.graphs = graphs  # in write order (the first writer gives an entity its stored name)
        self.docs = {g.document.id: g for g in graphs}
        self.stored_name: dict[str, str] = {}
        self.types: dict[str, str] = {}
        self.fact_defs: dict[str, Fact] = {}
        for g in graphs:
            for e in g.entities:
                self.stored_name.setdefault(e.id, e.name)
                self.types[e.id] = e.type
            for f in g.facts:
                self.fact_defs.setdefault(f.id, f)

    def visible_docs(self, scope: Scope | None) -> set[str]:
        return {d for d, g in self.docs.items()
                if scope is None or scope.sees(g.document.department, g.document.labels)}

    def _visible_graphs(self, scope: Scope | None) -> list[DocumentGraph]:
        visible = self.visible_docs(scope)
        return [g for g in self.graphs if g.document.id in visible]

    def provenance(self, scope: Scope | None) -> dict[str, list[Provenance]]:
        """Visible facts → their visible provenance."""
        out: dict[str, list[Provenance]] = {}
        for g in self._visible_graphs(scope):
            for f in g.facts:
                out.setdefault(f.id, []).extend(f.provenance)
        return out

    def fact_documents(self, scope: Scope | None) -> dict[str, set[str]]:
        return {fid: {p.document_id for p in provs} for fid, provs in self.provenance(scope).items()}

    def entity_fact_documents(self, scope: Scope | None, eid: str) -> dict[str, set[str]]:
        return {fid: docs for fid, docs in self.fact_documents(scope).items()
                if eid in (self.fact_defs[fid].subject_id, self.fact_defs[fid].object_id)}

    def mentions(self, scope: Scope | None, eid: str | None = None) -> list[Mention]:
        return [m for g in self._visible_graphs(scope) for m in g.mentions if eid is None or m.entity_id == eid]

    def entities(self, scope: Scope | None) -> set[str]:
        found = {m.entity_id for m in self.mentions(scope) if m.entity_id}
        for fid in self.provenance(scope):
            found |= {self.fact_defs[fid].subject_id, self.fact_defs[fid].object_id}
        return found

    def names(self, scope: Scope | None, eid: str) -> set[str]:
        return {n for g in self._visible_graphs(scope) for e in g.entities if e.id == eid for n in (e.name, *e.aliases)}

    def name(self, scope: Scope | None, eid: str) -> str | None:
        """The stored name when a visible document gives it, else the only visible name (None: ambiguous)."""
        names = self.names(scope, eid)
        if scope is None or self.stored_name[eid] in names:
            return self.stored_name[eid]
        return next(iter(names)) if len(names) == 1 else None

    def aliases(self, scope: Scope | None, eid: str) -> set[str]:
        return self.names(scope, eid) - {self.name(scope, eid)}

    def departments(self, scope: Scope | None, eid: str) -> list[str]:
        return sorted({self.docs[m.document_id].document.department for m in self.mentions(scope, eid)} - {None})

    def candidates(self, scope: Scope | None) -> set[tuple[str, str, str]]:
        return {(c.fact.id, g.document.id, c.status) for g in self._visible_graphs(scope) for c in g.candidates}

    def sentence_keys(self, scope: Scope | None) -> list[tuple[str, int]]:
        return [(s.document_id, s.index) for g in self._visible_graphs(scope) for s in g.sentences]

    def stats(self, scope: Scope | None) -> dict[str, object]:
        graphs = self._visible_graphs(scope)
        provenance = self.provenance(scope)
        entities = self.entities(scope)
        by_extractor: Counter[str] = Counter()
        for provs in provenance.values():
            by_extractor.update({p.extractor.name for p in provs})
        return {
            "documents": len(graphs),
            "sentences": sum(len(g.sentences) for g in graphs),
            "mentions": sum(len(g.mentions) for g in graphs),
            "entities": len(entities),
            "facts": len(provenance),
            "entities_by_type": dict(Counter(self.types[e] for e in entities)),
            "facts_by_predicate": dict(Counter(self.fact_defs[f].predicate for f in provenance)),
            "facts_by_extractor": dict(by_extractor),
            "candidates_by_status": dict(Counter(status for _, _, status in self.candidates(scope))),
        }


# -- the seeded graph ---------------------------------------------------------------------------------
HARBOR = make_entity("Harbor Fund", "Program")
TREASURY_DEPT = make_entity("Treasury Department", "Department")
DEFENSE_DEPT = make_entity("Department of Defense", "Department")
CARVER = make_entity("Alice Carver", "Person")
TOLLIVER = make_entity("Brent Tolliver", "Person")
BUNKER = make_entity("Marrowstone Bunker", "Location")  # only in the restricted Treasury document
DEPOT = make_entity("Quarnby Depot", "Location")  # only in the public-but-restricted Defense document
ARCHIVE = make_entity("Pellmoor Archive", "Organization")  # only in the unowned, unlabelled document
ENTITIES = [HARBOR, TREASURY_DEPT, DEFENSE_DEPT, CARVER, TOLLIVER, BUNKER, DEPOT, ARCHIVE]

SECRET_NAME = "Zephyrquill Initiative"  # the restricted document's (first-written, stored) name of HARBOR
SECRET_ALIAS = "Vulpine Paymaster"  # an alias of TREASURY_DEPT that only the restricted document gives

RESTRICTED_DOC = build_graph(
    [f"The {SECRET_NAME} is financed by the Treasury Department.",
     f"The {SECRET_NAME} operates from Marrowstone Bunker.",
     f"The {SECRET_ALIAS} signs for the Treasury Department."],
    title="Marrowstone Memo", source="marrowstone-memo.txt", department="Treasury", labels=["restricted"],
    mentions=[(0, SECRET_NAME, HARBOR), (0, "Treasury Department", TREASURY_DEPT), (1, SECRET_NAME, HARBOR),
              (1, "Marrowstone Bunker", BUNKER), (2, SECRET_ALIAS, TREASURY_DEPT)],
    facts=[(HARBOR, "fundedBy", TREASURY_DEPT, 0, JOINT), (HARBOR, "locatedIn", BUNKER, 1, JOINT)],
    candidates=[(BUNKER, "administers", HARBOR, 1, "rejected", "administers: a Location cannot administer")],
    names={HARBOR.id: Entity(id=HARBOR.id, name=SECRET_NAME, type=HARBOR.type),
           TREASURY_DEPT.id: TREASURY_DEPT.model_copy(update={"aliases": (SECRET_ALIAS,)})},
)
PUBLIC_DOC = build_graph(
    ["The Harbor Fund is financed by the Treasury Department.", "Alice Carver heads the Harbor Fund."],
    title="Harbor Fund Annual Report", source="harbor-report.txt", department="Commerce", labels=["public"],
    mentions=[(0, "Harbor Fund", HARBOR), (0, "Treasury Department", TREASURY_DEPT), (1, "Alice Carver", CARVER),
              (1, "Harbor Fund", HARBOR)],
    facts=[(HARBOR, "fundedBy", TREASURY_DEPT, 0, PATTERNS), (CARVER, "headOf", HARBOR, 1, PATTERNS)],
)
TREASURY_DOC = build_graph(
    ["The Treasury Department administers the Harbor Fund."],
    title="Treasury Budget Note", source="treasury-note.txt", department="Treasury", labels=[],
    mentions=[(0, "Treasury Department", TREASURY_DEPT), (0, "Harbor Fund", HARBOR)],
    facts=[(TREASURY_DEPT, "administers", HARBOR, 0, PATTERNS)],
    candidates=[(TREASURY_DEPT, "memberOf", HARBOR, 0, "low_confidence", "confidence 0.3 below 0.5")],
)
DEFENSE_DOC = build_graph(
    ["The Department of Defense employs Brent Tolliver."],
    title="Defense Staffing Note", source="defense-note.txt", department="Defense", labels=[],
    mentions=[(0, "Department of Defense", DEFENSE_DEPT), (0, "Brent Tolliver", TOLLIVER)],
    facts=[(DEFENSE_DEPT, "employs", TOLLIVER, 0, PATTERNS)],
)
SHARED_DOC = build_graph(
    ["The Department of Defense is financed by the Treasury Department."],
    title="Joint Funding Note", source="joint-note.txt", department="Treasury", labels=["shared:Defense"],
    mentions=[(0, "Department of Defense", DEFENSE_DEPT), (0, "Treasury Department", TREASURY_DEPT)],
    facts=[(DEFENSE_DEPT, "fundedBy", TREASURY_DEPT, 0, PATTERNS)],
)
AUDIT_DOC = build_graph(
    ["Alice Carver was employed by the Department of Defense."],
    title="Audit Findings", source="audit-findings.txt", department="Commerce", labels=["audit-2026"],
    mentions=[(0, "Alice Carver", CARVER), (0, "Department of Defense", DEFENSE_DEPT)],
    facts=[(CARVER, "employedBy", DEFENSE_DEPT, 0, PATTERNS)],
)
PUBLIC_RESTRICTED_DOC = build_graph(
    ["Brent Tolliver lives in Quarnby Depot."],
    title="Quarnby Directive", source="quarnby-directive.txt", department="Defense", labels=["public", "restricted"],
    mentions=[(0, "Brent Tolliver", TOLLIVER), (0, "Quarnby Depot", DEPOT)],
    facts=[(TOLLIVER, "livesIn", DEPOT, 0, PATTERNS)],
)
UNOWNED_DOC = build_graph(
    ["Alice Carver catalogued the Pellmoor Archive."],
    title="Pellmoor Ledger", source="pellmoor-ledger.txt", department=None, labels=[],
    mentions=[(0, "Alice Carver", CARVER), (0, "Pellmoor Archive", ARCHIVE)],
    facts=[(CARVER, "memberOf", ARCHIVE, 0, PATTERNS)],
)
# the restricted document first: it is the first writer of HARBOR (its stored name is the secret one)
GRAPHS = [RESTRICTED_DOC, PUBLIC_DOC, TREASURY_DOC, DEFENSE_DOC, SHARED_DOC, AUDIT_DOC, PUBLIC_RESTRICTED_DOC,
          UNOWNED_DOC]
REF = Reference(GRAPHS)
R, P, T, D, S, A, PR, U = (g.document.id for g in GRAPHS)

F_FUNDED = fact_id(HARBOR.id, "fundedBy", TREASURY_DEPT.id)  # supported by the public and the restricted document
F_SECRET = fact_id(HARBOR.id, "locatedIn", BUNKER.id)  # only in the restricted document
F_HEAD = fact_id(CARVER.id, "headOf", HARBOR.id)
F_ADMIN = fact_id(TREASURY_DEPT.id, "administers", HARBOR.id)
F_EMPLOYS = fact_id(DEFENSE_DEPT.id, "employs", TOLLIVER.id)
F_DEF_FUNDED = fact_id(DEFENSE_DEPT.id, "fundedBy", TREASURY_DEPT.id)
F_CARVER = fact_id(CARVER.id, "employedBy", DEFENSE_DEPT.id)
F_QUARNBY = fact_id(TOLLIVER.id, "livesIn", DEPOT.id)
F_PELLMOOR = fact_id(CARVER.id, "memberOf", ARCHIVE.id)
ALL_FACTS = [F_FUNDED, F_SECRET, F_HEAD, F_ADMIN, F_EMPLOYS, F_DEF_FUNDED, F_CARVER, F_QUARNBY, F_PELLMOOR]

# words only the documents hidden from most scopes hold (in their text, titles, file names, names, aliases)
MARKERS = {R: {"zephyrquill", "marrowstone", "vulpine"}, PR: {"quarnby"}, U: {"pellmoor"}}

SCOPES: dict[str, Scope] = {
    "treasury": Scope.of(["Treasury"]),
    "defense": Scope.of(["Defense"]),
    "public-only": Scope(),
    "treasury+restricted": Scope.of(["Treasury"], ["restricted"]),
    "defense+restricted": Scope.of(["Defense"], ["restricted"]),
    "auditor": Scope.of(labels=["audit-2026"]),
    "restricted-label-only": Scope.of(labels=["restricted"]),
    "holds-public-label": Scope.of(labels=["public"]),
}
# written out by hand: the reference's own first check
EXPECTED_DOCS = {
    "treasury": {P, T, S},
    "defense": {P, D, S},
    "public-only": {P},
    "treasury+restricted": {P, T, S, R, PR},
    "defense+restricted": {P, D, S, PR},
    "auditor": {P, A},
    "restricted-label-only": {P, PR},
    "holds-public-label": {P},
}
SCOPE_NAMES = list(SCOPES)


def sentence_vector(k: int) -> list[float]:
    """Sentence k (in seed order) at angle 0.1·k from the first axis: the query [1, 0, …] ranks them by k."""
    v = [0.0] * VECTOR_DIMS
    v[0], v[1] = math.cos(0.1 * k), math.sin(0.1 * k)
    return v


SENTENCE_ORDER = [(s.document_id, s.index) for g in GRAPHS for s in g.sentences]
QUERY_VECTOR = [1.0] + [0.0] * (VECTOR_DIMS - 1)


@pytest.fixture
def seeded(store: GraphStore) -> GraphStore:
    for g in GRAPHS:
        store.write(g)
    for g in GRAPHS:
        store.write_sentence_vectors(g.document.id, "test-model",
                                     [sentence_vector(SENTENCE_ORDER.index((g.document.id, s.index)))
                                      for s in g.sentences])
    return store


def dump(obj: object) -> str:
    """Everything a read returned, as lower-case JSON text (for the leak checks)."""
    def default(o: object) -> object:
        if hasattr(o, "model_dump"):
            return o.model_dump(mode="json")
        if isinstance(o, (set, frozenset, tuple)):
            return list(o)
        return str(o)
    return json.dumps(obj, default=default, ensure_ascii=False).lower()


def hidden_markers(scope: Scope | None) -> set[str]:
    visible = REF.visible_docs(scope)
    return {m for doc, words in MARKERS.items() if doc not in visible for m in words}


def visible_markers(scope: Scope | None) -> set[str]:
    visible = REF.visible_docs(scope)
    return {m for doc, words in MARKERS.items() if doc in visible for m in words}


def for_each_scope(store: GraphStore, check) -> None:
    """Run check(store, scope name) for every scope on one seeded store; report every scope that fails."""
    failures = []
    for name in SCOPE_NAMES:
        try:
            check(store, name)
        except Exception as exc:
            failures.append(f"[{name}] {type(exc).__name__}: {exc}")
    assert not failures, "\n\n".join(failures)


# -- the reference itself ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", SCOPE_NAMES)
def test_reference_agrees_with_the_hand_written_table(name: str):
    assert REF.visible_docs(SCOPES[name]) == EXPECTED_DOCS[name]
    assert REF.visible_docs(None) == set(REF.docs)


def test_reference_facts_follow_the_rule():
    treasury = SCOPES["treasury"]
    assert REF.fact_documents(treasury)[F_FUNDED] == {P}
    assert F_SECRET not in REF.fact_documents(treasury)
    assert REF.fact_documents(SCOPES["treasury+restricted"])[F_FUNDED] == {P, R}
    assert BUNKER.id not in REF.entities(treasury) and HARBOR.id in REF.entities(treasury)
    assert REF.name(treasury, HARBOR.id) == "Harbor Fund" and REF.aliases(treasury, HARBOR.id) == set()
    assert REF.name(None, HARBOR.id) == SECRET_NAME
    assert REF.aliases(treasury, TREASURY_DEPT.id) == set()
    assert REF.aliases(SCOPES["treasury+restricted"], TREASURY_DEPT.id) == {SECRET_ALIAS}


# -- no scope: everything, as before --------------------------------------------------------------
def test_scope_none_sees_everything(seeded: GraphStore):
    store = seeded
    assert {d.id for d in store.list_documents(scope=None)} == set(REF.docs)
    assert {d.id for d in store.list_documents()} == set(REF.docs)
    stats = store.stats(scope=None)
    expected = REF.stats(None)
    assert {k: getattr(stats, k) for k in expected} == expected
    assert store.stats() == stats
    assert store.get_document(R, scope=None) == RESTRICTED_DOC.document
    entity = store.get_entity(HARBOR.id, scope=None)
    assert entity.name == SECRET_NAME and set(entity.aliases) == {"Harbor Fund"}
    assert SECRET_ALIAS in store.get_entity(TREASURY_DEPT.id, scope=None).aliases
    assert store.get_entity(BUNKER.id, scope=None).name == "Marrowstone Bunker"
    assert store.search_entities("Zephyrquill", scope=None)[0].id == HARBOR.id
    assert {p.document_id for p in store.get_fact(F_FUNDED, scope=None).provenance} == {P, R}
    assert {p.document_id for p in store.get_fact(F_SECRET, scope=None).provenance} == {R}
    assert {e.id: e.support for e in store.fact_edges(scope=None)} == dict.fromkeys(ALL_FACTS, 1) | {F_FUNDED: 2}
    assert {(c.id, c.status) for c in store.fact_candidates(scope=None)} == {
        (c[0], c[2]) for c in REF.candidates(None)}
    assert store.entity_mention_count(HARBOR.id, scope=None) == 5
    assert store.entity_departments(TREASURY_DEPT.id, scope=None) == ["Commerce", "Treasury"]
    assert set(store.entity_infos(None, scope=None)) == {e.id for e in ENTITIES}
    assert {g.document.id for g in store.iter_document_graphs(scope=None)} == set(REF.docs)
    assert [(h.document_id, h.sentence_index) for h in store.get_sentences(SENTENCE_ORDER, scope=None)] == \
        SENTENCE_ORDER
    assert {h.document_id for h in store.search_sentences("Zephyrquill", scope=None)} == {R}
    assert store.nearest_sentences(QUERY_VECTOR, limit=1, scope=None)[0].document_id == R


# -- documents ------------------------------------------------------------------------------------------
def test_documents_under_scope(seeded: GraphStore):
    for_each_scope(seeded, check_documents_under_scope)


def check_documents_under_scope(seeded: GraphStore, name: str) -> None:
    store, scope = seeded, SCOPES[name]
    visible = EXPECTED_DOCS[name]
    summaries = store.list_documents(limit=100, scope=scope)
    assert {d.id for d in summaries} == visible
    assert len(summaries) == len(visible)
    for summary in summaries:
        g = REF.docs[summary.id]
        assert (summary.department, summary.labels, summary.title) == (
            g.document.department, list(g.document.labels), g.document.title)
        assert (summary.sentence_count, summary.mention_count) == (len(g.sentences), len(g.mentions))
    # paging stays inside the scope
    first, rest = store.list_documents(limit=1, scope=scope), store.list_documents(limit=100, offset=1, scope=scope)
    assert len(first) == 1 and {d.id for d in first + rest} == visible and len(rest) == len(visible) - 1
    for g in GRAPHS:
        doc = g.document.id
        if doc in visible:
            assert store.get_document(doc, scope=scope) == g.document
            mentions, facts = store.document_annotations(doc, scope=scope)
            assert {m.id for m in mentions} == {m.id for m in g.mentions}
            assert {(f.fact_id, f.sentence_index) for f in facts} == {
                (f.id, p.sentence_index) for f in g.facts for p in f.provenance}
        else:
            with pytest.raises(NotFound):
                store.get_document(doc, scope=scope)
            with pytest.raises(NotFound):
                store.document_annotations(doc, scope=scope)
            assert store.has_document(doc)  # (unscoped: the CLI's view)


# -- entities -------------------------------------------------------------------------------------------
def test_entities_under_scope(seeded: GraphStore):
    for_each_scope(seeded, check_entities_under_scope)


def check_entities_under_scope(seeded: GraphStore, name: str) -> None:
    store, scope = seeded, SCOPES[name]
    visible = REF.entities(scope)
    for e in ENTITIES:
        if e.id not in visible:
            with pytest.raises(NotFound):
                store.get_entity(e.id, scope=scope)
            assert store.entity_mentions(e.id, scope=scope) == []
            assert store.entity_mention_count(e.id, scope=scope) == 0
            assert store.entity_departments(e.id, scope=scope) == []
            assert store.entity_facts(e.id, scope=scope) == []
            continue
        got = store.get_entity(e.id, scope=scope)
        assert (got.id, got.type) == (e.id, e.type)
        assert got.name == REF.name(scope, e.id), f"{name}: name of {e.name}"
        assert set(got.aliases) == REF.aliases(scope, e.id), f"{name}: aliases of {e.name}"
        mentions = store.entity_mentions(e.id, limit=100, scope=scope)
        assert {m.id for m in mentions} == {m.id for m in REF.mentions(scope, e.id)}
        assert all(m.document_id in EXPECTED_DOCS[name] for m in mentions)
        assert store.entity_mention_count(e.id, scope=scope) == len(REF.mentions(scope, e.id))
        assert store.entity_departments(e.id, scope=scope) == REF.departments(scope, e.id)
    infos = store.entity_infos(None, scope=scope)
    assert set(infos) == visible
    for eid, info in infos.items():
        assert info.name == REF.name(scope, eid)
        assert info.mention_count == len(REF.mentions(scope, eid))
        assert sorted(info.departments) == REF.departments(scope, eid)
    some = store.entity_infos([e.id for e in ENTITIES], scope=scope)
    assert some == infos
    assert set(store.entity_infos([BUNKER.id, HARBOR.id], scope=scope)) == {BUNKER.id, HARBOR.id} & visible


def test_restricted_names_never_reach_other_scopes(seeded: GraphStore):
    store = seeded
    for name in ("treasury", "defense", "public-only", "auditor", "defense+restricted"):
        scope = SCOPES[name]
        harbor = store.get_entity(HARBOR.id, scope=scope)
        assert (harbor.name, harbor.aliases) == ("Harbor Fund", ()), name
        treasury = store.get_entity(TREASURY_DEPT.id, scope=scope)
        assert (treasury.name, treasury.aliases) == ("Treasury Department", ()), name
        for query in ("Zephyrquill", SECRET_NAME, "Vulpine", SECRET_ALIAS, "Marrowstone Bunker"):
            assert store.search_entities(query, scope=scope) == [], f"{name}: {query}"
        with pytest.raises(NotFound):
            store.get_entity(BUNKER.id, scope=scope)
    holder = SCOPES["treasury+restricted"]
    harbor = store.get_entity(HARBOR.id, scope=holder)
    assert harbor.name == SECRET_NAME and set(harbor.aliases) == {"Harbor Fund"}
    assert SECRET_ALIAS in store.get_entity(TREASURY_DEPT.id, scope=holder).aliases
    hit = store.search_entities("Zephyrquill", scope=holder)[0]
    assert (hit.id, hit.matched) == (HARBOR.id, SECRET_NAME)
    hit = store.search_entities(SECRET_ALIAS, scope=holder)[0]
    assert (hit.id, hit.matched) == (TREASURY_DEPT.id, SECRET_ALIAS)
    assert store.get_entity(BUNKER.id, scope=holder).name == "Marrowstone Bunker"


def test_search_under_scope(seeded: GraphStore):
    for_each_scope(seeded, check_search_under_scope)


def check_search_under_scope(seeded: GraphStore, name: str) -> None:
    store, scope = seeded, SCOPES[name]
    visible = REF.entities(scope)
    queries = ["Harbor Fund", "Harbor", "Treasury", "Department", "Alice Carver", "Brent", "Tolliver",
               "Zephyrquill", SECRET_NAME, SECRET_ALIAS, "Marrowstone", "Quarnby Depot", "Pellmoor",
               "de", "ha", "ze", "qu", "pe", "Defence Departmnt", "Harbour Fnd"]
    for query in queries:
        hits = store.search_entities(query, limit=20, scope=scope)
        for hit in hits:
            assert hit.id in visible, f"{name}: {query!r} found invisible {hit.id}"
            names = REF.names(scope, hit.id)
            assert hit.name == REF.name(scope, hit.id), f"{name}: {query!r}"
            assert set(hit.aliases) == REF.aliases(scope, hit.id), f"{name}: {query!r} aliases"
            assert hit.matched in names, f"{name}: {query!r} matched {hit.matched!r}"
            assert hit.mention_count == len(REF.mentions(scope, hit.id)), f"{name}: {query!r} mention_count"
    # every visible entity is found by a visible name, and only by a visible one
    for e in ENTITIES:
        hits = {h.id for h in store.search_entities(e.name, limit=20, scope=scope)}
        assert (e.id in hits) == (e.name in REF.names(scope, e.id)), f"{name}: {e.name}"
    secret_hits = [h.id for h in store.search_entities("Zephyrquill", scope=scope)]
    assert secret_hits == ([HARBOR.id] if R in EXPECTED_DOCS[name] else [])
    alias_hits = [h.id for h in store.search_entities("Vulpine Paymaster", scope=scope)]
    assert alias_hits == ([TREASURY_DEPT.id] if R in EXPECTED_DOCS[name] else [])
    typed = store.search_entities("Harbor", types=["Program"], scope=scope)
    assert [h.id for h in typed] == ([HARBOR.id] if HARBOR.id in visible else [])


# -- facts, edges, candidates ------------------------------------------------------------------------
def test_facts_under_scope(seeded: GraphStore):
    for_each_scope(seeded, check_facts_under_scope)


def check_facts_under_scope(seeded: GraphStore, name: str) -> None:
    store, scope = seeded, SCOPES[name]
    expected = REF.fact_documents(scope)
    for e in ENTITIES:
        facts = store.entity_facts(e.id, limit=100, scope=scope)
        assert {f.id: {p.document_id for p in f.provenance} for f in facts} == REF.entity_fact_documents(scope, e.id), \
            f"{name}: facts of {e.name}"
        for f in facts:
            assert len(f.provenance) == len(REF.provenance(scope)[f.id])
            assert f.subject.name == REF.name(scope, f.subject.id) and f.object.name == REF.name(scope, f.object.id)
    for fid in ALL_FACTS:
        if fid in expected:
            fact = store.get_fact(fid, scope=scope)
            assert {p.document_id for p in fact.provenance} == expected[fid], f"{name}: {fid}"
            assert all(p.department == REF.docs[p.document_id].document.department for p in fact.provenance)
        else:
            with pytest.raises(NotFound):
                store.get_fact(fid, scope=scope)
    edges = {e.id: e for e in store.fact_edges(scope=scope)}
    assert {fid: e.support for fid, e in edges.items()} == {fid: len(p) for fid, p in REF.provenance(scope).items()}
    assert all(e.subject_id in REF.entities(scope) and e.object_id in REF.entities(scope) for e in edges.values())
    candidates = store.fact_candidates(limit=100, scope=scope)
    assert {(c.id, c.provenance[0].document_id, c.status) for c in candidates} == REF.candidates(scope)
    assert all(p.document_id in EXPECTED_DOCS[name] for c in candidates for p in c.provenance)
    rejected = store.fact_candidates(status="rejected", scope=scope)
    assert {c.id for c in rejected} == {cid for cid, _, status in REF.candidates(scope) if status == "rejected"}


def test_shared_fact_shows_only_visible_provenance(seeded: GraphStore):
    store = seeded
    treasury, holder = SCOPES["treasury"], SCOPES["treasury+restricted"]
    fact = store.get_fact(F_FUNDED, scope=treasury)
    assert [p.document_id for p in fact.provenance] == [P]
    assert fact.provenance[0].sentence == "The Harbor Fund is financed by the Treasury Department."
    assert fact.subject.name == "Harbor Fund"
    assert {p.document_id for p in store.get_fact(F_FUNDED, scope=holder).provenance} == {P, R}
    assert {e.id: e.support for e in store.fact_edges(scope=treasury)}[F_FUNDED] == 1
    assert {e.id: e.support for e in store.fact_edges(scope=holder)}[F_FUNDED] == 2
    with pytest.raises(NotFound):
        store.get_fact(F_SECRET, scope=treasury)
    assert F_SECRET not in {f.id for f in store.entity_facts(HARBOR.id, scope=treasury)}
    assert F_SECRET in {f.id for f in store.entity_facts(HARBOR.id, scope=holder)}
    assert [c.id for c in store.fact_candidates(status="rejected", scope=treasury)] == []
    assert [c.id for c in store.fact_candidates(status="rejected", scope=holder)] == [
        fact_id(BUNKER.id, "administers", HARBOR.id)]
    assert [c.status for c in store.fact_candidates(scope=treasury)] == ["low_confidence"]
    assert store.fact_candidates(scope=SCOPES["defense"]) == []


# -- stats -----------------------------------------------------------------------------------------------
def test_stats_under_scope(seeded: GraphStore):
    for_each_scope(seeded, check_stats_under_scope)


def check_stats_under_scope(seeded: GraphStore, name: str) -> None:
    stats = seeded.stats(scope=SCOPES[name])
    expected = REF.stats(SCOPES[name])
    assert {k: getattr(stats, k) for k in expected} == expected
    assert stats.store == seeded.name


def test_stats_by_hand(seeded: GraphStore):
    public = seeded.stats(scope=Scope())
    assert (public.documents, public.sentences, public.mentions, public.entities, public.facts) == (1, 2, 4, 3, 2)
    assert public.facts_by_extractor == {"patterns": 2} and public.candidates_by_status == {}
    treasury = seeded.stats(scope=SCOPES["treasury"])
    assert "joint" not in treasury.facts_by_extractor and "Location" not in treasury.entities_by_type
    assert treasury.candidates_by_status == {"low_confidence": 1}
    holder = seeded.stats(scope=SCOPES["treasury+restricted"])
    assert holder.facts_by_extractor["joint"] == 2 and holder.entities_by_type["Location"] == 2
    assert holder.candidates_by_status == {"low_confidence": 1, "rejected": 1}


# -- export -----------------------------------------------------------------------------------------------
def test_document_graphs_under_scope(seeded: GraphStore):
    for_each_scope(seeded, check_document_graphs_under_scope)


def check_document_graphs_under_scope(seeded: GraphStore, name: str) -> None:
    scope = SCOPES[name]
    graphs = list(seeded.iter_document_graphs(scope=scope))
    assert {g.document.id for g in graphs} == EXPECTED_DOCS[name]
    for g in graphs:
        seed = REF.docs[g.document.id]
        assert g.document == seed.document
        assert g.sentences == seed.sentences
        assert {m.id for m in g.mentions} == {m.id for m in seed.mentions}
        assert {f.id for f in g.facts} == {f.id for f in seed.facts}
        for e in g.entities:
            assert {e.name, *e.aliases} <= REF.names(scope, e.id), f"{name}: {g.document.title}: {e}"
    for department in ("Treasury", "Defense", "Commerce"):
        assert {g.document.id for g in seeded.iter_document_graphs(department=department, scope=scope)} == {
            d for d in EXPECTED_DOCS[name] if REF.docs[d].document.department == department}


# -- sentences ---------------------------------------------------------------------------------------------
def test_sentences_under_scope(seeded: GraphStore):
    for_each_scope(seeded, check_sentences_under_scope)


def check_sentences_under_scope(seeded: GraphStore, name: str) -> None:
    store, scope = seeded, SCOPES[name]
    visible = EXPECTED_DOCS[name]
    keys = REF.sentence_keys(scope)
    got = store.get_sentences(SENTENCE_ORDER, scope=scope)
    assert [(h.document_id, h.sentence_index) for h in got] == [k for k in SENTENCE_ORDER if k in keys]
    texts = {(s.document_id, s.index): s.text for g in GRAPHS for s in g.sentences}
    assert all(h.sentence == texts[(h.document_id, h.sentence_index)] for h in got)
    financed = {k for k, text in texts.items() if "financed" in text and k[0] in visible}
    hits = store.search_sentences("financed", limit=50, scope=scope)
    assert {(h.document_id, h.sentence_index) for h in hits} == financed
    # the best visible hit is found even when invisible sentences rank above it
    assert len(store.search_sentences("financed", limit=1, scope=scope)) == min(1, len(financed))
    assert {h.document_id for h in store.search_sentences("Zephyrquill", scope=scope)} == {R} & visible
    assert {h.document_id for h in store.search_sentences("financed", document_ids=[R, P, S], scope=scope)} == \
        {P, S, R} & visible
    nearest = store.nearest_sentences(QUERY_VECTOR, limit=50, scope=scope)
    assert {(h.document_id, h.sentence_index) for h in nearest} == set(keys)
    best = store.nearest_sentences(QUERY_VECTOR, limit=1, scope=scope)
    assert [(h.document_id, h.sentence_index) for h in best] == [next(k for k in SENTENCE_ORDER if k in keys)]
    within = store.nearest_sentences(QUERY_VECTOR, limit=50, document_ids=[R, P], scope=scope)
    assert {h.document_id for h in within} == {R, P} & visible


# -- no restricted word in any field of any read ----------------------------------------------------------
def sweep(store: GraphStore, scope: Scope | None) -> str:
    """Every read method of the contract, with every seeded id (visible or not), as one JSON text."""
    out: list[object] = [store.list_documents(limit=100, scope=scope), store.stats(scope=scope),
                         list(store.fact_edges(scope=scope)), store.entity_infos(None, scope=scope),
                         store.entity_infos([e.id for e in ENTITIES], scope=scope),
                         store.fact_candidates(limit=100, scope=scope),
                         store.fact_candidates(status="rejected", scope=scope),
                         list(store.iter_document_graphs(scope=scope)),
                         list(store.iter_document_graphs(department="Treasury", scope=scope)),
                         store.get_sentences(SENTENCE_ORDER, scope=scope),
                         store.nearest_sentences(QUERY_VECTOR, limit=50, scope=scope)]
    for g in GRAPHS:
        for call in (store.get_document, store.document_annotations):
            try:
                out.append(call(g.document.id, scope=scope))
            except NotFound:
                pass
    for e in ENTITIES:
        try:
            out.append(store.get_entity(e.id, scope=scope))
        except NotFound:
            pass
        out += [store.entity_facts(e.id, scope=scope), store.entity_mentions(e.id, scope=scope),
                store.entity_mention_count(e.id, scope=scope), store.entity_departments(e.id, scope=scope)]
    for fid in ALL_FACTS:
        try:
            out.append(store.get_fact(fid, scope=scope))
        except NotFound:
            pass
    for query in ("Zephyrquill", SECRET_NAME, "Vulpine", SECRET_ALIAS, "Marrowstone", "Quarnby", "Pellmoor",
                  "Harbor", "Treasury", "Department", "Defense", "Alice", "Brent", "Bunker", "Depot", "Archive",
                  "ze", "vu", "ma", "qu", "pe", "h", "t", "d"):
        out.append(store.search_entities(query, limit=50, scope=scope))
    for query in ("Zephyrquill", "Marrowstone Bunker", "Vulpine Paymaster", "Quarnby", "Pellmoor", "financed",
                  "Treasury Department", "operates signs lives catalogued"):
        out.append(store.search_sentences(query, limit=50, scope=scope))
    return dump(out)


def test_no_restricted_word_leaks_through_any_read(seeded: GraphStore):
    for_each_scope(seeded, check_no_restricted_word_leaks_through_any_read)


def check_no_restricted_word_leaks_through_any_read(seeded: GraphStore, name: str) -> None:
    text = sweep(seeded, SCOPES[name])
    for marker in hidden_markers(SCOPES[name]):
        assert marker not in text, f"{name}: {marker!r} leaked: …{text[max(0, text.find(marker) - 300):][:600]}…"
    for marker in visible_markers(SCOPES[name]):
        assert marker in text, f"{name}: {marker!r} should be visible"  # (the sweep reaches what it may see)


def test_no_scope_sweep_shows_every_marker(seeded: GraphStore):
    text = sweep(seeded, None)
    assert all(m in text for words in MARKERS.values() for m in words)


# -- the audit log ---------------------------------------------------------------------------------------------
def audit_event(day: int, principal: str, action: str, outcome: str = "ok", **extra: str | None) -> AuditEvent:
    return AuditEvent(id=str(uuid.uuid4()), at=f"2026-03-{day:02d}T09:30:00+00:00", principal=principal,
                      action=action, outcome=outcome, **extra)


def test_audit_log_appends_and_reads_newest_first(store: GraphStore):
    assert store.audit_events() == []
    events = [
        audit_event(3, "treasury-reader", "ask", detail="sha256:0f1e"),
        audit_event(1, "cli", "import", target="/corpus/harbor-report.txt", department="Commerce",
                    detail="1 document"),
        audit_event(5, "defense-editor", "delete", outcome="denied", target=T, department="Treasury"),
        audit_event(2, "treasury-editor", "import", outcome="failed", target="/corpus/bad.pdf",
                    department="Treasury", detail="unreadable PDF"),
        audit_event(4, "treasury-reader", "export", target="turtle"),
    ]
    for event in events:
        store.append_audit(event)
    newest_first = sorted(events, key=lambda e: e.at, reverse=True)
    assert store.audit_events() == newest_first
    assert store.audit_events(limit=2) == newest_first[:2]
    assert store.audit_events(limit=2, offset=2) == newest_first[2:4]
    assert store.audit_events(offset=5) == []
    assert store.audit_events(action="import") == [events[3], events[1]]
    assert store.audit_events(principal="treasury-reader") == [events[4], events[0]]
    assert store.audit_events(action="export", principal="treasury-reader") == [events[4]]
    assert store.audit_events(action="ask", principal="cli") == []
    assert store.audit_events(action="tokens") == []
    # the audit log is not part of the graph
    assert store.stats().documents == 0 and store.list_documents() == []


def test_audit_log_survives_document_deletion(seeded: GraphStore):
    store = seeded
    event = audit_event(7, "cli", "delete", target=T, department="Treasury")
    store.append_audit(event)
    store.delete_document(T)
    store.append_audit(audit_event(8, "cli", "delete", outcome="not_found", target=T))
    assert [e.outcome for e in store.audit_events(action="delete")] == ["not_found", "ok"]
    assert store.audit_events(action="delete")[1] == event


def test_sqlite_audit_table_is_append_only(tmp_path: Path):
    from graph.sqlite.store import SqliteStore

    store = SqliteStore(tmp_path / "audit.sqlite3")
    try:
        event = audit_event(1, "cli", "import", target="/corpus/a.txt")
        store.append_audit(event)
        conn = sqlite3.connect(store.path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            audit_tables = [t for t in ("audit_events", "audit_log", "audit") if t in tables]
            if audit_tables:  # (the table name is the store's business: checked when it is one of these)
                table = audit_tables[0]
                with pytest.raises(sqlite3.DatabaseError):
                    conn.execute(f"UPDATE {table} SET outcome = 'denied'")
                conn.rollback()
                with pytest.raises(sqlite3.DatabaseError):
                    conn.execute(f"DELETE FROM {table}")
                conn.rollback()
        finally:
            conn.close()
        assert store.audit_events() == [event]
    finally:
        store.close()


# -- a Hypothesis property: random visibility assignments against the reference ------------------------------
POOL = [("Alpha Office", "Agency"), ("Bravo Office", "Agency"), ("Cobalt Office", "Department"),
        ("Delta Office", "Committee")]
POOL_ENTITIES = [make_entity(n, t) for n, t in POOL]
CODES = ["Oak", "Elm", "Ash", "Yew", "Fir"]  # document i gives each entity it mentions the alias "<code> <first word>"
LABEL_POOL = ["public", "restricted", "shared:A", "shared:B", "x"]

document_specs = st.fixed_dictionaries({
    "department": st.sampled_from([None, "A", "B", "C"]),
    "labels": st.frozensets(st.sampled_from(LABEL_POOL)),
    "entities": st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=2, unique=True),
    "predicate": st.sampled_from([None, "memberOf", "memberOf", "subOrganizationOf"]),
})
scopes = st.builds(Scope.of, st.frozensets(st.sampled_from(["A", "B", "C"])),
                   st.frozensets(st.sampled_from(LABEL_POOL)))


def world_graphs(specs: list[dict]) -> list[DocumentGraph]:
    graphs = []
    for i, spec in enumerate(specs):
        chosen = [POOL_ENTITIES[k] for k in sorted(spec["entities"])]
        sentence = f"Dossier {i} concerns " + " and ".join(e.name for e in chosen) + "."
        facts = []
        if len(chosen) == 2 and spec["predicate"]:
            facts.append((chosen[0], spec["predicate"], chosen[1], 0, PATTERNS if i % 2 else JOINT))
        graphs.append(build_graph(
            [sentence], title=f"Dossier {i}", source=f"dossier-{i}.txt", department=spec["department"],
            labels=sorted(spec["labels"]), mentions=[(0, e.name, e) for e in chosen], facts=facts,
            names={e.id: e.model_copy(update={"aliases": (f"{CODES[i]} {e.name.split()[0]}",)}) for e in chosen},
        ))
    return graphs


@dataclass
class Fresh:
    """A store emptied before each Hypothesis example."""

    kind: str
    connection: object | None
    shared: GraphStore
    wipe_neo4j: Callable[[object], None]
    tmp: tempfile.TemporaryDirectory | None = None
    current: GraphStore | None = None

    def open(self) -> GraphStore:
        self.close()
        if self.kind == "sqlite":
            from graph.sqlite.store import SqliteStore

            self.tmp = tempfile.TemporaryDirectory(prefix="govkg-visibility-")
            self.current = SqliteStore(Path(self.tmp.name) / "store.sqlite3")
        else:
            self.wipe_neo4j(self.connection)
            self.current = self.shared
        return self.current

    def close(self) -> None:
        if self.kind == "sqlite" and self.current is not None:
            self.current.close()
            self.tmp.cleanup()
        self.current = None


def check_world(store: GraphStore, graphs: list[DocumentGraph], scope_list: list[Scope]) -> None:
    ref = Reference(graphs)
    for g in graphs:
        store.write(g)
    for scope in [None, *scope_list]:
        where = f"scope {scope} over {[(g.document.department, g.document.labels) for g in graphs]}"
        assert {d.id for d in store.list_documents(limit=100, scope=scope)} == ref.visible_docs(scope), where
        stats, expected = store.stats(scope=scope), ref.stats(scope)
        assert (stats.documents, stats.sentences, stats.mentions, stats.entities, stats.facts) == (
            expected["documents"], expected["sentences"], expected["mentions"], expected["entities"],
            expected["facts"]), where
        assert {e.id: e.support for e in store.fact_edges(scope=scope)} == {
            fid: len(p) for fid, p in ref.provenance(scope).items()}, where
        visible_entities = ref.entities(scope)
        hits = store.search_entities("office", limit=20, scope=scope)
        assert {h.id for h in hits} == visible_entities, where
        for h in hits:
            assert set(h.aliases) == ref.aliases(scope, h.id), where
            assert h.mention_count == len(ref.mentions(scope, h.id)), where
        for i, code in enumerate(CODES[:len(graphs)]):  # a document's aliases find its entities only when it is visible
            shown = graphs[i].document.id in ref.visible_docs(scope)
            expected_ids = {e.id for e in graphs[i].entities} if shown else set()
            found = {h.id for h in store.search_entities(code, limit=20, scope=scope)}
            assert found == expected_ids, f"{code}: {where}"
        for e in POOL_ENTITIES:
            facts = store.entity_facts(e.id, scope=scope)
            got = {f.id: {p.document_id for p in f.provenance} for f in facts}
            assert got == ref.entity_fact_documents(scope, e.id), where
            assert store.entity_mention_count(e.id, scope=scope) == len(ref.mentions(scope, e.id)), where


def test_random_visibility_matches_the_reference(store: GraphStore, wipe_neo4j, request: pytest.FixtureRequest):
    kind = store.name
    fresh = Fresh(kind, request.getfixturevalue("neo4j_connection") if kind == "neo4j" else None, store, wipe_neo4j)

    @settings(max_examples=40 if kind == "sqlite" else 15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(specs=st.lists(document_specs, min_size=5, max_size=5), scope_list=st.lists(scopes, min_size=1, max_size=3))
    def check(specs: list[dict], scope_list: list[Scope]) -> None:
        try:
            check_world(fresh.open(), world_graphs(specs), scope_list)
        finally:
            fresh.close()

    try:
        check()
    finally:
        fresh.close()
