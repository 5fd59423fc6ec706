"""File loaders by suffix; `load_file` applies the checks every file gets."""
from __future__ import annotations

from pathlib import Path

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import LoadedText, Loader, LoadOutcome, read_file
from extraction.loaders.docx import DocxLoader
from extraction.loaders.html import HtmlLoader
from extraction.loaders.jsonl import JsonlLoader
from extraction.loaders.pdf import PdfLoader
from extraction.loaders.text import MarkdownLoader, TextLoader

LOADERS: tuple[Loader, ...] = (TextLoader(), MarkdownLoader(), HtmlLoader(), PdfLoader(), DocxLoader(), JsonlLoader())
_BY_SUFFIX = {suffix: loader for loader in LOADERS for suffix in loader.suffixes}
SUPPORTED_SUFFIXES = tuple(sorted(_BY_SUFFIX))

__all__ = ["LoadedText", "LoadOutcome", "Loader", "load_file", "load_bytes", "is_supported", "SUPPORTED_SUFFIXES"]


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in _BY_SUFFIX


def load_bytes(data: bytes, name: str, max_bytes: int) -> list[LoadOutcome]:
    """Load a file's bytes; file-level problems raise LoaderError, record-level ones are returned."""
    loader = _BY_SUFFIX.get(Path(name).suffix.lower())
    if loader is None:
        raise LoaderError(Errors.E001, suffix=Path(name).suffix or name, supported=", ".join(SUPPORTED_SUFFIXES))
    if len(data) > max_bytes:
        raise LoaderError(Errors.E005, size=len(data), limit=max_bytes)
    if not data:
        raise LoaderError(Errors.E002)
    return loader.load(data, name)


def load_file(path: Path, max_bytes: int) -> list[LoadOutcome]:
    return load_bytes(read_file(path, max_bytes), path.name, max_bytes)
