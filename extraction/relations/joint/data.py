"""Labelled mention pairs for the joint head, from three sources (never the govfacts evaluation files).

- `redocred`: Re-DocRED, mention pairs inside one sentence. Labels map to ontology predicates through
  `ontology/mappings/relation_labels.tsv` (`inverted` swaps the arguments); a pair whose only labels map to
  nothing is a real relation the ontology lacks, so it is dropped, not taught as `no_relation`. Entity
  types map to ontology classes the same way (ORG → Organization, LOC → Location, TIME → Date).
- `patterns`: the production pipeline (rule recognizers plus the NER model, relation extractor
  `patterns`) over State of the Union addresses: a pair the rule layer states is a positive; the rule
  layer's held-back candidates are dropped; other pairs are negatives, subsampled (the rules miss
  relations, so an unlabelled pair is only probably negative).
- `records`: distant supervision from the shipped records: a sentence naming a current member of
  Congress and their state (represents), their party (partyOf), a committee they sit on (memberOf;
  chairpersonOf for its chair). Both arguments must be mentions the gazetteer resolved (`gazetteer_key`).
- `conll04` (benchmark only, instead of the three above): labelled sentences of CoNLL04-style JSONL, with
  the data's own entity spans and relation labels (`labelled_sentences`).
"""
from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from extraction.errors import DataError, Errors
from extraction.relations.data import RelationExample

EntityMap = Callable[[str, str], "str | None"]
RelationMap = Callable[[str, str], "tuple[str, bool] | None"]
Span = tuple[int, int]


@dataclass(frozen=True)
class LabelledPair:
    subject: int  # mention index in the sentence
    object: int
    predicates: tuple[str, ...]  # () is no_relation; several: each as likely (a soft target)
    sources: tuple[str, ...]  # which sources label it: redocred, patterns, records (negatives: their sentence's)


@dataclass(eq=False)
class PairSentence:
    document: str
    words: tuple[str, ...]
    spans: list[Span]  # word spans of the mentions, end exclusive
    classes: list[str]  # ontology class of each mention ("" when none)
    pairs: list[LabelledPair]
    source: str  # "redocred" or "sotu"
    encoding: np.ndarray | None = None  # [n_words, hidden], filled by the trainer


@dataclass
class SourceCounts:
    """What a source contributed: sentences, positive pairs per predicate, negatives, dropped pairs."""

    sentences: int = 0
    positives: Counter = field(default_factory=Counter)  # predicate → pairs
    negatives: int = 0
    dropped: Counter = field(default_factory=Counter)  # reason → pairs

    def as_dict(self) -> dict[str, object]:
        return {"sentences": self.sentences, "positive_pairs": sum(self.positives.values()),
                "negative_pairs": self.negatives, "per_predicate": dict(sorted(self.positives.items())),
                "dropped_pairs": dict(sorted(self.dropped.items()))}


def count_sources(sentences: Iterable[PairSentence]) -> dict[str, dict[str, object]]:
    """Counts per source of a list of sentences (a pair two sources label counts for each)."""
    counts: dict[str, SourceCounts] = {}
    seen: dict[str, set[int]] = {}
    for sentence in sentences:
        for pair in sentence.pairs:
            for source in pair.sources:
                entry = counts.setdefault(source, SourceCounts())
                if id(sentence) not in seen.setdefault(source, set()):
                    seen[source].add(id(sentence))
                    entry.sentences += 1
                if pair.predicates:
                    entry.positives.update(pair.predicates)
                else:
                    entry.negatives += 1
    return {source: counts[source].as_dict() for source in sorted(counts)}


