"""Build: store, exports, determinism, incremental updates and bad input."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.build import build
from kg.cli import main
from kg.store import GraphStore

MINI = Path(__file__).parent / "data" / "mini"


def test_bundled_corpus_builds_with_one_graph_per_document(built_out):
    store = GraphStore(built_out, read_only=True)
    docs = store.documents()
    assert len(docs) == 5
    graphs = {str(g.value) for g in store.store.named_graphs()}
    assert {d.graph for d in docs.values()} <= graphs
    assert (built_out / "kg.ttl").stat().st_size > 10_000


def test_turtle_export_parses_and_matches_the_store(built_out):
    g = Graph().parse(built_out / "kg.ttl")
    store = GraphStore(built_out, read_only=True)
    distinct = {(q.subject, q.predicate, q.object) for q in store.quads()}
    assert len(g) == len(distinct)


def test_same_input_gives_identical_output(tmp_path):
    a = build([MINI], tmp_path / "a", exports=("ttl", "nt"))
    b = build([MINI], tmp_path / "b", exports=("ttl", "nt"))
    assert a.triples == b.triples
    assert (tmp_path / "a" / "kg.nt").read_bytes() == (tmp_path / "b" / "kg.nt").read_bytes()
    assert isomorphic(Graph().parse(tmp_path / "a" / "kg.ttl"), Graph().parse(tmp_path / "b" / "kg.ttl"))


def test_other_export_formats(tmp_path):
    report = build([MINI], tmp_path, exports=("trig", "jsonld"))
    assert {p.name for p in report.exports} == {"kg.trig", "kg.jsonld"}
    ds = Dataset()
    ds.parse(tmp_path / "kg.trig", format="trig")
    assert len(list(ds.graphs())) > 3


def test_incremental_build_replaces_changed_and_removes_missing_documents(write_docs, tmp_path):
    folder = write_docs(
        {
            "a.txt": "Umbilical cord MSCs may improve walking in children with cerebral palsy.",
            "b.txt": "A 2019 randomized trial published in Neurology treated 40 children with cord blood.",
        }
    )
    out = tmp_path / "out"
    first = build([folder], out)
    assert sorted(first.built) == ["a.txt", "b.txt"]
    again = build([folder], out)
    assert again.built == [] and sorted(again.unchanged) == ["a.txt", "b.txt"]

    (folder / "a.txt").write_text("Bone marrow cells are safe for every child.", encoding="utf-8")
    (folder / "b.txt").unlink()
    third = build([folder], out)
    assert third.built == ["a.txt"] and third.removed == ["b.txt"]
    store = GraphStore(out, read_only=True)
    assert set(store.documents()) == {"a.txt"}
    quotes = {
        r["q"].value for r in store.query("SELECT ?q WHERE { ?c <https://w3id.org/hckg/ontology#quote> ?q }")
    }
    assert all("Umbilical" not in q and "randomized" not in q for q in quotes)


def test_a_bad_file_does_not_stop_the_rest_or_touch_the_store(write_docs, tmp_path):
    folder = write_docs({"good.txt": "Stem cells may improve speech in cerebral palsy."})
    out = tmp_path / "out"
    build([folder], out)
    before = sorted(str(q) for q in GraphStore(out, read_only=True).quads())
    ttl_before = (out / "kg.ttl").read_bytes()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 10)
    (folder / "good.txt").write_bytes(b"")  # an existing document turns bad: keep its old graph
    report = build([folder], out)
    assert len(report.errors) == 3
    assert any(e.startswith("binary.txt: binary file") for e in report.errors)
    after = sorted(str(q) for q in GraphStore(out, read_only=True).quads())
    assert after == before
    assert (out / "kg.ttl").read_bytes() == ttl_before


def test_provenance_offsets_point_at_the_quote(built_out):
    store = GraphStore(built_out, read_only=True)
    texts = {
        d.name: (Path(__file__).parents[1] / "kg" / "corpus" / d.name).read_text()
        for d in store.documents().values()
    }
    q = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX hckg: <https://w3id.org/hckg/ontology#>
           PREFIX prov: <http://www.w3.org/ns/prov#>
           SELECT ?name ?s ?e ?exact WHERE { ?c a hckg:Claim ; prov:wasDerivedFrom ?d ; oa:hasSelector ?sel .
             ?sel oa:start ?s ; oa:end ?e ; oa:exact ?exact . ?d hckg:fileName ?name }"""
    rows = list(store.query(q))
    assert len(rows) > 50
    for r in rows:
        text = texts[r["name"].value]
        assert text[int(r["s"].value) : int(r["e"].value)] == r["exact"].value


