"""What a loader returns, and the checks every text-like format shares."""
from __future__ import annotations

import codecs
import errno
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from charset_normalizer import from_bytes

from extraction.errors import Errors, LoaderError

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class LoadedText:
    """The text of one document as a loader found it, before it becomes a Document."""

    text: str
    format: str
    title: str | None = None
    record_key: str | None = None  # which record of a multi-record file (jsonl: "line 3")
    department: str | None = None
    published: str | None = None
    labels: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)


LoadOutcome = LoadedText | LoaderError


@dataclass(frozen=True)
class LoadLimits:
    """What one file may cost before (or while) it is parsed; each breach is a coded LoaderError.

    The defaults are those of `ImportSettings` (core/settings.py), where each is documented.
    """

    max_file_bytes: int = 50 * 1024 * 1024
    max_document_chars: int = 5_000_000
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_zip_ratio: float = 100.0
    max_zip_entries: int = 10_000
    max_pdf_pages: int = 2_000
    max_pdf_stream_bytes: int = 75_000_000
    max_html_depth: int = 1_000
    max_line_bytes: int = 10 * 1024 * 1024
    parse_timeout_s: float = 60.0
    parse_memory_mb: int = 1024


DEFAULT_LIMITS = LoadLimits()


class Loader(Protocol):
    """Turns the bytes of one file into documents (one, or several for record files)."""

    format: str
    suffixes: tuple[str, ...]

    def load(self, data: bytes, name: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[LoadOutcome]: ...


def read_file(path: Path, max_bytes: int) -> bytes:
    """A file's bytes, refusing a missing, unreadable or oversized file (checked before reading)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        if path.is_symlink():  # a dangling link
            raise LoaderError(Errors.E019, path=str(path), reason="its target does not exist") from exc
        raise LoaderError(Errors.E030, path=str(path)) from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LoaderError(Errors.E019, path=str(path), reason=exc.strerror or "loop") from exc
        raise LoaderError(Errors.E014, reason=str(exc)) from exc
    if size > max_bytes:
        raise LoaderError(Errors.E005, size=size, limit=max_bytes)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat
    except FileNotFoundError as exc:  # gone between the stat and the open: vanished during the import
        raise LoaderError(Errors.E030, path=str(path)) from exc
    except OSError as exc:
        raise LoaderError(Errors.E014, reason=str(exc)) from exc
    if len(data) > max_bytes:
        raise LoaderError(Errors.E005, size=len(data), limit=max_bytes)
    return data


def decode_text(data: bytes, format: str) -> tuple[str, str]:
    """Decode bytes of a text format, detecting the encoding; returns (text, encoding)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise LoaderError(Errors.E006, reason=str(exc)) from exc
    sample = data[:65536]
    if b"\x00" in sample:
        raise LoaderError(Errors.E004, reason="it contains NUL bytes", format=format)
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise LoaderError(Errors.E004, reason="it is full of control characters", format=format)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    western = _as_western(data)
    if western is not None:
        return western, "cp1252"
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise LoaderError(Errors.E006, reason="no encoding fits the bytes")
    return str(best), best.encoding


def _as_western(data: bytes) -> str | None:
    """cp1252 (a superset of latin-1's printable range) when the bytes read as Western text.

    Statistical detectors guess among many code pages and, on mostly-ASCII text with a few
    accented letters, often pick an East European one; Western government documents that are
    not UTF-8 are nearly always latin-1/cp1252, so that reading is tried first and kept when
    the non-ASCII characters it yields are letters or typographic punctuation.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    extra = [c for c in text if ord(c) > 127]
    plausible = sum(c.isalpha() or c in _TYPOGRAPHY for c in extra)
    return text if extra and plausible >= 0.8 * len(extra) else None


_TYPOGRAPHY = set("‘’“”–—…€£¥§©®°±·«»¿¡½¼¾")


def require_text(text: str) -> str:
    if not text.strip():
        raise LoaderError(Errors.E003)
    return text
