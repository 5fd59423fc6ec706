"""Plain text and Markdown."""
from __future__ import annotations

import re

from extraction.loaders.base import (
    DEFAULT_LIMITS,
    LoadedText,
    LoadLimits,
    LoadOutcome,
    decode_text,
    require_text,
)
from extraction.registry import register

_MD_HEADING = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class TextLoader:
    format = "txt"
    suffixes = (".txt", ".text")

    def load(self, data: bytes, name: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[LoadOutcome]:
        text, encoding = decode_text(data, self.format)
        return [LoadedText(text=require_text(text), format=self.format, metadata={"encoding": encoding})]


@register("loader", "txt")
def _text_loader(resources: object) -> TextLoader:
    return TextLoader()


class MarkdownLoader:
    format = "md"
    suffixes = (".md", ".markdown")

    def load(self, data: bytes, name: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[LoadOutcome]:
        text, encoding = decode_text(data, self.format)
        heading = _MD_HEADING.search(text)
        return [
            LoadedText(
                text=require_text(text),
                format=self.format,
                title=heading.group(1).strip() if heading else None,
                metadata={"encoding": encoding},
            )
        ]


@register("loader", "md")
def _markdown_loader(resources: object) -> MarkdownLoader:
    return MarkdownLoader()
