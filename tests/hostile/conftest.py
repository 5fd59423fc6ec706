"""A hostile corpus, generated (never downloaded): files built to exhaust a parser's memory or time,
or to leak the server's files. The tests here get it as the `hostile_corpus` fixture (written once per
session); `python tests/hostile/conftest.py DIR` writes it into DIR.

Every file is written in a few seconds at most: large ones streamed (a bomb's inflated size is never
held in memory) or sparse. `CASES` says which error code each file must get; `GOOD` is an ordinary
document that must import next to them.
"""
from __future__ import annotations

import os
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MB = 1024 * 1024
GOOD_TEXT = ("The Department of Defense and the Federal Bureau of Investigation met in Washington. "
             "Senator Chuck Grassley of Iowa spoke for the Department of Justice.\n")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>')
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOC_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BODY_OPEN = f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>'
_BODY_CLOSE = "</w:t></w:r></w:p></w:body></w:document>"


@dataclass(frozen=True)
class Case:
    name: str
    codes: tuple[str, ...]  # the code the file must get (one of these); () when it must import
    what: str
    cli_only: bool = False  # a folder trick (links, a vanishing file): no upload can carry it


CASES: tuple[Case, ...] = (
    Case("zip_bomb.docx", ("E032",), "word/document.xml inflates to 300 MB from ~300 KB"),
    Case("zip_ratio.docx", ("E033",), "a 60 MB member compressed 1000:1 (under the size limit)"),
    Case("zip_lying.docx", ("E010",), "a directory that declares 4 KB for a 300 MB member"),
    Case("zip_entries.docx", ("E031",), "20,000 entries"),
    Case("billion_laughs.docx", ("E034",), "a billion-laughs DOCTYPE in word/document.xml"),
    Case("xxe.docx", ("E034",), "an external entity reading /etc/passwd"),
    Case("pdf_bomb.pdf", ("E036",), "a content stream in three nested FlateDecode filters, 400 MB inflated"),
    Case("deep.html", ("E037",), "10^6 nested <div> elements"),
    Case("one_line.txt", ("E015",), "50,000,000 bytes on one line"),
    Case("nul_bytes.txt", ("E004",), "text with NUL bytes"),
    # text with overlong, surrogate and truncated UTF-8 sequences is decoded (as a legacy code page), not refused
    Case("invalid_utf8.txt", (), "English text with invalid UTF-8 sequences: imported, never a crash"),
    Case("big_line.jsonl", ("E005",), "a JSONL file with a 100 MB line (sparse)"),
    Case("loop.txt", ("E019",), "a symbolic link to itself", cli_only=True),
    Case("again", ("E019",), "a symbolic link to its own folder", cli_only=True),
)
GOOD = "good.txt"


