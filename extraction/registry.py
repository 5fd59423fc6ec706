"""Components registered by kind and name, and built from settings (the spaCy way)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from extraction.errors import ConfigError, Errors

F = TypeVar("F", bound=Callable[..., Any])

KINDS = ("segmenter", "recognizer", "resolver", "relation_extractor", "validator")
_FACTORIES: dict[str, dict[str, Callable[..., Any]]] = {kind: {} for kind in KINDS}


def register(kind: str, name: str) -> Callable[[F], F]:
    """Decorator: `@register("recognizer", "gazetteer")` on a factory `(resources) -> component`."""
    if kind not in _FACTORIES:
        raise ValueError(f"unknown component kind {kind!r}; kinds: {', '.join(KINDS)}")

    def add(factory: F) -> F:
        _FACTORIES[kind][name] = factory
        return factory

    return add


def create(kind: str, name: str, resources: Any) -> Any:
    factory = _FACTORIES[kind].get(name)
    if factory is None:
        raise ConfigError(Errors.E020, kind=kind, name=name, known=", ".join(sorted(_FACTORIES[kind])) or "none")
    return factory(resources)
