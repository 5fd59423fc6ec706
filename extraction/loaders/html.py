"""HTML: visible text only, block elements on their own lines."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import LoadedText, LoadOutcome, decode_text

_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")
_INLINE_SPACE = re.compile(r"[ \t\u00a0]+")


class HtmlLoader:
    format = "html"
    suffixes = (".html", ".htm", ".xhtml")

    def load(self, data: bytes, name: str) -> list[LoadOutcome]:
        decode_text(data, self.format)  # rejects binary data with a clear error
        try:
            soup = BeautifulSoup(data, "lxml")
        except Exception as exc:  # lxml/bs4 raise several types on broken input
            raise LoaderError(Errors.E016, reason=str(exc)) from exc
        title_tag = soup.find("title") or soup.find("h1")
        title = title_tag.get_text(" ", strip=True) if title_tag else None
        for tag in soup(_INVISIBLE):
            tag.decompose()
        lines = [_INLINE_SPACE.sub(" ", line).strip() for line in soup.get_text("\n").split("\n")]
        text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
        if not text:
            raise LoaderError(Errors.E017)
        encoding = soup.original_encoding or "utf-8"
        return [LoadedText(text=text, format=self.format, title=title or None, metadata={"encoding": encoding})]
