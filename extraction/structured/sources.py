"""Reading records files: YAML, JSON, CSV and TSV, with the checks every file gets."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import read_file
from extraction.structured.mapping import SUFFIX_FORMATS, RecordsSpec
from extraction.structured.templates import ABSENT, lookup

try:
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _YamlLoader = yaml.SafeLoader  # type: ignore[misc]


def file_format(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LoaderError(Errors.E001, suffix=path.suffix or path.name, supported=", ".join(sorted(SUFFIX_FORMATS)))
    return fmt


def read_bytes(path: Path, max_bytes: int) -> bytes:
    data = read_file(path, max_bytes)
    if not data:
        raise LoaderError(Errors.E002)
    if not data.strip():
        raise LoaderError(Errors.E003)
    return data


def parse(data: bytes, fmt: str) -> Any:
    """The parsed file: YAML/JSON values, or a list of row dicts for CSV/TSV (E006, E044)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(Errors.E006, reason=str(exc)) from exc
    try:
        if fmt == "yaml":
            return yaml.load(text, Loader=_YamlLoader)
        if fmt == "json":
            return json.loads(text)
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ",", strict=True)
        rows = []
        for row in reader:
            if None in row:
                raise csv.Error(f"line {reader.line_num}: more fields than the header has")
            rows.append({k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items()})
        return rows
    except yaml.YAMLError as exc:
        raise LoaderError(Errors.E044, format=fmt, reason=" ".join(str(exc).split())) from exc
    except json.JSONDecodeError as exc:
        raise LoaderError(Errors.E044, format=fmt, reason=str(exc)) from exc
    except csv.Error as exc:
        raise LoaderError(Errors.E044, format=fmt, reason=str(exc)) from exc


def records_of(data: Any, spec: RecordsSpec) -> list[Any]:
    """The records at the spec's path: a list, or key/value pairs of a mapping (E045)."""
    where = spec.path or "(top level)"
    value = lookup(spec.path.split("."), data, {}) if spec.path else data
    if spec.items:
        if not isinstance(value, dict):
            raise LoaderError(Errors.E045, path=where, reason=f"expected a mapping (items: true), found {_kind(value)}")
        records: list[Any] = [{"key": str(k), "value": v} for k, v in value.items()]
    else:
        if not isinstance(value, list):
            raise LoaderError(Errors.E045, path=where, reason=f"expected a list, found {_kind(value)}")
        records = value
    if not records:
        raise LoaderError(Errors.E045, path=where, reason="the list is empty")
    return records


def _kind(value: Any) -> str:
    if value is None or value is ABSENT:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string"}.get(type(value), type(value).__name__)