# -- Re-DocRED --------------------------------------------------------------------------------------
def redocred_sentences(path: Path, map_entity: EntityMap, map_relation: RelationMap,
                       max_documents: int | None = None) -> tuple[list[PairSentence], Counter]:
    """Sentences with two or more entities of Re-DocRED, all their ordered mention pairs of two
    different entities; and the dropped pairs by reason."""
    if not path.is_file():
        raise DataError(Errors.E030, path=path)
    try:
        documents = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(Errors.E051, path=path, line=getattr(exc, "lineno", 0), reason=str(exc)) from exc
    dropped: Counter = Counter()
    sentences: list[PairSentence] = []
    for doc_index, document in enumerate(documents[:max_documents] if max_documents else documents):
        key = document.get("title") or f"{path.name}#{doc_index}"
        texts = document.get("sents") or []
        mapped: dict[tuple[int, int], set[str]] = {}
        unmapped: set[tuple[int, int]] = set()
        for label in document.get("labels", []):
            head, tail = label["h"], label["t"]
            found = map_relation("redocred", label["r"])
            if found is None:
                unmapped.add((head, tail))
                continue
            predicate, inverted = found
            mapped.setdefault((tail, head) if inverted else (head, tail), set()).add(predicate)
        per_sentence: dict[int, list[tuple[int, int, str, int]]] = {}
        for vertex_index, vertex in enumerate(document.get("vertexSet", [])):
            for mention in vertex:
                sid = mention["sent_id"]
                if 0 <= sid < len(texts):
                    start, end = mention["pos"]
                    per_sentence.setdefault(sid, []).append((start, end, mention["type"], vertex_index))
        for sid, mentions in sorted(per_sentence.items()):
            mentions = sorted(set(mentions))
            if len({m[3] for m in mentions}) < 2:
                continue
            pairs = []
            for i, subject in enumerate(mentions):
                for j, obj in enumerate(mentions):
                    if subject[3] == obj[3]:
                        continue
                    predicates = mapped.get((subject[3], obj[3]))
                    if predicates:
                        pairs.append(LabelledPair(i, j, tuple(sorted(predicates)), ("redocred",)))
                    elif (subject[3], obj[3]) in unmapped:
                        dropped["relation the ontology does not map"] += 1
                    else:
                        pairs.append(LabelledPair(i, j, (), ("redocred",)))
            sentences.append(PairSentence(
                document=key, words=tuple(texts[sid]), spans=[(m[0], m[1]) for m in mentions],
                classes=[map_entity("redocred", m[2]) or "" for m in mentions], pairs=pairs, source="redocred"))
    return sentences, dropped


# -- labelled sentences (CoNLL04) -------------------------------------------------------------------
def labelled_sentences(examples: Sequence[RelationExample], entity_class: Callable[[str], str],
                       source: str = "conll04") -> list[PairSentence]:
    """One sentence per example (CoNLL04-style JSONL read by `extraction.relations.data`), in order: every
    ordered pair of two of its entities, labelled with the data's own relation (not an ontology predicate:
    a benchmark scores its own labels), else `no_relation`. `entity_class(type)` is the ontology class the
    head's class features read ("" when the type maps to none, e.g. CoNLL04's Other)."""
    sentences = []
    for example in examples:
        labels = {(h, t): r for h, t, r in example.relations}
        pairs = [LabelledPair(h, t, (labels[h, t],) if (h, t) in labels else (), (source,))
                 for h, t in example.candidate_pairs()]
        sentences.append(PairSentence(
            document=example.document, words=example.tokens, spans=[(s, e) for s, e, _ in example.entities],
            classes=[entity_class(kind) for _, _, kind in example.entities], pairs=pairs, source=source))
    return sentences


# -- the shipped records (distant supervision) -----------------------------------------------------
CHAIR_TITLES = {"chair", "chairman", "chairwoman"}
PARTY_KEYS = {"Democrat": "institution:democratic party", "Republican": "institution:republican party"}


class RecordFacts:
    """Facts the shipped records state, by gazetteer keys: (subject key, object key) → predicates."""

    def __init__(self, gazetteer_dir: Path) -> None:
        self.files = [gazetteer_dir / "legislators-current.yaml", gazetteer_dir / "committee-membership-current.yaml"]
        self.facts: dict[tuple[str, str], set[str]] = {}
        for person in _yaml(self.files[0]) or []:
            bioguide = (person.get("id") or {}).get("bioguide")
            terms = person.get("terms") or []
            if not bioguide or not terms:
                continue
            current = terms[-1]
            key = f"person:{bioguide}"
            if current.get("state"):
                self._add(key, f"state:{current['state']}", "represents")
            party = PARTY_KEYS.get(str(current.get("party", "")))
            if party:
                self._add(key, party, "partyOf")
        for committee, members in (_yaml(self.files[1]) or {}).items():
            for member in members or []:
                if not member.get("bioguide"):
                    continue
                key = f"person:{member['bioguide']}"
                self._add(key, f"committee:{committee}", "memberOf")
                if str(member.get("title", "")).casefold() in CHAIR_TITLES:
                    self._add(key, f"committee:{committee}", "chairpersonOf")

    def _add(self, subject: str, obj: str, predicate: str) -> None:
        self.facts.setdefault((subject, obj), set()).add(predicate)

    def predicates(self, subject: str | None, obj: str | None) -> tuple[str, ...]:
        if not subject or not obj:
            return ()
        return tuple(sorted(self.facts.get((subject, obj), ())))

    def describe(self) -> dict[str, object]:
        from extraction.modeling.datasets import file_sha256

        counts = Counter(p for predicates in self.facts.values() for p in predicates)
        return {"files": [{"path": str(f), "sha256": file_sha256(f)} for f in self.files if f.is_file()],
                "record_facts": dict(sorted(counts.items()))}


