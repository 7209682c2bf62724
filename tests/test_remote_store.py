"""A SPARQL endpoint as the store: build, report, query, serve and views against a real Oxigraph
server on 127.0.0.1 give what they give on the embedded store."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.build import build
from kg.cli import main
from kg.errors import QueryError, StoreError
from kg.report import Filters, run_report
from kg.store import STORE_POINTER, GraphStore, open_store
from kg.stores.remote import RemoteStore, parse_store_url

MINI = Path(__file__).parent / "data" / "mini"


def _oxigraph() -> str | None:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    return found if Path(found).is_file() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """URL of an Oxigraph server with an empty store (skipped when the binary is missing)."""
    binary = _oxigraph()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oxigraph server did not start on {url}")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def remote_out(endpoint, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("remote-out")
    result = CliRunner().invoke(
        main, ["build", str(MINI), "--out", str(out), "--store", endpoint, "--no-views"]
    )
    assert result.exit_code == 0, result.output
    assert f"quads in {endpoint}" in result.output
    return out


@pytest.fixture(scope="module")
def local_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local-out")
    build([MINI], out, exports=("ttl",), jobs=1)
    return out


def test_build_records_the_endpoint_and_keeps_no_local_store(remote_out, endpoint):
    assert json.loads((remote_out / STORE_POINTER).read_text())["url"] == endpoint
    assert not (remote_out / "store").exists()
    store = GraphStore(remote_out, read_only=True)
    assert isinstance(store, RemoteStore) and store.url == endpoint
    assert sorted(store.documents()) == ["clinic_page.md", "review_note.txt", "trial_abstract.txt"]


def test_remote_graph_equals_the_embedded_graph(remote_out, local_out):
    remote = Graph().parse(remote_out / "kg.ttl")
    local = Graph().parse(local_out / "kg.ttl")
    assert len(remote) == len(local) > 1000
    assert isomorphic(remote, local)
    assert len(GraphStore(remote_out, read_only=True)) == len(GraphStore(local_out, read_only=True))


def test_report_against_the_endpoint(remote_out, local_out):
    remote = run_report(remote_out, "unsupported", Filters())
    local = run_report(local_out, "unsupported", Filters())
    assert remote == local and len(remote) > 3
    result = CliRunner().invoke(main, ["report", "summary", "--out", str(remote_out), "--format", "json"])
    assert result.exit_code == 0, result.output
    local_summary = CliRunner().invoke(
        main, ["report", "summary", "--out", str(local_out), "--format", "json"]
    )
    assert json.loads(result.output) == json.loads(local_summary.output)


def _query_rows(out: Path, *args: str) -> list[tuple[str, ...]]:
    result = CliRunner().invoke(main, ["query", *args, "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return sorted(
        tuple(row.get(v, {}).get("value", "") for v in data["head"]["vars"])
        for row in data["results"]["bindings"]
    )


@pytest.mark.parametrize(
    "args",
    [
        ("unsupported-claims",),
        ("unsupported-claims", "--param", "reason=anecdote"),
        ("studies-by-design",),
        ("contradictions",),
        ("SELECT ?doc ?title WHERE { ?doc a hckg:Document ; dct:title ?title }",),
    ],
    ids=["named", "named-with-param", "studies", "contradictions", "inline"],
)
def test_kg_query_against_the_endpoint(remote_out, local_out, args):
    """`kg query` sends the checked query to the endpoint and gives the embedded store's answer."""
    remote = _query_rows(remote_out, *args)
    assert remote == _query_rows(local_out, *args) and remote


def test_kg_query_store_option_and_safety_on_the_endpoint(remote_out, endpoint, tmp_path):
    # --store points at the endpoint from any folder; the read-only rules still apply
    assert _query_rows(tmp_path, "testimonials", "--store", endpoint) == _query_rows(
        remote_out, "testimonials"
    )
    runner = CliRunner()
    update = runner.invoke(main, ["query", "DELETE WHERE { ?s ?p ?o }", "--store", endpoint])
    assert update.exit_code != 0 and "Update is not allowed" in update.output
    assert len(GraphStore(remote_out, read_only=True)) > 1000  # nothing was deleted
    bad = runner.invoke(main, ["query", "SELECT ?s WHERE {\n  ?s ?p \n}", "--store", endpoint])
    assert bad.exit_code != 0 and "line 3" in bad.output and "Traceback" not in bad.output
    report = runner.invoke(main, ["report", "summary", "--store", endpoint, "--out", str(tmp_path)])
    assert report.exit_code == 0 and "claims" in report.output.lower()
    validate = runner.invoke(main, ["validate", "--store", endpoint, "--out", str(tmp_path)])
    assert validate.exit_code == 0, validate.output
    view = runner.invoke(main, ["view", "--claims", "all", "--store", endpoint, "--out", str(tmp_path)])
    assert view.exit_code == 0 and (tmp_path / "views" / "claims-all.html").stat().st_size > 1000


