"""Components registered by kind and name, and built from settings (the spaCy way).

The one way to choose a component: a factory `(resources) -> component` registers under a kind and a name,
and the code that assembles a pipeline creates, by the name its settings give, what it needs. Where each
kind's built-ins register:

- extraction (`segmenter`, `recognizer`, `resolver`, `relation_extractor`, `validator`): extraction/builtin.py
- `loader` (named by format, each declaring the suffixes it reads): its module in extraction/loaders/,
  imported by extraction/loaders/__init__.py
- `store` (named by URL scheme): graph/factory.py
- question answering (`qa.analyzer`, `qa.graph_retriever`, `qa.text_retriever`, `qa.span_source`,
  `qa.generator`, each named as the `qa.*` setting of that name): qa/builtin.py

A kind's unknown names are its package's coded error, listing the known names: E020 here (extraction),
E001 for a file suffix no loader reads, G003 for a store URL, Q005 for a `qa.*` setting.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from extraction.errors import ConfigError, Errors

F = TypeVar("F", bound=Callable[..., Any])

KINDS = (
    "segmenter", "recognizer", "resolver", "relation_extractor", "validator",
    "loader", "store",
    "qa.analyzer", "qa.graph_retriever", "qa.text_retriever", "qa.span_source", "qa.generator",
)
_FACTORIES: dict[str, dict[str, Callable[..., Any]]] = {kind: {} for kind in KINDS}


def _factories(kind: str) -> dict[str, Callable[..., Any]]:
    factories = _FACTORIES.get(kind)
    if factories is None:
        raise ValueError(f"unknown component kind {kind!r}; kinds: {', '.join(KINDS)}")
    return factories


def register(kind: str, name: str) -> Callable[[F], F]:
    """Decorator: `@register("recognizer", "gazetteer")` on a factory `(resources) -> component`."""
    factories = _factories(kind)

    def add(factory: F) -> F:
        factories[name] = factory
        return factory

    return add


def unregister(kind: str, name: str) -> None:
    """Forget a registered name (a component registered for a while, by a test or a plug-in)."""
    _factories(kind).pop(name, None)


def names(kind: str) -> list[str]:
    """The names registered under `kind`, sorted."""
    return sorted(_factories(kind))


def create(kind: str, name: str, resources: Any) -> Any:
    """The component registered as `name`, built from `resources`; ConfigError E020 for an unknown name."""
    factory = _factories(kind).get(name)
    if factory is None:
        raise ConfigError(Errors.E020, kind=kind, name=name, known=", ".join(names(kind)) or "none")
    return factory(resources)
