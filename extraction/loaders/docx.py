"""Word .docx: paragraphs and table cells in document order.

The package is read within limits and every XML part checked for a DOCTYPE first (loaders/archive.py);
python-docx then reads the checked copy (its lxml parser resolves no entities either).
"""
from __future__ import annotations

import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from extraction.errors import Errors, LoaderError
from extraction.loaders.archive import check_xml_parts, read_zip, repack
from extraction.loaders.base import (
    DEFAULT_LIMITS,
    LoadedText,
    LoadLimits,
    LoadOutcome,
    require_text,
)
from extraction.registry import register


class DocxLoader:
    format = "docx"
    suffixes = (".docx",)

    def load(self, data: bytes, name: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[LoadOutcome]:
        if not data.startswith(b"PK"):
            raise LoaderError(Errors.E010, reason="not a ZIP package")
        members = read_zip(data, limits)
        check_xml_parts(members)
        try:
            document = docx.Document(repack(members))
            del members
            blocks = [p.text for p in document.paragraphs]
            for table in document.tables:
                for row in table.rows:
                    blocks.append("\t".join(cell.text for cell in row.cells))
            title = document.core_properties.title
        except (zipfile.BadZipFile, PackageNotFoundError, etree.LxmlError, KeyError, ValueError, TypeError,
                AttributeError, IndexError, OSError) as exc:
            raise LoaderError(Errors.E010, reason=f"{type(exc).__name__}: {exc}") from exc
        text = "\n\n".join(b.strip() for b in blocks if b.strip())
        return [LoadedText(text=require_text(text), format=self.format, title=title or None)]


@register("loader", "docx")
def _docx_loader(resources: object) -> DocxLoader:
    return DocxLoader()