def _yaml(path: Path):  # type: ignore[no-untyped-def]
    if not path.is_file():
        raise DataError(Errors.E030, path=path)
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# -- the rule layer and the records over documents -------------------------------------------------
@dataclass
class WeakOptions:
    negatives_per_positive: int = 3  # in a sentence with positives
    negatives_per_unlabelled_sentence: int = 1  # in a sentence without
    seed: int = 13
    rule_extractor: str = "patterns"


def pipeline_sentences(pipeline, paths: Sequence[Path], records: RecordFacts | None,  # type: ignore[no-untyped-def]
                       options: WeakOptions, max_file_bytes: int = 50 * 1024 * 1024,
                       encodings: Callable[[Sequence[str]], np.ndarray | None] | None = None,
                       on_document: Callable[[Path, int], None] | None = None) -> list[PairSentence]:
    """Labelled pairs of every sentence with two or more resolved mentions of the documents, as the
    production pipeline sees them; `encodings(words)` (e.g. the NER cache) fills `encoding` right away."""
    import spacy

    from extraction.loaders import load_file
    from extraction.records import Document, document_id

    tokenizer = spacy.blank("en").tokenizer
    rng = random.Random(options.seed)
    sentences: list[PairSentence] = []
    for path in paths:
        for loaded in load_file(path, max_file_bytes):
            if isinstance(loaded, Exception):
                continue
            document = Document(id=document_id(loaded.text), text=loaded.text, title=path.stem,
                                source_path=str(path), source_name=path.name, format=loaded.format)
            graph = pipeline.run(document)
            found = _label_document(graph, tokenizer, records, options, rng, path.name)
            if encodings is not None:
                for sentence in found:
                    sentence.encoding = encodings(sentence.words)
            sentences += found
            if on_document is not None:
                on_document(path, len(found))
    return sentences


def _label_document(graph, tokenizer, records: RecordFacts | None, options: WeakOptions,  # type: ignore[no-untyped-def]
                    rng: random.Random, key: str) -> list[PairSentence]:
    rules: dict[tuple[int, int, int, int], set[str]] = {}
    held: set[tuple[int, int, int, int]] = set()
    for fact in graph.facts:
        for p in fact.provenance:
            if p.extractor.name == options.rule_extractor:
                pair_spans = (p.subject_start, p.subject_end, p.object_start, p.object_end)
                rules.setdefault(pair_spans, set()).add(fact.predicate)
    for candidate in graph.candidates:
        for p in candidate.fact.provenance:
            if p.extractor.name == options.rule_extractor:
                held.add((p.subject_start, p.subject_end, p.object_start, p.object_end))
    by_sentence: dict[int, list] = {}
    for mention in graph.mentions:
        if mention.entity_id is not None:
            by_sentence.setdefault(mention.sentence_index, []).append(mention)
    out = []
    for sentence in graph.sentences:
        mentions = by_sentence.get(sentence.index, [])
        if len({m.entity_id for m in mentions}) < 2:
            continue
        tokens = [t for t in tokenizer(sentence.text) if not t.is_space]
        starts = [sentence.start + t.idx for t in tokens]
        ends = [s + len(t.text) for s, t in zip(starts, tokens, strict=True)]
        placed = [(m, word_span(starts, ends, m.start, m.end)) for m in mentions]
        placed = [(m, span) for m, span in placed if span is not None]
        positives, negatives = [], []
        for i, (subject, _) in enumerate(placed):
            for j, (obj, _) in enumerate(placed):
                if subject.entity_id == obj.entity_id:
                    continue
                key_spans = (subject.start, subject.end, obj.start, obj.end)
                stated = rules.get(key_spans, set())
                recorded = set(records.predicates(subject.gazetteer_key, obj.gazetteer_key)) if records else set()
                if stated or recorded:
                    sources = (("patterns",) if stated else ()) + (("records",) if recorded else ())
                    positives.append(LabelledPair(i, j, tuple(sorted(stated | recorded)), sources))
                elif key_spans not in held:
                    negatives.append(LabelledPair(i, j, (), ("patterns",)))
        keep = (options.negatives_per_positive * len(positives) if positives
                else options.negatives_per_unlabelled_sentence)
        if len(negatives) > keep:
            negatives = rng.sample(negatives, keep)
        if not positives and not negatives:
            continue
        out.append(PairSentence(document=key, words=tuple(t.text for t in tokens), spans=[s for _, s in placed],
                                classes=[m.type for m, _ in placed], pairs=positives + negatives, source="sotu"))
    return out


def word_span(starts: Sequence[int], ends: Sequence[int], start: int, end: int) -> Span | None:
    """The words a character span covers (any overlap), or None when it covers none."""
    import bisect

    first = bisect.bisect_right(ends, start)  # first word ending after the span starts
    last = bisect.bisect_left(starts, end)  # first word starting at or after the span's end
    return (first, last) if first < last else None
