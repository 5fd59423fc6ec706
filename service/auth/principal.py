"""A principal: who a request acts for, what it may see (a Scope) and what it may change (its role)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from graph.visibility import Scope
from service.auth.errors import Errors, Forbidden


class Role(str, Enum):
    reader = "reader"  # reads what its departments and labels may see
    editor = "editor"  # also imports into and deletes from its own departments
    admin = "admin"  # sees everything, manages tokens, reads the audit log


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    departments: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()

    @property
    def scope(self) -> Scope | None:
        """The visibility filter of its reads; None (no filter) for admins."""
        return None if self.role is Role.admin else Scope(self.departments, self.labels)

    def require_role(self, role: Role) -> None:
        order = [Role.reader, Role.editor, Role.admin]
        if order.index(self.role) < order.index(role):
            raise Forbidden(Errors.A010, name=self.name, role=self.role.value, needed=role.value)

    def may_write(self, department: str | None) -> bool:
        """Editors write into their own departments; admins anywhere."""
        if self.role is Role.admin:
            return True
        return self.role is Role.editor and department is not None and department in self.departments

    def require_write(self, department: str | None) -> None:
        if not self.may_write(department):
            where = f"department {department!r}" if department else "a document with no department"
            raise Forbidden(Errors.A011, name=self.name, where=where)


# The local CLI holds the files and the database: it acts as an administrator.
LOCAL_ADMIN = Principal(name="cli", role=Role.admin)
# `api.auth = "off"` (loopback only): every request acts as this.
AUTH_OFF = Principal(name="anonymous (auth off)", role=Role.admin)
