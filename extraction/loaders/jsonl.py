"""JSON Lines: one document per line, `text` plus metadata fields; a bad line fails alone."""
from __future__ import annotations

import json
import re

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import (
    DEFAULT_LIMITS,
    LoadedText,
    LoadLimits,
    LoadOutcome,
    decode_text,
)
from extraction.registry import register

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")
KNOWN_FIELDS = {"text", "title", "department", "published", "date", "labels", "id", "key"}


class JsonlLoader:
    format = "jsonl"
    suffixes = (".jsonl", ".ndjson")

    def load(self, data: bytes, name: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[LoadOutcome]:
        data, too_long = _drop_long_lines(data, limits.max_line_bytes)
        text, _ = decode_text(data, self.format) if data.strip() else ("", "utf-8")
        outcomes: list[LoadOutcome] = []
        lines = text.splitlines()
        for number, line in enumerate(lines, start=1):
            if number in too_long:
                outcomes.append(too_long[number])
                continue
            if not line.strip():
                continue
            try:
                outcomes.append(self._record(line, number))
            except LoaderError as exc:
                outcomes.append(exc)
        outcomes += [error for number, error in too_long.items() if number > len(lines)]
        if not outcomes:
            raise LoaderError(Errors.E003)
        return outcomes

    def _record(self, line: str, number: int) -> LoadedText:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LoaderError(Errors.E011, line=number, reason=exc.msg) from exc
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            raise LoaderError(Errors.E012, line=number)
        labels = record.get("labels", [])
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise LoaderError(Errors.E013, line=number, reason="labels must be a string or a list of strings")
        published = record.get("published", record.get("date"))
        if published is not None:
            match = _DATE.match(str(published))
            if not match:
                raise LoaderError(Errors.E013, line=number, reason=f"unreadable date {published!r}")
            published = match.group(0)
        key = record.get("id", record.get("key"))
        extra = {k: str(v) for k, v in record.items()
                 if k not in KNOWN_FIELDS and isinstance(v, (str, int, float, bool))}
        return LoadedText(
            text=record["text"],
            format=self.format,
            title=str(record["title"]) if record.get("title") else None,
            record_key=f"{key}" if key is not None else f"line {number}",
            department=str(record["department"]) if record.get("department") else None,
            published=published,
            labels=tuple(labels),
            metadata=extra,
        )


@register("loader", "jsonl")
def _jsonl_loader(resources: object) -> JsonlLoader:
    return JsonlLoader()


def _drop_long_lines(data: bytes, limit: int) -> tuple[bytes, dict[int, LoaderError]]:
    """The bytes with each line over `limit` emptied (its number kept), and an E038 per such line;
    scanned on the bytes, before any decoding or JSON parsing."""
    if len(data) <= limit:
        return data, {}
    kept: list[bytes] = []
    errors: dict[int, LoaderError] = {}
    start, number = 0, 1
    while start <= len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > limit:
            errors[number] = LoaderError(Errors.E038, line=number, size=end - start, limit=limit)
            kept.append(b"")
        else:
            kept.append(data[start:end])
        start, number = end + 1, number + 1
    return b"\n".join(kept), errors
