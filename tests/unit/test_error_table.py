"""The one error convention (core/errors.py): catalogues, codes, raise sites, and the README's table."""
from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from core.errors import GovKGError, family_of
from tools.error_table import README, current_block, families, main, scan, table


def test_every_package_has_one_catalogue_with_codes_of_its_own_letter():
    found = families()
    assert [f.__name__ for f in found] == ["ExtractionError", "GraphError", "OntologyError", "QaError", "AuthError",
                                           "QueryError"]
    letters = []
    for family in found:
        members = family.catalogue.__members__
        # an entry whose message repeats another's would be an alias of it and raise with the other's code
        assert len(members) == len(list(family.catalogue)), f"{family.__name__}: two entries with one message"
        letter = {code[0] for code in members}
        assert len(letter) == 1, f"{family.__name__}: codes of several letters {sorted(letter)}"
        assert all(re.fullmatch(r"[A-Z]\d{3}", code) for code in members), sorted(members)
        letters.append(letter.pop())
    assert len(set(letters)) == len(letters), letters


def test_every_code_is_unique_across_packages():
    codes = [entry.name for family in families() for entry in family.catalogue]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)


def test_every_raise_site_names_an_entry_of_its_class_family():
    sites = scan()
    assert sites.wrong == []
    assert sites.classes  # the scan sees the raise sites
    for code, classes in sites.classes.items():
        for cls in classes:
            assert code in family_of(cls).catalogue.__members__, (code, cls)


def test_readme_table_is_current():
    assert current_block(README.read_text(encoding="utf-8")) == table(), \
        "the README's error table is stale: run `.venv/bin/python -m tools.error_table`"


def test_check_fails_on_a_stale_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    readme = tmp_path / "README.md"
    text = README.read_text(encoding="utf-8")
    readme.write_text(text.replace("| G002 |", "| G002 (old) |"), encoding="utf-8")
    assert main(["--check", "--readme", str(readme)]) == 1
    assert "stale" in capsys.readouterr().err
    assert main(["--readme", str(readme)]) == 0  # rewritten
    assert readme.read_text(encoding="utf-8") == text
    assert main(["--check", "--readme", str(readme)]) == 0


def test_an_error_carries_its_code_and_message():
    from extraction.errors import Errors as ExtractionErrors
    from extraction.errors import LoaderError
    from graph.errors import Errors, NotFound, StoreUnavailable

    error = NotFound(Errors.G002, kind="entity", id="ent_1")
    assert isinstance(error, GovKGError)
    assert (error.code, error.message) == ("G002", "no entity with id 'ent_1'")
    assert str(error) == "[G002] no entity with id 'ent_1'"
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is NotFound and (back.code, back.message, str(back)) == (error.code, error.message, str(error))
    # extraction's message keeps the code in front, as the import reports carry it
    loader = LoaderError(ExtractionErrors.E002)
    assert loader.message == str(loader) == "[E002] the file is empty" and loader.code == "E002"
    with pytest.raises(TypeError):
        StoreUnavailable("a message instead of a catalogue entry")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        NotFound(ExtractionErrors.E030, path="x")  # another package's entry


def test_rdf_format_error_keeps_where_it_failed():
    from ontology.errors import Errors, RdfFormatError

    error = RdfFormatError(Errors.O010, name="a.ttl", format="turtle", reason="line 3, column 2: bad", path="a.ttl",
                           line=3, column=2)
    back = pickle.loads(pickle.dumps(error))
    assert str(back) == "[O010] a.ttl is not valid turtle: line 3, column 2: bad"
    assert (back.path, back.line, back.column) == ("a.ttl", 3, 2)
