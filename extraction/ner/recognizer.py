"""The fine-tuned NER model as a pipeline recognizer: sentences → word tokens → spans → typed mentions."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from extraction.ner.tagger import NerTagger
from extraction.records import Document, Extractor, Mention, Sentence, mention_id

LabelMap = Callable[[str, str], "str | None"]  # (scheme, model label) → ontology class or None


class TransformerRecognizer:
    name = "ner"

    def __init__(self, tagger: NerTagger, map_label: LabelMap, min_confidence: float = 0.5) -> None:
        import spacy

        self.tagger = tagger
        self.tokenizer = spacy.blank("en").tokenizer
        self.min_confidence = min_confidence
        scheme = tagger.config.label_scheme
        self.types = {t: map_label(scheme, t) if scheme else t for t in tagger.types}
        self.extractor = Extractor(name=self.name, version=tagger.config.version or "unversioned")

    @classmethod
    def from_folder(cls, folder: Path, map_label: LabelMap, *, min_confidence: float = 0.5,
                    quantize: bool = False, batch_size: int = 64) -> TransformerRecognizer:
        return cls(NerTagger.from_folder(folder, quantize=quantize, batch_size=batch_size), map_label,
                   min_confidence)

    def run(self, document: Document, sentences: list[Sentence]) -> list[Mention]:
        words: list[list[str]] = []
        offsets: list[list[tuple[int, int]]] = []
        for sentence in sentences:
            tokens = [t for t in self.tokenizer(sentence.text) if not t.is_space]
            words.append([t.text for t in tokens])
            offsets.append([(sentence.start + t.idx, sentence.start + t.idx + len(t.text)) for t in tokens])
        mentions = []
        predictions = self.tagger.predict(words, [document.id] * len(words))
        for sentence, spans, positions in zip(sentences, predictions, offsets, strict=True):
            for span in spans:
                kind = self.types.get(span.type)
                if kind is None or span.confidence < self.min_confidence:
                    continue
                start, end = positions[span.start][0], positions[span.end - 1][1]
                kind = _place_kind(kind, document.text[start:end])
                if kind is None:
                    continue
                mentions.append(Mention(
                    id=mention_id(document.id, start, end, kind), document_id=document.id,
                    sentence_index=sentence.index, start=start, end=end, text=document.text[start:end],
                    type=kind, confidence=span.confidence, extractor=self.extractor,
                ))
        return mentions


_PLACE_TYPES = {"Location", "Country", "StateOrRegion", "City"}


def _place_kind(kind: str, text: str) -> str | None:
    """A place mention's type from what the place lists know ("Ecuador" -> Country, "Galveston" -> City);
    None for a demonym ("Iraqi", "Iraqis", "Americans", "U.S.-German"), which is never a place."""
    if kind not in _PLACE_TYPES:
        return kind
    from extraction.rules.demonyms import names_a_demonym
    from extraction.rules.places import place_type

    if names_a_demonym(text):
        return None
    return (place_type(text) or kind) if kind == "Location" else kind