def test_cli_build_reports_errors_with_exit_code(write_docs, tmp_path):
    folder = write_docs({"ok.txt": "Stem cells may help.", "bad.txt": b"\x00\x00\x00"})
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(tmp_path / "o"), "--no-views"])
    assert result.exit_code == 2
    assert "error: bad.txt: binary file" in result.output
    assert "1 documents (1 built" in result.output


def test_cli_build_on_a_locked_store_fails_cleanly(tmp_path):
    out = tmp_path / "o"
    build([MINI], out, exports=())
    holder = ox.Store(str(out / "store"))  # another process/user holds the store
    result = CliRunner().invoke(main, ["build", str(MINI), "--out", str(out), "--no-views"])
    del holder
    assert result.exit_code == 1
    assert "cannot open the store" in result.output


def test_pipeline_fingerprint_follows_extraction_data_only(tmp_path, monkeypatch):
    """Editing what extraction reads re-extracts; editing shapes, the OWL file or grading rules
    does not (they are re-checked or re-graded instead)."""
    import shutil

    from kg.build import pipeline_fingerprint
    from kg.paths import ontology_dir

    copy = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), copy)
    monkeypatch.setenv("KG_ONTOLOGY", str(copy))
    before = pipeline_fingerprint()
    for name in ("shapes.ttl", "kg.ttl", "grading.ttl"):
        with (copy / name).open("a", encoding="utf-8") as f:
            f.write("\n# edited\n")
    assert pipeline_fingerprint() == before
    with (copy / "gazetteer.ttl").open("a", encoding="utf-8") as f:
        f.write("\n# edited\n")
    assert pipeline_fingerprint() != before


def test_no_change_rebuild_keeps_views_and_count_and_a_change_refreshes_them(write_docs, tmp_path):
    """A re-run over an unchanged corpus rewrites nothing (views, exports) and reports the same
    quad count without recounting; a changed document refreshes views and count."""
    from click.testing import CliRunner

    from kg.cli import main

    folder = write_docs({"a.txt": "Umbilical cord MSCs may improve walking in children with cerebral palsy."})
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["build", str(folder), "--out", str(out), "--format", "json"])
    assert first.exit_code == 0, first.output
    overview = out / "views" / "overview.html"
    stamp = overview.stat().st_mtime_ns
    again = runner.invoke(main, ["build", str(folder), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert f"up to date: {overview}" in again.output and overview.stat().st_mtime_ns == stamp
    quads = len(GraphStore(out, read_only=True))
    assert f"{quads:,} quads" in again.output

    (folder / "b.txt").write_text(
        "A 2019 randomized trial treated 40 children with cord blood.", encoding="utf-8"
    )
    third = runner.invoke(main, ["build", str(folder), "--out", str(out)])
    assert third.exit_code == 0, third.output
    assert f"wrote {overview}" in third.output and "randomized" in overview.read_text(encoding="utf-8")
    assert f"{len(GraphStore(out, read_only=True)):,} quads" in third.output


def test_ntriples_terms_are_written_as_pyoxigraph_writes_them():
    from kg.stores.ntriples import line, literal

    for value in [
        "plain",
        'a "quote"',
        "back\\slash",
        "new\nline\r\t",
        "ctl\x01\x1f\x7f",
        "é ü 中",
        "",
        0,
        -3,
        True,
    ]:
        assert literal(value) == str(ox.Literal(value))
    iri = "https://example.org/s"
    assert (
        line(iri, iri, literal("x"))
        == str(ox.Triple(ox.NamedNode(iri), ox.NamedNode(iri), ox.Literal("x"))) + " ."
    )
