"""The worker step's shortcuts write exactly what the pyoxigraph/rdflib route they replace wrote."""

from __future__ import annotations

from dataclasses import asdict, replace

import pyoxigraph as ox
import pytest

from kg.analyse import ClaimRecord
from kg.assemble import assemble, assemble_triples, doc_iri, graph_iri
from kg.extract import extract_document
from kg.ingest import discover, read_document
from kg.namespaces import XSD
from kg.paths import BUNDLED_CORPUS
from kg.stores.cache import split_document_lines, split_triples
from kg.stores.ntriples import literal, nquads
from kg.workers import RecordReader, _record

TRICKY = [
    "",
    "plain",
    'say "hi"',
    "back\\slash \\n not a newline",
    "line\nbreak\r\nand\ttab",
    "\b\f\v\x00\x01\x1f\x7f\x80\x9f",
    "".join(chr(c) for c in range(0x20)),
    "café – ≥ 10⁶ cells/kg, 幹細胞, 🧬",
    "line\u2028separator\u2029paragraph\u0085next\ufeffbom",
    "ends with a backslash\\",
]


@pytest.fixture(scope="module")
def extractions():
    return [extract_document(read_document(s)) for s in discover([BUNDLED_CORPUS])]


def test_literals_and_nquads_are_written_as_pyoxigraph_writes_them():
    s, p, g = "urn:s", "urn:p", "urn:g"
    values: list[str | int | bool] = [*TRICKY, 0, 7, -3, 10**30, True, False]
    terms = [ox.Literal(v) for v in TRICKY] + [
        ox.Literal(str(v), datatype=ox.NamedNode(XSD + "integer")) for v in (0, 7, -3, 10**30)
    ]
    terms += [ox.Literal(v, datatype=ox.NamedNode(XSD + "boolean")) for v in ("true", "false")]
    triples = [f"<{s}> <{p}> {literal(v)}" for v in values] + [f"<{s}> <{p}> <urn:o>"]
    terms.append(ox.NamedNode("urn:o"))
    expected = ox.serialize(
        [ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(g)) for o in terms],
        format=ox.RdfFormat.N_QUADS,
    )
    assert nquads(triples, g) == expected
    assert nquads([], g) == b""


def test_assembled_triples_read_back_and_serialise_to_the_same_bytes(extractions):
    for x in extractions:
        graph = graph_iri(x.document.doc_id)
        written = nquads(assemble_triples(x, pipeline="p"), graph)
        assert ox.serialize(assemble(x, pipeline="p"), format=ox.RdfFormat.N_QUADS) == written


def test_split_triples_equals_splitting_the_n_triples(extractions):
    for x in extractions:
        triples = assemble_triples(x)
        nt = ("".join(f"{t} .\n" for t in triples)).encode()
        iri = doc_iri(x.document.doc_id)
        assert split_triples(triples, iri) == split_document_lines(nt, iri)
    assert split_triples([], "urn:d") == (b"", b"")


def test_records_need_only_the_reader_vocabulary(extractions):
    reader, whole = RecordReader(), RecordReader(predicates=None)
    assert len(reader.vocabulary) < len(whole.vocabulary)
    topics = 0
    for x in extractions:
        graph_nquads = nquads(assemble_triples(x), graph_iri(x.document.doc_id))
        records = reader.read(graph_nquads)
        assert records == whole.read(graph_nquads)
        topics += sum(bool(d["topic_cell"] or d["topic_condition"]) for d in records["docs"])
    assert topics  # the vocabulary join was exercised


def test_records_are_the_fields_as_asdict_gives_them():
    record = ClaimRecord("urn:c", "urn:d", "q", "efficacy", True, "r", False, False, cites=["urn:s"])
    assert _record(record) == asdict(record)
    assert list(_record(record)) == list(asdict(record))


def test_a_dated_document_gets_an_xsd_date(extractions):
    x = replace(extractions[0], document=replace(extractions[0].document, date="2021-03-04"))
    dates = [q.object for q in assemble(x) if q.predicate.value.endswith("/date")]
    assert dates == [ox.Literal("2021-03-04", datatype=ox.NamedNode(XSD + "date"))]
