"""Loaders: every format on a real excerpt, every failure mode with its code."""
from __future__ import annotations

from pathlib import Path

import pytest

from extraction.errors import LoaderError
from extraction.loaders import LoadedText, load_bytes, load_file

LIMIT = 10_000_000


def one(path: Path) -> LoadedText:
    outcomes = load_file(path, LIMIT)
    assert len(outcomes) == 1 and isinstance(outcomes[0], LoadedText)
    return outcomes[0]


def test_txt_utf8(docs_dir: Path):
    loaded = one(docs_dir / "2003_bush_excerpt.txt")
    assert loaded.format == "txt" and loaded.metadata["encoding"] == "utf-8"
    assert "the Department of\nDefense" not in loaded.text  # text kept as written
    assert "Department of Defense to develop" in loaded.text


def test_latin1_text_is_detected_and_decoded(docs_dir: Path):
    loaded = one(docs_dir / "2020_trump_latin1.txt")
    assert "Juan Guaidó" in loaded.text
    assert loaded.metadata["encoding"].lower().replace("_", "-") in {"latin-1", "iso-8859-1", "cp1252", "windows-1252"}


def test_markdown_title_from_heading(docs_dir: Path):
    loaded = one(docs_dir / "2021_biden_excerpt.md")
    assert loaded.title == "State of the Union 2021 (excerpt)"
    assert "DARPA" in loaded.text


def test_html_visible_text_only(docs_dir: Path):
    loaded = one(docs_dir / "1989_bush_excerpt.html")
    assert loaded.title == "State of the Union 1989 (excerpt)"
    assert "Department of Defense" in loaded.text
    assert "tracking" not in loaded.text and "margin" not in loaded.text


def test_pdf_text_layer_and_title(docs_dir: Path):
    loaded = one(docs_dir / "2017_trump_excerpt.pdf")
    assert loaded.title == "State of the Union 2017, excerpt"
    assert "Department of Homeland Security" in " ".join(loaded.text.split())
    assert loaded.metadata["pages"] == "1"


def test_docx_paragraphs_and_title(docs_dir: Path):
    loaded = one(docs_dir / "2020_trump_excerpt.docx")
    assert loaded.title == "State of the Union 2020 (excerpt)"
    assert "Senator Chuck Grassley of Iowa" in loaded.text


def test_jsonl_good_records_survive_bad_lines(docs_dir: Path):
    outcomes = load_file(docs_dir / "speeches.jsonl", LIMIT)
    good = [o for o in outcomes if isinstance(o, LoadedText)]
    bad = [o for o in outcomes if isinstance(o, LoaderError)]
    assert [g.record_key for g in good] == ["sotu-2010-p1", "sotu-2003-p2"]
    assert good[0].department == "Executive Office of the President"
    assert good[0].published == "2010-01-27" and good[0].labels == ("public",)
    assert good[1].labels == ("public",) and good[1].metadata == {"speaker": "George W. Bush"}
    assert [b.code for b in bad] == ["E011", "E012"]
    assert "line 2" in bad[0].message and "line 3" in bad[1].message


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("empty.txt", "E002"),
        ("blank.md", "E003"),
        ("binary.txt", "E004"),
        ("corrupt.pdf", "E007"),
        ("corrupt.docx", "E010"),
        ("scan.png", "E001"),
    ],
)
def test_bad_files_raise_coded_errors(bad_dir: Path, name: str, code: str):
    with pytest.raises(LoaderError) as info:
        load_file(bad_dir / name, LIMIT)
    assert info.value.code == code
    assert info.value.message.startswith(f"[{code}]")


def test_oversized_file_is_refused_before_reading(tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_text("The Congress shall assemble. " * 100, encoding="utf-8")
    with pytest.raises(LoaderError) as info:
        load_file(big, 1000)
    assert info.value.code == "E005" and "1000-byte limit" in info.value.message


def test_missing_file(tmp_path: Path):
    with pytest.raises(LoaderError) as info:
        load_file(tmp_path / "nope.txt", LIMIT)
    assert info.value.code == "E030"


def test_encrypted_pdf_is_reported(docs_dir: Path, tmp_path: Path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(docs_dir / "2017_trump_excerpt.pdf"))
    writer.encrypt("secret")
    target = tmp_path / "locked.pdf"
    with target.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(LoaderError) as info:
        load_file(target, LIMIT)
    assert info.value.code == "E008"


def test_utf16_with_bom_is_decoded():
    text = "The Department of Defense and the FBI."
    outcomes = load_bytes(text.encode("utf-16"), "notice.txt", LIMIT)
    assert outcomes[0].text == text
