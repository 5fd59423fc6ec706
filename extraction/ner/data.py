"""NER training and evaluation data: CoNLL columns, JSONL spans and Re-DocRED, all as IOB2 examples."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from extraction.errors import DataError, Errors
from extraction.modeling.datasets import file_sha256, guess_format
from extraction.ner.tags import detect_scheme, spans_to_tags, to_iob2

FORMATS = ("conll", "jsonl", "redocred")


@dataclass(frozen=True)
class NerExample:
    """One sentence: tokens and strict IOB2 tags; `document` groups sentences for context."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    document: str = ""

    @property
    def types(self) -> set[str]:
        return {t[2:] for t in self.tags if t != "O"}


@dataclass(frozen=True)
class NerDataset:
    examples: list[NerExample]
    path: str
    format: str
    scheme: str  # the tag scheme found in the file, before conversion to IOB2
    sha256: str
    part: str = ""  # e.g. "documents 0.7-0.8 (seed 13)" when split from a bigger file

    @property
    def words(self) -> int:
        return sum(len(e.tokens) for e in self.examples)

    @property
    def types(self) -> list[str]:
        return sorted(set().union(*(e.types for e in self.examples))) if self.examples else []


def load_dataset(path: Path | str, format: str = "auto") -> NerDataset:
    path = Path(path)
    if not path.is_file():
        raise DataError(Errors.E030, path=path)
    fmt = guess_format(path) if format == "auto" else format
    if fmt == "conll":
        examples, scheme = read_conll(path)
    elif fmt == "jsonl":
        examples, scheme = read_jsonl(path), "spans"
    elif fmt == "redocred":
        examples, scheme = read_redocred(path), "spans"
    else:
        raise DataError(Errors.E050, path=path, format=fmt)
    if not examples:
        raise DataError(Errors.E052, path=path, reason=f"read as {fmt}")
    return NerDataset(examples, str(path), fmt, scheme, file_sha256(path))


def read_conll(path: Path) -> tuple[list[NerExample], str]:
    """Whitespace-separated columns, token first and tag last; blank lines end sentences."""
    rows: list[tuple[list[str], list[str], str]] = []
    tokens: list[str] = []
    tags: list[str] = []
    document = 0
    for number, line in enumerate(_lines(path), start=1):
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if tokens:
                rows.append((tokens, tags, f"{path.name}#{document}"))
                tokens, tags = [], []
            if parts:
                document += 1
            continue
        if len(parts) < 2:
            raise DataError(Errors.E051, path=path, line=number, reason="expected a token and a tag column")
        tokens.append(parts[0])
        tags.append(parts[-1])
    if tokens:
        rows.append((tokens, tags, f"{path.name}#{document}"))
    scheme = detect_scheme([r[1] for r in rows])
    return [NerExample(tuple(t), tuple(to_iob2(g)), d) for t, g, d in rows], scheme


def read_jsonl(path: Path) -> list[NerExample]:
    """`{"tokens", "entities": [{type, start, end}]}` (token offsets, end exclusive) or
    `{"text", "entities": [...]}` with character offsets (tokenized with spaCy's English rules)."""
    examples = []
    tokenizer = None
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(Errors.E051, path=path, line=number, reason=f"invalid JSON: {exc}") from exc
        if not isinstance(row, dict) or not isinstance(row.get("entities", []), list):
            raise DataError(Errors.E051, path=path, line=number, reason="expected an object with 'entities'")
        try:
            spans = [(int(e["start"]), int(e["end"]), str(e["type"])) for e in row.get("entities", [])]
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(Errors.E051, path=path, line=number,
                            reason=f"each entity needs integer start/end and a type ({exc})") from exc
        document = str(row.get("document", row.get("doc_id", f"{path.name}:{number}")))
        if isinstance(row.get("tokens"), list):
            tokens = tuple(str(t) for t in row["tokens"])
        elif isinstance(row.get("text"), str):
            if tokenizer is None:
                import spacy

                tokenizer = spacy.blank("en").tokenizer
            doc = tokenizer(row["text"])
            token_spans = []
            for start, end, kind in spans:
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is None:
                    raise DataError(Errors.E051, path=path, line=number,
                                    reason=f"entity [{start}, {end}) is outside the text")
                token_spans.append((span.start, span.end, kind))
            tokens, spans = tuple(t.text for t in doc), token_spans
        else:
            raise DataError(Errors.E051, path=path, line=number, reason="expected 'tokens' (a list) or 'text'")
        bad = [s for s in spans if not 0 <= s[0] < s[1] <= len(tokens)]
        if bad:
            raise DataError(Errors.E051, path=path, line=number, reason=f"entity span {bad[0][:2]} out of range")
        examples.append(NerExample(tokens, tuple(spans_to_tags(len(tokens), spans)), document))
    return examples


def read_redocred(path: Path) -> list[NerExample]:
    """Re-DocRED/DocRED JSON: one example per sentence, every mention of every vertex."""
    try:
        documents = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(Errors.E051, path=path, line=getattr(exc, "lineno", 0), reason=str(exc)) from exc
    examples = []
    for doc_index, document in enumerate(documents):
        sentences = document.get("sents") or []
        spans: list[list[tuple[int, int, str]]] = [[] for _ in sentences]
        for vertex in document.get("vertexSet", []):
            for mention in vertex:
                sid, (start, end) = mention["sent_id"], mention["pos"]
                if 0 <= sid < len(sentences):
                    spans[sid].append((start, end, mention["type"]))
        key = document.get("title") or f"{path.name}#{doc_index}"
        for tokens, sentence_spans in zip(sentences, spans, strict=True):
            examples.append(NerExample(tuple(tokens), tuple(spans_to_tags(len(tokens), sentence_spans)), key))
    return examples


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open(encoding="utf-8") as handle:
            yield from (line.rstrip("\n") for line in handle)
    except UnicodeDecodeError as exc:
        raise DataError(Errors.E051, path=path, line=0, reason=f"not UTF-8: {exc}") from exc
