"""The gazetteer rule layer as a spaCy component (`govkg_gazetteer`), built from entry files."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extraction.gazetteer.entries import GazetteerEntry, load_entries

NAME_CONFIDENCE = 0.95
ACRONYM_CONFIDENCE = 0.85

if not Span.has_extension("gazetteer_confidence"):
    Span.set_extension("gazetteer_confidence", default=None)


class GazetteerComponent:
    """Marks every known name, alias and acronym; longest match wins; spans in doc.ents."""

    def __init__(self, nlp: Language, entries: list[GazetteerEntry]) -> None:
        self.entries = {e.key: e for e in entries}
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._acronym_ids: set[int] = set()
        for entry in entries:
            names = {v for n in (entry.name, *entry.aliases) for v in (n, n.upper())}
            if names:
                self.matcher.add(entry.key, [nlp.make_doc(n) for n in sorted(names)])
            if entry.acronyms:
                acronym_key = f"{entry.key}#acronym"
                self.matcher.add(acronym_key, [nlp.make_doc(a) for a in entry.acronyms])
                self._acronym_ids.add(nlp.vocab.strings[acronym_key])

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id].removesuffix("#acronym")
            span = Span(doc, start, end, label=self.entries[key].type, kb_id=key)
            span._.gazetteer_confidence = ACRONYM_CONFIDENCE if match_id in self._acronym_ids else NAME_CONFIDENCE
            spans.append(span)
        doc.ents = filter_spans(spans)
        return doc


@Language.factory("govkg_gazetteer", default_config={"folder": ""})
def make_gazetteer(nlp: Language, name: str, folder: str) -> GazetteerComponent:
    return GazetteerComponent(nlp, load_entries(Path(folder)))


@lru_cache(maxsize=4)
def gazetteer_pipeline(folder: str) -> Language:
    """Tokenizer + gazetteer, built once per data folder."""
    nlp = spacy.blank("en")
    nlp.add_pipe("govkg_gazetteer", config={"folder": folder})
    return nlp
