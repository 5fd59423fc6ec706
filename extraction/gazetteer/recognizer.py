"""EntityRecognizer over the gazetteer spaCy pipeline."""
from __future__ import annotations

from pathlib import Path

from extraction.gazetteer.entries import GazetteerEntry
from extraction.gazetteer.matcher import GazetteerComponent, gazetteer_pipeline
from extraction.records import Document, Extractor, Mention, Sentence, mention_id

VERSION = "1"


class GazetteerRecognizer:
    name = "gazetteer"

    def __init__(self, folder: Path) -> None:
        self.nlp = gazetteer_pipeline(str(Path(folder).resolve()))
        component: GazetteerComponent = self.nlp.get_pipe("govkg_gazetteer")
        self.entries: dict[str, GazetteerEntry] = component.entries
        self.extractor = Extractor(name=self.name, version=f"{VERSION}+{len(self.entries)}")

    def run(self, document: Document, sentences: list[Sentence]) -> list[Mention]:
        mentions = []
        for sentence, doc in zip(sentences, self.nlp.pipe(s.text for s in sentences), strict=True):
            for span in doc.ents:
                start, end = sentence.start + span.start_char, sentence.start + span.end_char
                mentions.append(Mention(
                    id=mention_id(document.id, start, end, span.label_),
                    document_id=document.id, sentence_index=sentence.index, start=start, end=end,
                    text=span.text, type=span.label_, confidence=span._.gazetteer_confidence,
                    extractor=self.extractor, gazetteer_key=span.kb_id_,
                ))
        return mentions
