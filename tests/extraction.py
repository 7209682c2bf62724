"""Helpers for tests of extraction on short documents: write one, extract it, pick out its
claims and studies by their words."""

from __future__ import annotations

from kg.extract import extract_document
from kg.ingest import Source, read_document


def read(write_docs, text: str, name: str = "doc.txt"):
    folder = write_docs({name: text})
    return read_document(Source(folder / name, name))


def extract(write_docs, text: str, name: str = "doc.txt"):
    return extract_document(read(write_docs, text, name))


def study_in(x, words: str):
    return next(s for s in x.studies if words in s.evidence.sentence.text)


def own_study(x):
    """The (first) study the document reports itself."""
    return next(s for s in x.studies if s.self_report)


def claim_in(x, words: str):
    return next((c for c in x.claims if words in c.evidence.sentence.text), None)
