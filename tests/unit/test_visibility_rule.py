"""The one visibility rule (graph/visibility.py): Scope.sees, its key and the query parameters it hands
to both stores' filters."""
from __future__ import annotations

import json

import pytest

from graph.visibility import PUBLIC, RESTRICTED, SHARED_PREFIX, Scope

TREASURY = Scope.of(["Treasury"])
DEFENSE = Scope.of(["Defense"])
PUBLIC_ONLY = Scope()
TREASURY_RESTRICTED = Scope.of(["Treasury"], [RESTRICTED])
AUDITOR = Scope.of(labels=["audit-2026"])


def test_constants_are_the_documented_labels():
    assert (PUBLIC, RESTRICTED, SHARED_PREFIX) == ("public", "restricted", "shared:")


def test_public_documents_are_visible_to_everyone():
    for scope in (PUBLIC_ONLY, TREASURY, DEFENSE, AUDITOR, TREASURY_RESTRICTED):
        assert scope.sees(None, ["public"])
        assert scope.sees("Commerce", ["public"])
        assert scope.sees("Commerce", ["public", "audit-1999"])


def test_own_department_is_visible_and_others_are_not():
    assert TREASURY.sees("Treasury", [])
    assert not TREASURY.sees("Defense", [])
    assert DEFENSE.sees("Defense", ())
    assert not DEFENSE.sees("Treasury", ())
    assert not PUBLIC_ONLY.sees("Treasury", [])
    both = Scope.of(["Treasury", "Defense"])
    assert both.sees("Treasury", []) and both.sees("Defense", []) and not both.sees("Commerce", [])


def test_departments_and_labels_compare_exactly():
    assert not TREASURY.sees("treasury", [])
    assert not TREASURY.sees("Treasury ", [])
    assert not AUDITOR.sees("Commerce", ["Audit-2026"])
    assert not PUBLIC_ONLY.sees(None, ["Public"])
    assert not DEFENSE.sees("Treasury", ["shared:defense"])


def test_shared_label_of_a_held_department():
    assert DEFENSE.sees("Treasury", ["shared:Defense"])
    assert not TREASURY.sees("Defense", ["shared:Defense"])
    assert not PUBLIC_ONLY.sees("Treasury", ["shared:Defense"])
    assert Scope.of(["Defense", "Commerce"]).sees("Treasury", ["shared:Commerce"])


def test_holding_a_shared_label_directly_also_shares():
    # `shared:Defense` held as a named label (not as a department) is a sharing label like any other
    assert Scope.of(labels=["shared:Defense"]).sees("Treasury", ["shared:Defense"])
    assert not Scope.of(labels=["shared:Defense"]).sees("Defense", [])  # it does not grant the department


def test_named_label():
    assert AUDITOR.sees("Commerce", ["audit-2026"])
    assert AUDITOR.sees(None, ["other", "audit-2026"])
    assert not AUDITOR.sees("Commerce", ["audit-2025"])
    assert not AUDITOR.sees("Commerce", [])
    assert not TREASURY.sees("Commerce", ["audit-2026"])


def test_restricted_needs_the_label_even_when_public_or_own_department():
    assert not TREASURY.sees("Treasury", ["restricted"])
    assert not TREASURY.sees("Treasury", ["public", "restricted"])
    assert not PUBLIC_ONLY.sees(None, ["public", "restricted"])
    assert not AUDITOR.sees("Commerce", ["audit-2026", "restricted"])
    assert not DEFENSE.sees("Treasury", ["shared:Defense", "restricted"])
    assert TREASURY_RESTRICTED.sees("Treasury", ["restricted"])
    assert TREASURY_RESTRICTED.sees("Commerce", ["public", "restricted"])
    assert Scope.of(["Defense"], ["restricted"]).sees("Treasury", ["shared:Defense", "restricted"])
    assert Scope.of(labels=["audit-2026", "restricted"]).sees("Commerce", ["audit-2026", "restricted"])


def test_holding_restricted_alone_does_not_open_other_departments():
    restricted_only = Scope.of(labels=["restricted"])
    assert not restricted_only.sees("Treasury", ["restricted"])
    assert not restricted_only.sees(None, ["restricted"])
    assert not Scope.of(["Defense"], ["restricted"]).sees("Treasury", ["restricted"])
    assert restricted_only.sees("Treasury", ["public", "restricted"])  # public still opens it


def test_public_and_restricted_held_as_labels_do_not_act_as_sharing_labels():
    holds_public = Scope.of(labels=["public"])
    assert not holds_public.sees("Treasury", [])
    assert not holds_public.sees(None, [])
    assert holds_public.sees("Treasury", ["public"])  # (visible to anyone anyway)
    holds_restricted = Scope.of(labels=["restricted"])
    assert not holds_restricted.sees("Treasury", [])
    assert "public" not in holds_public.sharing_labels
    assert "restricted" not in holds_restricted.sharing_labels
    assert Scope.of(["Treasury"], ["public", "restricted", "x"]).sharing_labels == frozenset({"x", "shared:Treasury"})


