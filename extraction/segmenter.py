"""Sentence segmentation with spaCy's rule-based sentencizer (no downloaded model).

Blank lines and line breaks between paragraphs also end a sentence, so headings and list
items do not run into the next sentence; overlong sentences are cut at white space.
"""
from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extraction.records import Document, Sentence

_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*[-*•]\s)")


@Language.component("govkg_paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A token after a blank line (or before a list bullet) starts a sentence."""
    for token in doc[:-1]:
        if token.is_space and _PARAGRAPH.search(token.text_with_ws + doc[token.i + 1].text[:2]):
            doc[token.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def sentence_pipeline() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("govkg_paragraph_boundaries")
    nlp.max_length = 10_000_000
    return nlp


class SpacySegmenter:
    def __init__(self, max_sentence_chars: int = 5_000) -> None:
        self.max_sentence_chars = max_sentence_chars
        self.nlp = sentence_pipeline()

    def run(self, document: Document) -> list[Sentence]:
        doc = self.nlp(document.text)
        spans: list[tuple[int, int]] = []
        for sent in doc.sents:
            start, end = _strip(document.text, sent.start_char, sent.end_char)
            if start < end:
                spans.extend(_cut(document.text, start, end, self.max_sentence_chars))
        return [
            Sentence(document_id=document.id, index=i, start=s, end=e, text=document.text[s:e])
            for i, (s, e) in enumerate(spans)
        ]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Split an overlong span at the last white space before the limit."""
    pieces = []
    while end - start > limit:
        cut = text.rfind(" ", start + 1, start + limit)
        cut = cut if cut > start else start + limit
        pieces.append(_strip(text, start, cut))
        start = _strip(text, cut, end)[0]
    pieces.append((start, end))
    return [p for p in pieces if p[0] < p[1]]
