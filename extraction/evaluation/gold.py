"""The gold facts (GovFacts JSONL: one annotated sentence a line) and the documents built from them.

Sentences of one `source` become one document, in file order, joined by a blank line, so that
in-document name resolution works as it does on an imported file; the document's date is `year`.
"""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extraction.errors import DataError, Errors

SENTENCE_SEPARATOR = "\n\n"


class Gold(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class GoldEntity(Gold):
    text: str
    start: int = Field(ge=0)  # code-point offsets in the sentence, end exclusive
    end: int = Field(ge=0)
    type: str


class GoldFact(Gold):
    subject: str  # the text of an entity of the sentence
    predicate: str
    object: str
    evidence: str = ""


class GoldSentence(Gold):
    id: str
    source: str
    document: str = ""
    year: int | None = Field(default=None, ge=1000, le=2999)
    text: str = Field(min_length=1)
    entities: tuple[GoldEntity, ...] = ()
    facts: tuple[GoldFact, ...] = ()


class GoldDocument(Gold):
    """The sentences of one source, joined as the document that is imported."""

    key: str  # the record id of the imported JSONL line ("doc-001")
    source: str
    title: str
    year: int | None
    sentences: tuple[GoldSentence, ...]

    @property
    def text(self) -> str:
        return SENTENCE_SEPARATOR.join(s.text for s in self.sentences)


def load_gold(path: Path) -> list[GoldSentence]:
    """Read and check the gold file; a bad line is an error (coded E070–E075), not a skipped line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(Errors.E070, path=str(path), reason=str(exc)) from exc
    sentences: list[GoldSentence] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        sentence = _sentence(path, number, line)
        if sentence.id in seen:
            raise DataError(Errors.E072, path=str(path), line=number, reason=f"duplicate id {sentence.id!r}")
        seen.add(sentence.id)
        sentences.append(sentence)
    if not sentences:
        raise DataError(Errors.E075, path=str(path))
    return sentences


def _sentence(path: Path, number: int, line: str) -> GoldSentence:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataError(Errors.E071, path=str(path), line=number, reason=exc.msg) from exc
    try:
        sentence = GoldSentence.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DataError(Errors.E072, path=str(path), line=number, reason=f"{where}: {first['msg']}") from exc
    for entity in sentence.entities:
        found = sentence.text[entity.start : entity.end]
        if found != entity.text:
            raise DataError(Errors.E073, path=str(path), line=number, text=entity.text, start=entity.start,
                            end=entity.end, found=found)
    names = {e.text for e in sentence.entities}
    for fact in sentence.facts:
        for role, text in (("subject", fact.subject), ("object", fact.object)):
            if text not in names:
                raise DataError(Errors.E074, path=str(path), line=number, role=role, text=text)
    return sentence


def group_documents(sentences: list[GoldSentence]) -> list[GoldDocument]:
    """One document per source, sentences in file order, documents in order of first appearance."""
    by_source: dict[str, list[GoldSentence]] = {}
    for sentence in sentences:
        by_source.setdefault(sentence.source, []).append(sentence)
    return [
        GoldDocument(key=f"doc-{i:03d}", source=source, title=group[0].document or source,
                     year=group[0].year, sentences=tuple(group))
        for i, (source, group) in enumerate(by_source.items(), start=1)
    ]


def write_documents(documents: list[GoldDocument], path: Path) -> Path:
    """The documents as one JSONL file the importer's loader reads (text, title, published, id)."""
    with path.open("w", encoding="utf-8") as handle:
        for document in documents:
            record: dict[str, object] = {"id": document.key, "title": document.title, "text": document.text,
                                         "govfacts_source": document.source}
            if document.year is not None:
                record["published"] = f"{document.year:04d}"
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
