"""Exceptions of the question-answering package, with codes; `api/errors.py` maps them to HTTP."""
from __future__ import annotations


class QaError(Exception):
    """Base class of every question-answering error."""

    code = "Q000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")
        self.message = message


class BadQuestion(QaError):
    """An empty or over-long question, or an unknown mode."""

    code = "Q001"


class ModelUnavailable(QaError):
    """A packaged model (encoder, SmolLM2) that is not installed or cannot be loaded."""

    code = "Q002"


class GeneratorFailed(QaError):
    """A generator that failed (e.g. the OpenAI-compatible endpoint did not answer)."""

    code = "Q003"


class BadQuestionsFile(QaError):
    """An evaluation questions file that cannot be read."""

    code = "Q004"


class QaConfigError(QaError):
    """Settings that name no known component, or a generator without what it needs."""

    code = "Q005"
