"""The government rule layer as a pipeline recognizer ("government"): positions, legislation and
programmes, countries, cities and regions, parties and party/state tags, and dates, in one pass over
each sentence's tokens. Matchers are built once per process; mentions never overlap one another."""
from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc

from extraction.records import Document, Extractor, Mention, Sentence, mention_id
from extraction.rules.common import RuleContext, RuleSpan, rule_nlp
from extraction.rules.dates import find_dates
from extraction.rules.legislation import acronyms_of, find_legislation
from extraction.rules.organizations import find_organizations
from extraction.rules.parties import find_parties
from extraction.rules.places import find_places
from extraction.rules.positions import find_positions

VERSION = "1"


class GovernmentRecognizer:
    name = "government"

    def __init__(self, context: RuleContext | None = None) -> None:
        self.context = context or RuleContext()
        self.nlp = rule_nlp()
        self.extractor = Extractor(name=self.name, version=VERSION)
        # builds the matchers
        self.spans(self.nlp.make_doc("The Secretary of State met in Paris, France on May 1, 2020."))

    @classmethod
    def from_entries(cls, entries: Iterable) -> GovernmentRecognizer:
        """With the gazetteer's entries: state keys for "(D-TX)", and known names the rules must not swallow."""
        return cls(RuleContext.from_entries(entries))

    @classmethod
    def from_gazetteer_dir(cls, folder) -> GovernmentRecognizer:
        from extraction.gazetteer import load_entries

        return cls.from_entries(load_entries(folder))

    def run(self, document: Document, sentences: list[Sentence]) -> list[Mention]:
        mentions: list[Mention] = []
        acronyms: dict[str, str] = {}  # acronyms defined in earlier sentences: "NAFTA" -> "Legislation"
        for sentence, doc in zip(sentences, self.nlp.tokenizer.pipe(s.text for s in sentences), strict=True):
            spans = self.spans(doc, acronyms)
            acronyms.update(acronyms_of(doc.text, spans))
            for span in spans:
                start, end = sentence.start + span.start, sentence.start + span.end
                mentions.append(Mention(
                    id=mention_id(document.id, start, end, span.type), document_id=document.id,
                    sentence_index=sentence.index, start=start, end=end, text=document.text[start:end],
                    type=span.type, confidence=span.confidence, extractor=self.extractor, gazetteer_key=span.key,
                ))
        return mentions

    def spans(self, doc: Doc, acronyms: dict[str, str] | None = None) -> list[RuleSpan]:
        """Every rule over one sentence's tokens; overlaps resolved longest first."""
        context = self.context
        found = [*find_legislation(doc, context), *find_places(doc, context), *find_parties(doc, context),
                 *find_dates(doc.text), *find_organizations(doc, context)]
        for acronym, kind in (acronyms or {}).items():
            for match in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", doc.text):
                found.append(RuleSpan(match.start(), match.end(), kind, 0.8, "acronym"))
        found = _flat(found)
        known = [_token_range(doc, s) for s in found]
        found = _flat([*found, *find_positions(doc, context, [k for k in known if k])])
        return found


def _flat(spans: list[RuleSpan]) -> list[RuleSpan]:
    ranked = sorted(spans, key=lambda s: (-(s.end - s.start), -s.confidence, s.start))
    taken: list[RuleSpan] = []
    for span in ranked:
        if all(span.end <= t.start or t.end <= span.start for t in taken):
            taken.append(span)
    return sorted(taken, key=lambda s: s.start)


def _token_range(doc: Doc, span: RuleSpan) -> tuple[int, int] | None:
    chars = doc.char_span(span.start, span.end, alignment_mode="expand")
    return (chars.start, chars.end) if chars is not None else None