def test_kg_serve_in_front_of_the_endpoint(remote_out, local_out):
    """`kg serve` on an out folder whose graph is on an endpoint answers like the embedded one."""
    import threading

    from SPARQLWrapper import JSON, SPARQLWrapper

    from kg.serve import make_server

    server = make_server(remote_out, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = SPARQLWrapper(f"{server.url}")
        client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/hckg/ontology#Claim> }")
        client.setReturnFormat(JSON)
        count = int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
    finally:
        server.shutdown()
        server.server_close()
    local = GraphStore(local_out, read_only=True).query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/hckg/ontology#Claim> }"
    )
    assert count == int(next(iter(local))[0].value) > 3


def test_views_against_the_endpoint(remote_out):
    from kg.render import write_default_views

    written = write_default_views(remote_out)
    assert [p.name for p in written] == ["overview.html", "claims-unsupported.html"]
    assert all(p.stat().st_size > 1000 for p in written)


def test_incremental_rebuild_on_the_endpoint(endpoint, tmp_path):
    folder = tmp_path / "docs"
    shutil.copytree(MINI, folder)
    out = tmp_path / "out"
    first = build([folder], out, store_url=endpoint, exports=("nt",), jobs=1)
    again = build([folder], out, jobs=1)  # the recorded endpoint is used
    assert again.built == [] and not again.graded and again.store == endpoint
    (folder / "review_note.txt").write_text(
        "Stem cells cure cerebral palsy in every child.\n", encoding="utf-8"
    )
    changed = build([folder], out, jobs=1, exports=("nt",))
    assert changed.built == ["review_note.txt"] and changed.graded
    build([folder], tmp_path / "fresh", exports=("nt",), jobs=1)
    # the same graph (the server relabels the ontology's blank nodes, so compare as graphs)
    assert isomorphic(Graph().parse(out / "kg.nt"), Graph().parse(tmp_path / "fresh" / "kg.nt"))
    assert first.triples != changed.triples


def test_bulk_load_of_shards_then_query(endpoint, tmp_path):
    store = open_store(tmp_path, store_url=endpoint)
    g = "https://w3id.org/hckg/id/graph/test-shard"
    store._insert_nquads(f'<urn:a> <urn:b> "c" <{g}> .\n'.encode(), bulk=True)
    assert store.graph_ntriples(g) == b'<urn:a> <urn:b> "c" .\n'
    store.remove_graph(g)
    assert store.graph_ntriples(g) == b""


def test_query_errors_and_substitutions(remote_out):
    import pyoxigraph as ox

    store = GraphStore(remote_out, read_only=True)
    with pytest.raises(QueryError):
        store.query("SELEC nothing")
    rows = store.query(
        "SELECT ?c WHERE { ?c <https://w3id.org/hckg/ontology#claimType> ?t }",
        substitutions={ox.Variable("t"): ox.Literal("access")},
    )
    assert len(list(rows)) >= 1
    with pytest.raises(StoreError, match="read-only"):
        store.remove_graph("urn:x")


def test_unreachable_endpoint_is_a_one_line_error(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(
        main, ["build", str(MINI), "--out", str(tmp_path), "--store", url, "--no-views"]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(f"Error: cannot reach {url}")


@pytest.mark.parametrize(
    ("url", "query", "update", "graph_store"),
    [
        ("http://h:7878", "http://h:7878/query", "http://h:7878/update", "http://h:7878/store"),
        ("oxigraph+https://h/db/", "https://h/db/query", "https://h/db/update", "https://h/db/store"),
        (
            "fuseki+http://h:3030/kg",
            "http://h:3030/kg/query",
            "http://h:3030/kg/update",
            "http://h:3030/kg/data",
        ),
        (
            "graphdb+http://h:7200/repositories/kg",
            "http://h:7200/repositories/kg",
            "http://h:7200/repositories/kg/statements",
            "http://h:7200/repositories/kg/rdf-graphs/service",
        ),
        ("http://h/sparql", "http://h/sparql", "http://h/sparql", None),
        ("sparql+http://h/ds/sparql", "http://h/ds/sparql", "http://h/ds/sparql", None),
    ],
)
def test_store_urls(url, query, update, graph_store):
    e = parse_store_url(url)
    assert (e.query, e.update, e.graph_store) == (query, update, graph_store)


@pytest.mark.parametrize("url", ["ftp://h/x", "h:7878", "virtuoso+http://h/sparql"])
def test_bad_store_urls(url):
    with pytest.raises(StoreError):
        parse_store_url(url)
