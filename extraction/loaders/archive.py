"""ZIP packages (DOCX and any zip) read within limits, and XML parts checked for DTDs before parsing.

The zip directory is checked before a byte is inflated (entry count, declared total size, compression
ratio); then every member is inflated in chunks with a running total, so a directory that lies about
sizes stops at the same limit. (zipfile itself also stops a member at its declared size and then fails
its CRC check: a lying header ends as E010.) XML parts may not declare a DOCTYPE: OOXML never needs
one, and refusing it before parsing rules out entity expansion (billion laughs) and external entities
(XXE) whatever parser reads the part afterwards.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from xml.parsers import expat

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import LoadLimits

_CHUNK = 1 << 20
RATIO_FLOOR = 1 << 20  # members smaller than this are not checked for their ratio (small XML compresses well)
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def read_zip(data: bytes, limits: LoadLimits) -> dict[str, bytes]:
    """The members of a ZIP package (name → bytes), each limit checked first from the directory, then
    while inflating."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise LoaderError(Errors.E010, reason=f"{type(exc).__name__}: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_zip_entries:
            raise LoaderError(Errors.E031, entries=len(infos), limit=limits.max_zip_entries)
        declared = sum(info.file_size for info in infos)
        if declared > limits.max_unzipped_bytes:
            raise LoaderError(Errors.E032, size=declared, limit=limits.max_unzipped_bytes)
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= RATIO_FLOOR and ratio > limits.max_zip_ratio:
                raise LoaderError(Errors.E033, member=info.filename, ratio=ratio, limit=limits.max_zip_ratio)
        members: dict[str, bytes] = {}
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            chunks = []
            try:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > limits.max_unzipped_bytes:  # the directory lied
                            raise LoaderError(Errors.E032, size=total, limit=limits.max_unzipped_bytes)
                        chunks.append(chunk)
            except LoaderError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError,
                    OSError) as exc:  # bad CRC (a lying size), unsupported method, encrypted member...
                raise LoaderError(Errors.E010, reason=f"{type(exc).__name__}: {exc}") from exc
            members[info.filename] = b"".join(chunks)
        return members


def check_xml_parts(members: dict[str, bytes]) -> None:
    """Refuse any XML part that declares a DOCTYPE (and so entities), before any parser sees it."""
    for name, data in members.items():
        if data.strip() and (name.lower().endswith(_XML_SUFFIXES) or data.lstrip()[:5] == b"<?xml"):
            check_no_doctype(data, name)


class _PrologDone(Exception):
    pass


def check_no_doctype(data: bytes, part: str) -> None:
    """Raise E034 when the XML declares a DOCTYPE. Only the prolog is read: expat stops at the root
    element, so this costs nothing on a large part. Expat detects the encoding (UTF-8/16, BOMs)."""
    parser = expat.ParserCreate()

    def doctype(*_: object) -> None:
        raise LoaderError(Errors.E034, part=part)

    def root(*_: object) -> None:
        raise _PrologDone

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        for start in range(0, len(data), 65536):
            parser.Parse(data[start:start + 65536], False)
        parser.Parse(b"", True)
    except _PrologDone:
        return
    except expat.ExpatError as exc:
        raise LoaderError(Errors.E010, reason=f"XML part {part!r}: {exc}") from exc


def repack(members: dict[str, bytes]) -> io.BytesIO:
    """The checked members as a new, uncompressed package (what python-docx reads, and nothing else)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer
