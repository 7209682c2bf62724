"""The SPARQL 1.1 Protocol endpoint (`kg serve`), exercised with a real client (SPARQLWrapper)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.errors import StoreError
from kg.namespaces import ID
from kg.query import QueryResult
from kg.serve import make_server, negotiate, parse_accept, serve_in_thread

DOC_KINDS = (
    "PREFIX hckg: <https://w3id.org/hckg/ontology#>\n"
    "SELECT ?doc ?kind WHERE { ?doc hckg:kind ?kind } ORDER BY ?doc"
)
EXPECTED_KINDS = [
    (f"{ID}doc/015eb35539656c03", "clinic-marketing"),
    (f"{ID}doc/57ef8105cf8627b2", "abstract"),
    (f"{ID}doc/971c46ae0af5ff87", "clinic-marketing"),
    (f"{ID}doc/a54e9e4fa394647a", "blog"),
    (f"{ID}doc/dbdb9eb3b9476fe1", "abstract"),
]


@pytest.fixture(scope="module")
def endpoint(built_out):
    server = make_server(built_out, "127.0.0.1", 0, timeout=60)
    thread = serve_in_thread(server)
    yield server.url
    server.shutdown()
    server.server_close()
    thread.join(5)


def client(url, fmt=JSON, method=None):
    sparql = SPARQLWrapper(url)
    sparql.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        sparql.setMethod(POST)
        sparql.setRequestMethod(POSTDIRECTLY)
    elif method:
        sparql.setMethod(method)
    return sparql


def fetch(url, data=None, headers=None):
    """(status, content type, body) without raising on HTTP errors."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def query_url(url, query, **params):
    return f"{url}?{urllib.parse.urlencode({'query': query, **params})}"


def test_get_json(endpoint):
    sparql = client(endpoint)
    sparql.setQuery(DOC_KINDS)
    data = sparql.queryAndConvert()
    assert data["head"]["vars"] == ["doc", "kind"]
    rows = [(b["doc"]["value"], b["kind"]["value"]) for b in data["results"]["bindings"]]
    assert rows == EXPECTED_KINDS


def test_post_form_json_named_query(endpoint):
    from kg.query import load_named_queries

    sparql = client(endpoint, JSON, POST)
    sparql.setQuery(load_named_queries()["contradictions"].text)
    data = sparql.queryAndConvert()
    claims = {b["claim"]["value"] for b in data["results"]["bindings"]}
    assert claims == {
        f"{ID}doc/971c46ae0af5ff87/claim/2121-2260",
        f"{ID}doc/971c46ae0af5ff87/claim/5228-5395",
    }


def test_post_sparql_query_body_csv(endpoint):
    sparql = client(endpoint, CSV, POSTDIRECTLY)
    sparql.setQuery(DOC_KINDS)
    body = sparql.queryAndConvert()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["doc", "kind"]
    assert [tuple(r) for r in rows[1:]] == EXPECTED_KINDS


def test_get_csv(endpoint):
    sparql = client(endpoint, CSV)
    sparql.setQuery(DOC_KINDS)
    rows = list(csv.reader(io.StringIO(sparql.queryAndConvert().decode("utf-8"))))
    assert [tuple(r) for r in rows[1:]] == EXPECTED_KINDS


def test_ask_json_and_xml(endpoint):
    sparql = client(endpoint)
    sparql.setQuery('PREFIX hckg: <https://w3id.org/hckg/ontology#> ASK { ?d hckg:kind "blog" }')
    assert sparql.queryAndConvert()["boolean"] is True
    sparql = client(endpoint, XML)
    sparql.setQuery('ASK { ?d <https://w3id.org/hckg/ontology#kind> "news" }')
    dom = sparql.queryAndConvert()
    assert dom.getElementsByTagName("boolean")[0].firstChild.data == "false"


def test_construct_turtle(endpoint):
    sparql = client(endpoint, TURTLE)
    sparql.setQuery("CONSTRUCT { ?doc hckg:kind ?kind } WHERE { ?doc hckg:kind ?kind }")
    graph = sparql.queryAndConvert()
    if isinstance(graph, bytes):  # SPARQLWrapper returns Turtle as bytes
        graph = rdflib.Graph().parse(data=graph.decode("utf-8"), format="turtle")
    kinds = {(str(s), str(o)) for s, _, o in graph}
    assert kinds == set(EXPECTED_KINDS)


def test_content_negotiation_over_http(endpoint):
    url = query_url(endpoint, DOC_KINDS)
    status, ctype, body = fetch(url, headers={"Accept": "text/tab-separated-values"})
    assert (status, ctype) == (200, "text/tab-separated-values; charset=utf-8")
    assert body.splitlines()[0] == "?doc\t?kind"
    status, ctype, body = fetch(url, headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert ctype == "application/sparql-results+xml" and "<sparql" in body
    status, ctype, _ = fetch(url)  # no Accept header: JSON
    assert ctype == "application/sparql-results+json"
    status, ctype, body = fetch(
        query_url(endpoint, "CONSTRUCT WHERE { ?d hckg:kind ?k }"), headers={"Accept": "*/*"}
    )
    assert ctype == "text/turtle; charset=utf-8" and "hckg:kind" in body
    status, ctype, body = fetch(
        query_url(endpoint, "CONSTRUCT WHERE { ?d hckg:kind ?k }"),
        headers={"Accept": "application/n-triples"},
    )
    assert ctype == "application/n-triples; charset=utf-8" and len(body.splitlines()) == 5
    status, _, body = fetch(url, headers={"Accept": "image/png"})
    assert status == 406 and "text/csv" in body


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("SELECT ?x WHERE {\n ?x ?p }", 400, "SPARQL syntax error at line 2"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 400, "SERVICE is disabled"),
        ("DELETE WHERE { ?s ?p ?o }", 400, "SPARQL Update is not allowed"),
    ],
)
def test_bad_queries_are_400_with_a_message(endpoint, query, status, message):
    code, ctype, body = fetch(query_url(endpoint, query))
    assert (code, ctype) == (status, "text/plain; charset=utf-8")
    assert message in body


def test_sparqlwrapper_sees_bad_query(endpoint):
    sparql = client(endpoint)
    sparql.setQuery("SELECT ?x WHERE { ?x }")
    with pytest.raises(QueryBadFormed, match="syntax error"):
        sparql.queryAndConvert()


def test_update_requests_are_refused(endpoint):
    form = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
    code, _, body = fetch(endpoint, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert code == 400 and "read-only" in body
    code, _, body = fetch(endpoint, data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert code == 400 and "read-only" in body
    code, _, _ = fetch(endpoint, data=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert code == 415


def test_other_paths_and_usage(endpoint):
    base = endpoint.rsplit("/", 1)[0]
    code, _, body = fetch(f"{base}/nothing-here")
    assert code == 404 and "/sparql" in body
    code, _, body = fetch(endpoint)
    assert code == 200 and "read-only" in body


def test_concurrent_requests(endpoint):
    from concurrent.futures import ThreadPoolExecutor

    url = query_url(endpoint, DOC_KINDS)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: fetch(url, headers={"Accept": "text/csv"}), range(12)))
    assert {code for code, _, _ in answers} == {200}
    assert len({body for _, _, body in answers}) == 1  # every worker sees the same graph


def test_timeout_is_503(built_out):
    server = make_server(built_out, "127.0.0.1", 0, timeout=1)
    thread = serve_in_thread(server)
    try:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        code, _, body = fetch(query_url(server.url, slow))
        assert code == 503 and "stopped after 1 s" in body
        code, _, body = fetch(query_url(server.url, "ASK { ?s ?p ?o }"))  # a fresh worker answers
        assert code == 200 and json.loads(body)["boolean"] is True
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_make_server_needs_a_store(tmp_path):
    with pytest.raises(StoreError, match="no graph built here"):
        make_server(tmp_path, "127.0.0.1", 0)


def test_parse_accept_and_negotiate():
    assert parse_accept("text/csv;q=0.5, application/json, */*;q=0") == [
        ("application/json", 1.0),
        ("text/csv", 0.5),
    ]
    solutions = QueryResult("solutions", b'{"head":{"vars":[]},"results":{"bindings":[]}}')
    graph = QueryResult("graph", b"")
    assert negotiate(solutions, "text/*") == ("text/csv", "csv")
    assert negotiate(solutions, None, requested="tsv") == ("text/tab-separated-values", "tsv")
    assert negotiate(graph, "application/*") == ("application/turtle", "ttl")
    assert negotiate(graph, "application/sparql-results+json", requested="json") == (
        "application/ld+json",
        "jsonld",
    )


@pytest.mark.slow
def test_kg_serve_command_answers_and_stops_on_sigterm(built_out):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--out", str(built_out), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("SPARQL endpoint: http://127.0.0.1:")
        url = line.split()[2]
        code, _, body = fetch(query_url(url, "ASK { ?c a <https://w3id.org/hckg/ontology#Claim> }"))
        assert code == 200 and json.loads(body)["boolean"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