def test_unowned_unlabelled_documents_are_invisible():
    everything = Scope.of(["Treasury", "Defense", "Commerce"], ["restricted", "audit-2026", "public", "x"])
    assert not everything.sees(None, [])
    assert not everything.sees(None, ["unknown-label"])
    assert not PUBLIC_ONLY.sees(None, ())
    assert everything.sees(None, ["x"])


def test_sees_accepts_any_iterable_of_labels():
    assert DEFENSE.sees("Treasury", iter(["shared:Defense"]))
    assert DEFENSE.sees("Treasury", frozenset({"shared:Defense"}))
    assert DEFENSE.sees("Treasury", ("public",))


def test_of_builds_frozensets():
    scope = Scope.of(["B", "A", "A"], ("x", "x"))
    assert scope.departments == frozenset({"A", "B"}) and scope.labels == frozenset({"x"})
    assert scope == Scope(frozenset({"A", "B"}), frozenset({"x"}))
    assert hash(scope) == hash(Scope.of(["A", "B"], ["x"]))
    assert Scope() == Scope.of()
    assert not Scope().restricted_ok and TREASURY_RESTRICTED.restricted_ok


def test_key_is_stable_and_distinguishes_scopes():
    a = Scope.of(["Treasury", "Defense"], ["x", "restricted"])
    b = Scope.of(["Defense", "Treasury"], ["restricted", "x"])
    assert a.key == b.key == '[["Defense","Treasury"],["restricted","x"]]'
    assert json.loads(a.key) == [["Defense", "Treasury"], ["restricted", "x"]]
    assert Scope().key == "[[],[]]"
    keys = {s.key for s in (PUBLIC_ONLY, TREASURY, DEFENSE, TREASURY_RESTRICTED, AUDITOR,
                            Scope.of(labels=["Treasury"]), Scope.of(["audit-2026"]))}
    assert len(keys) == 7  # a department and a label of the same text are different scopes


def test_parameters_shape():
    scope = Scope.of(["Treasury", "Defense"], ["restricted", "public", "audit-2026"])
    assert scope.parameters() == {
        "scope_departments": ["Defense", "Treasury"],
        "scope_labels": ["audit-2026", "shared:Defense", "shared:Treasury"],
        "scope_restricted": True,
    }
    assert Scope().parameters() == {"scope_departments": [], "scope_labels": [], "scope_restricted": False}


def test_sql_parameters_shape():
    scope = Scope.of(["Treasury", "Defense"], ["restricted", "public", "audit-2026"])
    params = scope.sql_parameters()
    assert set(params) == {"scope_departments", "scope_labels", "scope_restricted"}
    assert isinstance(params["scope_departments"], str) and isinstance(params["scope_labels"], str)
    assert json.loads(params["scope_departments"]) == ["Defense", "Treasury"]
    assert json.loads(params["scope_labels"]) == ["audit-2026", "shared:Defense", "shared:Treasury"]
    assert params["scope_restricted"] == 1 and type(params["scope_restricted"]) is int
    assert Scope().sql_parameters() == {"scope_departments": "[]", "scope_labels": "[]", "scope_restricted": 0}
    assert TREASURY.sql_parameters()["scope_restricted"] == 0


@pytest.mark.parametrize("scope", [PUBLIC_ONLY, TREASURY, DEFENSE, TREASURY_RESTRICTED, AUDITOR,
                                   Scope.of(["A", "B"], ["x", "restricted", "public", "shared:C"])])
def test_sql_predicate_agrees_with_sees(scope: Scope):
    """The SQL text in visibility.py, run on an in-memory table, selects what Scope.sees selects."""
    import itertools
    import sqlite3

    from graph.visibility import SQL_VISIBLE_DOCUMENT

    departments = [None, "A", "B", "C", "Treasury", "Defense", "Commerce"]
    pool = ["public", "restricted", "shared:A", "shared:Treasury", "shared:Defense", "x", "audit-2026", "shared:C"]
    rows = []
    for i, (department, n) in enumerate(itertools.product(departments, range(1 << 5))):
        labels = [label for bit, label in enumerate(pool[:5]) if n >> bit & 1] + [pool[5 + n % 3]] * (n % 2)
        rows.append((f"d{i}", department, json.dumps(labels)))
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE documents (id TEXT, department TEXT, labels TEXT)")
    conn.executemany("INSERT INTO documents VALUES (?, ?, ?)", rows)
    selected = {r[0] for r in conn.execute(f"SELECT d.id FROM documents d WHERE {SQL_VISIBLE_DOCUMENT}",
                                           scope.sql_parameters())}
    expected = {i for i, department, labels in rows if scope.sees(department, json.loads(labels))}
    assert selected == expected
    assert 0 < len(expected) < len(rows)
