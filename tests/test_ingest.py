"""Ingest: file discovery, decoding, HTML extraction, bad input."""

from __future__ import annotations

import pytest

from kg.errors import IngestError
from kg.ingest import Source, decode, discover, document_id, read_document


def _read(folder, name, **kw):
    return read_document(Source(folder / name, name), **kw)


def test_discover_recurses_and_sorts(write_docs):
    folder = write_docs({"b.txt": "x", "sub/a.md": "y", "c.html": "<p>z</p>", "skip.pdf": "no"})
    assert [s.name for s in discover([folder])] == ["b.txt", "c.html", "sub/a.md"]


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        discover([tmp_path / "nope"])


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty file"), (b"  \n\t ", "empty file"), (b"\x00\x01\x02binary", "binary")],
)
def test_bad_bytes_are_rejected_with_the_file_name(data, message):
    with pytest.raises(IngestError, match=rf"^x\.txt: .*{message}"):
        decode(data, "x.txt")


def test_cp1252_and_latin1_are_decoded():
    assert decode("Stem cells – “safe”".encode("cp1252"), "a.txt") == "Stem cells – “safe”"
    assert decode("Müller’s clinic".encode(), "b.txt") == "Müller’s clinic"
    assert decode(bytes([0x81, 0x41]), "c.txt") == "\x81A"  # not cp1252: latin-1 fallback


def test_huge_file_is_rejected(write_docs):
    folder = write_docs({"big.txt": "stem cells " * 1000})
    with pytest.raises(IngestError, match=r"big\.txt: too large"):
        _read(folder, "big.txt", max_bytes=100)


def test_html_article_text_is_extracted_without_boilerplate(write_docs):
    html = """<!doctype html><html><head><title>Cord blood for CP</title></head><body>
    <nav>Home | About | Contact</nav>
    <article><h1>Cord blood for CP</h1>
    <p>Stem cell therapy may improve motor function in children with cerebral palsy.</p>
    <p>A 2019 randomized trial published in Stem Cells Translational Medicine enrolled 91 children.</p>
    </article><footer>Copyright 2024</footer></body></html>"""
    doc = _read(write_docs({"page.html": html}), "page.html")
    assert "randomized trial" in doc.text and "Copyright" not in doc.text
    assert doc.title == "Cord blood for CP"
    assert doc.media_type == "text/html"


def test_malformed_html_without_text_is_an_error(write_docs):
    folder = write_docs({"broken.html": "<html><body><div><<<>>></div></html"})
    with pytest.raises(IngestError, match=r"broken\.html"):
        _read(folder, "broken.html")


def test_document_id_depends_on_name_and_content():
    assert document_id("a.txt", "x") == document_id("a.txt", "x")
    assert document_id("a.txt", "x") != document_id("b.txt", "x")
    assert document_id("a.txt", "x") != document_id("a.txt", "y")


def test_kind_is_inferred_with_a_reason(write_docs):
    text = (
        "Background: cerebral palsy. Methods: 30 patients were enrolled in this study. "
        "Results: participants improved. Conclusion: more research."
    )
    doc = _read(write_docs({"abs.txt": text}), "abs.txt")
    assert doc.kind == "abstract"
    assert "abstract cues" in doc.kind_reason


def test_stated_dates_are_kept(write_docs):
    doc = _read(
        write_docs({"d.txt": "Cord blood news\n\nPublished on March 3, 2021\n\nStem cells may help."}),
        "d.txt",
    )
    assert doc.date == "2021-03-03"
