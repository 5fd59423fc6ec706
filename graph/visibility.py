"""The one visibility rule: which documents a principal may see, and everything that follows from it.

A document is visible to a scope when
  - it is not labelled `restricted`, or the scope holds the label `restricted` explicitly; and
  - it is labelled `public`, or
  - its department is one of the scope's departments, or
  - it carries a sharing label the scope holds: `shared:<department>` for each of the scope's departments,
    or any label named in the scope (other than `public` and `restricted`, which only act as above).

From that rule (both stores implement it inside their SQL and Cypher, `Scope.sees` is the reference):
  - a fact is visible when at least one of its sources is visible, and it shows only those sources;
  - an entity is visible when one of its mentions or facts is visible;
  - names and aliases come only from visible documents;
  - counts, paths, citations and exports count and carry only visible things.

`scope=None` in a store method means no filter: the local CLI (which holds the files) and admins.
Departments and labels compare exactly (case matters).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

PUBLIC = "public"
RESTRICTED = "restricted"
SHARED_PREFIX = "shared:"


@dataclass(frozen=True)
class Scope:
    """What one principal may see: its departments and the labels it holds."""

    departments: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()

    @classmethod
    def of(cls, departments: Iterable[str] = (), labels: Iterable[str] = ()) -> Scope:
        return cls(frozenset(departments), frozenset(labels))

    @property
    def restricted_ok(self) -> bool:
        return RESTRICTED in self.labels

    @property
    def sharing_labels(self) -> frozenset[str]:
        """Labels that make a document visible: `shared:<department>` of each department, and the named
        labels held (`public` and `restricted` excluded: they act on their own)."""
        named = {label for label in self.labels if label not in (PUBLIC, RESTRICTED)}
        return frozenset(named | {SHARED_PREFIX + d for d in self.departments})

    def sees(self, department: str | None, labels: Iterable[str]) -> bool:
        """The reference rule, in plain Python (tests compare both stores' filters with it)."""
        held = set(labels)
        if RESTRICTED in held and not self.restricted_ok:
            return False
        return (PUBLIC in held or (department is not None and department in self.departments)
                or bool(held & self.sharing_labels))

    @property
    def key(self) -> str:
        """A stable key per scope (for caches such as the networkx projection)."""
        return json.dumps([sorted(self.departments), sorted(self.labels)], separators=(",", ":"))

    def parameters(self) -> dict[str, object]:
        """The query parameters both stores' visibility filters take."""
        return {
            "scope_departments": sorted(self.departments),
            "scope_labels": sorted(self.sharing_labels),
            "scope_restricted": self.restricted_ok,
        }

    def sql_parameters(self) -> dict[str, object]:
        """The same parameters for SQLite: lists as JSON text (read with json_each), the flag as 0/1."""
        return {
            "scope_departments": json.dumps(sorted(self.departments)),
            "scope_labels": json.dumps(sorted(self.sharing_labels)),
            "scope_restricted": int(self.restricted_ok),
        }


# The rule as a SQL predicate over a `documents` row aliased `d` (labels are a JSON array), with the named
# parameters of Scope.sql_parameters().
SQL_VISIBLE_DOCUMENT = """(
    (:scope_restricted = 1 OR NOT EXISTS (SELECT 1 FROM json_each(d.labels) WHERE value = 'restricted'))
    AND (EXISTS (SELECT 1 FROM json_each(d.labels) WHERE value = 'public')
         OR d.department IN (SELECT value FROM json_each(:scope_departments))
         OR EXISTS (SELECT 1 FROM json_each(d.labels) AS l
                    WHERE l.value IN (SELECT value FROM json_each(:scope_labels))))
)"""

# The rule as a Cypher predicate over a Document node `d`, with the parameters of Scope.parameters().
CYPHER_VISIBLE_DOCUMENT = """(
    ($scope_restricted OR NOT 'restricted' IN coalesce(d.labels, []))
    AND ('public' IN coalesce(d.labels, [])
         OR d.department IN $scope_departments
         OR any(l IN coalesce(d.labels, []) WHERE l IN $scope_labels))
)"""
