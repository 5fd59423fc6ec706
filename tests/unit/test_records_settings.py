"""Records (stable ids, name normalization, validation) and the settings object."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import load_settings
from extraction.records import Document, document_id, entity_id, fact_id, normalize_name


def test_document_id_ignores_line_endings_and_trailing_space():
    text = "The Congress shall assemble.\nThe FBI is improving its ability to analyze intelligence."
    assert document_id(text) == document_id(text.replace("\n", "\r\n") + "  \n")
    assert document_id(text) != document_id(text + " Again.")
    assert document_id(text).startswith("doc_")


def test_other_ids_are_stable():
    assert entity_id("agency:DOD") == entity_id("agency:DOD") != entity_id("agency:DOE")
    assert fact_id("a", "headOf", "b") != fact_id("b", "headOf", "a")


@pytest.mark.parametrize(
    ("name", "norm"),
    [
        ("The Department of Defense", "department of defense"),
        ("Department  of\nDefense", "department of defense"),
        ("America’s Army", "america army"),
        ("U.S. Department of State", "u s department of state"),
        ("Health & Human Services", "health and human services"),
        ("Guaidó", "guaidó"),
    ],
)
def test_normalize_name(name: str, norm: str):
    assert normalize_name(name) == norm


def test_published_must_be_an_iso_date():
    base = {"id": "doc_x", "text": "t", "title": "t", "source_path": "p", "source_name": "p", "format": "txt"}
    assert Document(**base, published="2003-01").published == "2003-01"
    with pytest.raises(ValidationError):
        Document(**base, published="January 2003")


def test_settings_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in [n for n in os.environ if n.startswith("GOVKG_")]:  # make test sets some
        monkeypatch.delenv(name)
    config = tmp_path / "govkg.toml"
    config.write_text('data_dir = "/srv/govkg"\nstore = "sqlite"\n[neo4j]\nbatch_size = 500\nuser = "file-user"\n')
    monkeypatch.setenv("GOVKG_NEO4J__USER", "env-user")
    settings = load_settings(config)
    assert settings.data_dir == Path("/srv/govkg")
    assert settings.neo4j.batch_size == 500  # from the file
    assert settings.neo4j.user == "env-user"  # env beats file
    assert load_settings(config, store="sqlite:///x.db").store == "sqlite:///x.db"  # explicit beats both
    assert settings.sqlite_path == Path("/srv/govkg/govkg.sqlite3")


def test_settings_reject_unknown_keys_and_missing_file(tmp_path: Path):
    config = tmp_path / "bad.toml"
    config.write_text("colour = 'blue'\n")
    with pytest.raises(ValidationError):
        load_settings(config)
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "absent.toml")
