"""HTML: visible text only, block elements on their own lines."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup
from lxml import etree

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import (
    DEFAULT_LIMITS,
    LoadedText,
    LoadLimits,
    LoadOutcome,
    decode_text,
)
from extraction.registry import register

_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")
_INLINE_SPACE = re.compile(r"[ \t\u00a0]+")


class HtmlLoader:
    format = "html"
    suffixes = (".html", ".htm", ".xhtml")

    def load(self, data: bytes, name: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[LoadOutcome]:
        decode_text(data, self.format)  # rejects binary data with a clear error
        check_depth(data, limits.max_html_depth)
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


@register("loader", "html")
def _html_loader(resources: object) -> HtmlLoader:
    return HtmlLoader()


class _TooDeep(Exception):
    pass


class _DepthCounter:
    """An lxml parser target that only counts open elements (as libxml2 closes them, implied ends too)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0

    def start(self, tag: str, attrib: object) -> None:
        self.depth += 1
        if self.depth > self.limit:
            raise _TooDeep

    def end(self, tag: str) -> None:
        self.depth -= 1

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def check_depth(data: bytes, limit: int) -> None:
    """E037 when elements nest deeper than `limit`: a pass of lxml's HTML parser (the one BeautifulSoup
    uses here) that builds nothing and stops at the first element past the limit."""
    parser = etree.HTMLParser(target=_DepthCounter(limit), no_network=True)
    try:
        parser.feed(data)
        parser.close()
    except _TooDeep:
        raise LoaderError(Errors.E037, limit=limit) from None
    except (etree.LxmlError, ValueError, TypeError):
        pass  # broken markup: BeautifulSoup reads what it can (or reports E016)
