"""Word .docx: paragraphs and table cells in document order."""
from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import LoadedText, LoadOutcome, require_text


class DocxLoader:
    format = "docx"
    suffixes = (".docx",)

    def load(self, data: bytes, name: str) -> list[LoadOutcome]:
        if not data.startswith(b"PK"):
            raise LoaderError(Errors.E010, reason="not a ZIP package")
        try:
            document = docx.Document(io.BytesIO(data))
            blocks = [p.text for p in document.paragraphs]
            for table in document.tables:
                for row in table.rows:
                    blocks.append("\t".join(cell.text for cell in row.cells))
            title = document.core_properties.title
        except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as exc:
            raise LoaderError(Errors.E010, reason=f"{type(exc).__name__}: {exc}") from exc
        text = "\n\n".join(b.strip() for b in blocks if b.strip())
        return [LoadedText(text=require_text(text), format=self.format, title=title or None)]
