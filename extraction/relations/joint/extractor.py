"""The joint head as a pipeline relation extractor (`joint`): mention pairs over the NER model's encodings → facts.

For each sentence with two or more resolved mentions, the sentence's words (the spaCy-blank tokenisation
the NER recognizer uses) key the word encodings the NER tagger kept while it recognised entities; a
sentence the NER model did not see (the recognizer is off, or the cache dropped it) is encoded here with
the same NER model: slower, never skipped. Each ordered pair of mentions of two different entities whose
coarse classes held a relation in training (at most `max_pairs_per_sentence`, nearest first) is scored in
one batch per document. Each predicate (at most three per pair) whose confidence reaches
`min_candidate_confidence` becomes a fact; the confidence is p(predicate) / (p(predicate) + p(no_relation))
of the temperature-calibrated softmax (model.predicate_confidences), and the validator then keeps it as a
fact (≥ pipeline.min_fact_confidence) or a low-confidence candidate.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from extraction.ner.encodings import encoding_cache
from extraction.records import (
    Document,
    Entity,
    Extractor,
    Fact,
    Mention,
    Provenance,
    Sentence,
    fact_id,
)
from extraction.relations.joint.data import word_span
from extraction.relations.joint.model import (
    JointConfig,
    JointPairHead,
    class_ids,
    class_key,
    head_logits,
    load_joint,
    ner_version_of,
    predicate_confidences,
    sentence_rows,
)

IsA = Callable[[str, str], bool]
MAX_PREDICATES_PER_PAIR = 3  # a pair may hold two predicates (country and locatedIn); more are noise


class JointRelationExtractor:
    name = "joint"

    def __init__(self, head: JointPairHead, config: JointConfig, encoder: Callable[[], object], is_a: IsA,
                 min_candidate_confidence: float = 0.1) -> None:
        import spacy

        self.head = head.eval()
        self.config = config
        self.labels = list(config.labels)
        self.is_a = is_a
        self.min_candidate_confidence = min_candidate_confidence
        self.tokenizer = spacy.blank("en").tokenizer
        self.type_pairs = {tuple(p) for p in config.type_pairs}
        self.extractor = Extractor(name=self.name, version=config.version or "unversioned")
        self.cache = encoding_cache(config.ner_version)  # from now on NER taggers of that version keep encodings
        self._load_encoder = encoder
        self._encoder = None
        self._classes: dict[str, tuple[tuple[int, int], str]] = {}
        self.encoded_here = 0  # sentences the cache lacked (the NER model did not run on them)

    @classmethod
    def from_folder(cls, folder: Path, ner_folder: Path, is_a: IsA, *, min_candidate_confidence: float = 0.1,
                    quantize: bool = False, batch_size: int = 64) -> JointRelationExtractor:
        """Refused (E065) unless the head was trained on the encodings of the NER model in `ner_folder`."""
        head, config = load_joint(folder, ner_version_of(ner_folder))

        def encoder():  # type: ignore[no-untyped-def]
            from extraction.ner.tagger import NerTagger

            return NerTagger.from_folder(ner_folder, quantize=quantize, batch_size=batch_size)

        return cls(head, config, encoder, is_a, min_candidate_confidence)

    def _class(self, ontology_class: str) -> tuple[tuple[int, int], str]:
        if ontology_class not in self._classes:
            self._classes[ontology_class] = (class_ids(ontology_class, self.is_a), class_key(ontology_class, self.is_a))
        return self._classes[ontology_class]

    def encode(self, sentences: list[list[str]], document_id: str) -> list[np.ndarray]:
        """Word encodings the NER model computes, for sentences the cache lacks."""
        if self._encoder is None:
            self._encoder = self._load_encoder()
        self.encoded_here += len(sentences)
        return self._encoder.word_encodings(sentences, [document_id] * len(sentences))  # type: ignore[attr-defined]

    def run(self, document: Document, sentences: list[Sentence], mentions: list[Mention],
            entities: list[Entity]) -> list[Fact]:
        per_sentence: dict[int, list[Mention]] = {}
        for mention in mentions:
            if mention.entity_id is not None:
                per_sentence.setdefault(mention.sentence_index, []).append(mention)
        work = []  # (sentence, words, placed mentions, pairs)
        for sentence in sentences:
            inside = per_sentence.get(sentence.index, [])
            if len({m.entity_id for m in inside}) < 2:
                continue
            tokens = [t for t in self.tokenizer(sentence.text) if not t.is_space]
            starts = [sentence.start + t.idx for t in tokens]
            ends = [s + len(t.text) for s, t in zip(starts, tokens, strict=True)]
            placed = [(m, span) for m in inside if (span := word_span(starts, ends, m.start, m.end)) is not None]
            pairs = self._pairs(placed)
            if pairs:
                work.append((sentence, [t.text for t in tokens], placed, pairs))
        if not work:
            return []
        encodings = [self.cache.get(words) for _, words, _, _ in work]
        missing = [i for i, e in enumerate(encodings) if e is None]
        if missing:
            for i, encoding in zip(missing, self.encode([work[i][1] for i in missing], document.id), strict=True):
                encodings[i] = encoding
        blocks = [sentence_rows(encoding, [span for _, span in placed], [self._class(m.type)[0] for m, _ in placed],
                                pairs)
                  for encoding, (_, _, placed, pairs) in zip(encodings, work, strict=True)]  # type: ignore[arg-type]
        logits = head_logits(self.head, np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks]),
                             np.concatenate([b[2] for b in blocks]))
        confidences = predicate_confidences(logits, self.config.temperature)
        facts = []
        row = 0
        for sentence, _, placed, pairs in work:
            for s, o in pairs:
                ranked = np.argsort(-confidences[row])[:MAX_PREDICATES_PER_PAIR]
                for column in ranked:
                    confidence = float(confidences[row, column])
                    if confidence < self.min_candidate_confidence:
                        break
                    facts.append(self._fact(document, sentence, placed[s][0], placed[o][0],
                                            self.labels[int(column) + 1], confidence))
                row += 1
        return facts

    def _pairs(self, placed: list[tuple[Mention, tuple[int, int]]]) -> list[tuple[int, int]]:
        """Ordered pairs of two entities whose classes held a relation in training, nearest first, capped."""
        keys = [self._class(m.type)[1] for m, _ in placed]
        pairs = [(i, j) for i, (a, _) in enumerate(placed) for j, (b, _) in enumerate(placed)
                 if a.entity_id != b.entity_id and (not self.type_pairs or (keys[i], keys[j]) in self.type_pairs)]
        if len(pairs) > self.config.max_pairs_per_sentence:
            pairs.sort(key=lambda p: (abs(placed[p[0]][1][0] - placed[p[1]][1][0]), p))
            pairs = sorted(pairs[:self.config.max_pairs_per_sentence])
        return pairs

    def _fact(self, document: Document, sentence: Sentence, subject: Mention, obj: Mention, predicate: str,
              confidence: float) -> Fact:
        assert subject.entity_id is not None and obj.entity_id is not None
        if predicate == "memberOf" and self.is_a(obj.type, "PoliticalParty"):
            predicate = "partyOf"  # Re-DocRED's P463 "member of" a party is the ontology's partyOf
        confidence = round(confidence, 4)
        provenance = Provenance(
            document_id=document.id, sentence_index=sentence.index,
            subject_start=subject.start, subject_end=subject.end, object_start=obj.start, object_end=obj.end,
            confidence=confidence, extractor=self.extractor,
        )
        return Fact(id=fact_id(subject.entity_id, predicate, obj.entity_id), subject_id=subject.entity_id,
                    predicate=predicate, object_id=obj.entity_id, confidence=confidence, provenance=(provenance,))
