"""The audit log's writer: who imported, deleted, exported and asked, when, and with what outcome.

Events go to the graph store (`GraphStore.append_audit`, append-only); both the HTTP API and the CLI write
them (the CLI as principal "cli"). A failing audit write fails the request: an action that cannot be
recorded is not done silently.
"""
from __future__ import annotations

import hashlib
import uuid
from typing import Literal

from extraction.records import utcnow
from graph.store import AuditEvent, GraphStore

Outcome = Literal["ok", "denied", "not_found", "failed"]


class AuditLog:
    def __init__(self, store: GraphStore, questions: Literal["keep", "hash"] = "hash") -> None:
        self.store = store
        self.questions = questions

    def record(self, principal: str, action: str, outcome: Outcome, target: str | None = None,
               department: str | None = None, detail: str | None = None) -> AuditEvent:
        event = AuditEvent(id=str(uuid.uuid4()), at=utcnow().isoformat(), principal=principal, action=action,
                           target=target, department=department, outcome=outcome, detail=detail)
        self.store.append_audit(event)
        return event

    def question(self, text: str) -> str:
        """The question as the log keeps it: its text, or `sha256:<hex>`."""
        if self.questions == "keep":
            return text
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
