"""PDF through pypdf: the text layer, page by page, within pypdf's own caps (set from the limits)."""
from __future__ import annotations

import io
import logging

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PyPdfError

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import DEFAULT_LIMITS, LoadedText, LoadLimits, LoadOutcome
from extraction.registry import register

logging.getLogger("pypdf").setLevel(logging.ERROR)


def pypdf_caps(limits: LoadLimits) -> dict[str, int]:
    """pypdf's Configuration caps on decompression, every filter's output set to the stream limit."""
    stream = limits.max_pdf_stream_bytes
    return {
        "maximum_declared_stream_length": stream,
        "array_based_stream_maximum_output_length": stream,
        "zlib_maximum_output_length": stream,
        "lzw_maximum_output_length": stream,
        "run_length_maximum_output_length": stream,
        "brotli_maximum_output_length": stream,
        "jbig2_maximum_output_length": stream,
        "image_maximum_buffer_size": stream,
        # all the filters of one stream together (a FlateDecode inside a FlateDecode inside ...)
        "stream_decoding_work_maximum_length": 4 * stream,
    }


class PdfLoader:
    format = "pdf"
    suffixes = (".pdf",)

    def load(self, data: bytes, name: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[LoadOutcome]:
        if not data.lstrip()[:5].startswith(b"%PDF"):
            raise LoaderError(Errors.E007, reason="no %PDF header")
        try:
            with apply_configuration(**pypdf_caps(limits)):
                reader = PdfReader(io.BytesIO(data), strict=False)
                if reader.is_encrypted and not reader.decrypt(""):
                    raise LoaderError(Errors.E008)
                count = len(reader.pages)
                if count > limits.max_pdf_pages:
                    raise LoaderError(Errors.E035, pages=count, limit=limits.max_pdf_pages)
                pages = [page.extract_text() or "" for page in reader.pages]
                title = reader.metadata.title if reader.metadata else None
        except LoaderError:
            raise
        except LimitReachedError as exc:
            raise LoaderError(Errors.E036, limit=limits.max_pdf_stream_bytes, reason=str(exc)) from exc
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
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


@register("loader", "pdf")
def _pdf_loader(resources: object) -> PdfLoader:
    return PdfLoader()
