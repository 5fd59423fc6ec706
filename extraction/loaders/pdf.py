"""PDF through pypdf: the text layer, page by page."""
from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import LoadedText, LoadOutcome

logging.getLogger("pypdf").setLevel(logging.ERROR)


class PdfLoader:
    format = "pdf"
    suffixes = (".pdf",)

    def load(self, data: bytes, name: str) -> list[LoadOutcome]:
        if not data.lstrip()[:5].startswith(b"%PDF"):
            raise LoaderError(Errors.E007, reason="no %PDF header")
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise LoaderError(Errors.E008)
            pages = [page.extract_text() or "" for page in reader.pages]
            title = reader.metadata.title if reader.metadata else None
        except LoaderError:
            raise
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
            raise LoaderError(Errors.E007, reason=f"{type(exc).__name__}: {exc}") from exc
        text = "\n\n".join(p.strip() for p in pages if p.strip())
        if not text:
            raise LoaderError(Errors.E009)
        return [
            LoadedText(
                text=text,
                format=self.format,
                title=str(title).strip() if title else None,
                metadata={"pages": str(len(pages))},
            )
        ]