def docx_bytes(document_xml: str) -> bytes:
    """A minimal DOCX package around this word/document.xml."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def _docx_streamed(path: Path, filler_bytes: int) -> None:
    """A DOCX whose document.xml holds `filler_bytes` of spaces in one run, written 1 MB at a time."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        with archive.open("word/document.xml", "w") as member:
            member.write((_DOC_HEAD + _BODY_OPEN + "Department of Defense").encode())
            chunk = b" " * MB
            for _ in range(filler_bytes // MB):
                member.write(chunk)
            member.write(_BODY_CLOSE.encode())


def _lie_about_size(path: Path, member: str, declared: int) -> None:
    """Patch the local header and the central directory to declare `declared` bytes for `member`."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.find(b"PK\x03\x04" + b"")
    while local >= 0:
        name_len = int.from_bytes(data[local + 26:local + 28], "little")
        if data[local + 30:local + 30 + name_len] == name:
            data[local + 22:local + 26] = declared.to_bytes(4, "little")
            break
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_len = int.from_bytes(data[central + 28:central + 30], "little")
        if data[central + 46:central + 46 + name_len] == name:
            data[central + 24:central + 28] = declared.to_bytes(4, "little")
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def _billion_laughs() -> str:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    return (_DOC_HEAD + "<!DOCTYPE w:document [\n" + "\n".join(entities) + "\n]>\n"
            + _BODY_OPEN + "&lol9;" + _BODY_CLOSE)


def _xxe() -> str:
    return (_DOC_HEAD + '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            + _BODY_OPEN + "The Department of Defense &xxe;" + _BODY_CLOSE)


def _pdf(content_stream: bytes, filters: str) -> bytes:
    """A one-page PDF (Helvetica) with this (encoded) content stream and /Filter."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length " + str(len(content_stream)).encode() + b" /Filter " + filters.encode() + b" >>\nstream\n"
        + content_stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _nested_flate(inflated_bytes: int, layers: int) -> bytes:
    """`layers` FlateDecode layers around a content stream of `inflated_bytes`, never held whole."""
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(b"BT /F1 12 Tf 72 712 Td (Department of Defense) Tj ET\n")]
    chunk = b" " * MB
    for _ in range(inflated_bytes // MB):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    data = b"".join(parts)
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    return data


def _sparse(path: Path, head: bytes, hole: int, tail: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(head)
        handle.seek(hole, os.SEEK_CUR)
        handle.write(tail)


def make_corpus(root: Path, links: bool = True) -> dict[str, Path]:
    """Write the corpus into `root` (created); the path of each case by name, and of GOOD."""
    root.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}

    def at(name: str) -> Path:
        paths[name] = root / name
        return root / name

    at(GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    _docx_streamed(at("zip_bomb.docx"), 300 * MB)
    _docx_streamed(at("zip_ratio.docx"), 60 * MB)
    at("zip_lying.docx").write_bytes(paths["zip_bomb.docx"].read_bytes())
    _lie_about_size(paths["zip_lying.docx"], "word/document.xml", 4096)
    with zipfile.ZipFile(at("zip_entries.docx"), "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", _DOC_HEAD + _BODY_OPEN + "Department of Defense" + _BODY_CLOSE)
        for i in range(20_000):
            archive.writestr(f"customXml/item{i}.bin", b"")
    at("billion_laughs.docx").write_bytes(docx_bytes(_billion_laughs()))
    at("xxe.docx").write_bytes(docx_bytes(_xxe()))
    at("pdf_bomb.pdf").write_bytes(_pdf(_nested_flate(400 * MB, 3),
                                        "[/FlateDecode /FlateDecode /FlateDecode]"))
    depth = 10**6
    with at("deep.html").open("wb") as handle:
        handle.write(b"<html><head><title>deep</title></head><body>")
        handle.write(b"<div>" * depth + b"Department of Defense" + b"</div>" * depth)
        handle.write(b"</body></html>")
    with at("one_line.txt").open("wb") as handle:
        phrase = b"The Department of Defense met the Federal Bureau of Investigation. "  # 68 bytes
        line = phrase * (MB // len(phrase))
        written = 0
        while written + len(line) <= 50_000_000:
            handle.write(line)
            written += len(line)
        handle.write(b"x" * (50_000_000 - written))
    at("nul_bytes.txt").write_bytes(b"The Department\x00 of Defense\x00\x00 met.\x00" * 100)
    at("invalid_utf8.txt").write_bytes(b"The Department of Homeland Security \xc0\xaf met \xed\xa0\x80 the FBI "
                                       b"\xe2\x82 in Washington. \xff\xfe\n" * 20)
    second_line = b'"}\n{"text": "' + GOOD_TEXT.strip().encode() + b'"}\n'
    _sparse(at("big_line.jsonl"), b'{"text": "', 100 * MB, second_line)
    if links:
        loop = at("loop.txt")
        loop.symlink_to(loop.name)  # itself
        at("again").symlink_to(".", target_is_directory=True)  # its own folder
    return paths


@dataclass(frozen=True)
class HostileCorpus:
    """The corpus written into `root`: `corpus[name]` is the path of a case (or of `good`)."""

    root: Path
    paths: dict[str, Path]
    cases: tuple[Case, ...] = field(default=CASES)
    good: str = GOOD

    def __getitem__(self, name: str) -> Path:
        return self.paths[name]


@pytest.fixture(scope="session")
def hostile_corpus(tmp_path_factory: pytest.TempPathFactory) -> HostileCorpus:
    root = tmp_path_factory.mktemp("hostile")
    return HostileCorpus(root, make_corpus(root))


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for path in make_corpus(target).values():
        print(f"{path}  {os.lstat(path).st_size:>12,} bytes")
