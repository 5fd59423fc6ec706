"""File loaders by suffix; `load_file` applies the checks every file gets.

Each loader registers by its format's name (kind "loader", extraction/registry.py) in the module that defines
it, and declares the suffixes it reads (`suffixes`); importing this package registers the built-ins, and the
suffix → loader lookup comes from what is registered.

`load_file_isolated` / `load_bytes_isolated` (loaders/isolated.py) run the same in a worker process
with a memory limit and a timeout: what the importer uses.
"""
from __future__ import annotations

from pathlib import Path

from extraction.errors import Errors, LoaderError
from extraction.loaders import docx, html, jsonl, pdf, text  # noqa: F401  (register the built-in loaders)
from extraction.loaders.base import (
    DEFAULT_LIMITS,
    LoadedText,
    Loader,
    LoadLimits,
    LoadOutcome,
    read_file,
)
from extraction.registry import create, names

_PLAIN = {"txt", "md"}  # formats whose text is at least a quarter of their bytes (UTF-8/16/32)

__all__ = [
    "DEFAULT_LIMITS",
    "LoadLimits",
    "LoadOutcome",
    "LoadedText",
    "Loader",
    "check_bytes",
    "is_supported",
    "load_bytes",
    "load_file",
    "loaders_by_suffix",
    "supported_suffixes",
]


def loaders_by_suffix() -> dict[str, Loader]:
    """Each suffix a registered loader reads (lower case, with its dot) → that loader."""
    by_suffix: dict[str, Loader] = {}
    for name in names("loader"):
        loader: Loader = create("loader", name, None)
        for suffix in loader.suffixes:
            by_suffix[suffix] = loader
    return by_suffix


def supported_suffixes() -> tuple[str, ...]:
    return tuple(sorted(loaders_by_suffix()))


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in loaders_by_suffix()


def check_bytes(data: bytes, name: str, max_bytes: int) -> Loader:
    """The loader for a file of this name, once the cheap checks pass (type, size, emptiness)."""
    by_suffix = loaders_by_suffix()
    loader = by_suffix.get(Path(name).suffix.lower())
    if loader is None:
        raise LoaderError(Errors.E001, suffix=Path(name).suffix or name, supported=", ".join(sorted(by_suffix)))
    if len(data) > max_bytes:
        raise LoaderError(Errors.E005, size=len(data), limit=max_bytes)
    if not data:
        raise LoaderError(Errors.E002)
    return loader


def load_bytes(data: bytes, name: str, max_bytes: int, limits: LoadLimits | None = None) -> list[LoadOutcome]:
    """Load a file's bytes; file-level problems raise LoaderError, record-level ones are returned."""
    limits = limits or LoadLimits(max_file_bytes=max_bytes)
    loader = check_bytes(data, name, max_bytes)
    max_chars = limits.max_document_chars
    if loader.format in _PLAIN and len(data) > 4 * max_chars:  # over the limit whatever the encoding
        raise LoaderError(Errors.E015, size=f"more than {len(data) // 4}", limit=max_chars)
    outcomes = loader.load(data, name, limits)
    for outcome in outcomes:  # a whole-file document over the limit goes no further (records: the importer)
        if isinstance(outcome, LoadedText) and outcome.record_key is None and len(outcome.text) > max_chars:
            raise LoaderError(Errors.E015, size=len(outcome.text), limit=max_chars)
    return outcomes


def load_file(path: Path, max_bytes: int, limits: LoadLimits | None = None) -> list[LoadOutcome]:
    return load_bytes(read_file(path, max_bytes), path.name, max_bytes, limits)

