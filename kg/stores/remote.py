"""A SPARQL 1.1 endpoint as the graph store: Oxigraph server, Apache Jena Fuseki, GraphDB, or any
endpoint with SPARQL Query and Update.

`RemoteStore` has the methods of the embedded `GraphStore`, so the build, grading, reports,
named queries and views run unchanged against it. Reads use the SPARQL 1.1 Protocol (results as
SPARQL JSON, parsed into pyoxigraph result objects). Writes use the Graph Store HTTP Protocol
where the server offers it (PUT/DELETE per named graph, POST of N-Quads to the dataset, with
Oxigraph's non-transactional bulk load for a fresh build) and SPARQL Update otherwise.

Store URLs (`kg build --store URL`):

    http://host:7878                      Oxigraph server (/query, /update, /store)
    oxigraph+http://host:7878             the same, explicitly
    fuseki+http://host:3030/dataset       Fuseki (/dataset/query, /dataset/update, /dataset/data);
                                          queries use urn:x-arq:UnionGraph as default graph
    graphdb+http://host:7200/repositories/kg   GraphDB (statements, rdf-graphs/service)
    sparql+http://host/sparql             any endpoint (query and update at this URL, no Graph
                                          Store Protocol; its default graph should be the union)
"""

from __future__ import annotations

import http.client
import io
import logging
import tempfile
import threading
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.store import GraphStore, recorded_store_url

log = logging.getLogger(__name__)

TIMEOUT = 600.0
UPDATE_CHUNK = 50_000  # triples per SPARQL Update request
_RESULTS = "application/sparql-results+json"
_ACCEPT_ANY = f"{_RESULTS}, application/n-triples;q=0.9"


@dataclass(frozen=True)
class Endpoints:
    """Where a server takes queries, updates and Graph Store Protocol requests."""

    flavour: str
    query: str
    update: str
    graph_store: str | None = None
    bulk_params: dict[str, str] = field(default_factory=dict)
    union: dict[str, str] = field(default_factory=dict)  # query parameters for a union default graph
    dataset_post: str | None = None  # where N-Quads can be POSTed


def parse_store_url(url: str) -> Endpoints:
    """Endpoints for a store URL (see the module docstring), or StoreError."""
    flavour, _, rest = url.partition("+") if "+" in url.split("://", 1)[0] else ("", "", url)
    parts = urllib.parse.urlsplit(rest)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreError(
            f"{url}: not a store URL (expected http(s)://host:port[/path], see `kg build --help`)"
        )
    base = rest.rstrip("/")
    path = parts.path.strip("/")
    if not flavour:
        flavour = "oxigraph" if not path else "sparql"
    if flavour == "oxigraph":
        return Endpoints(
            "oxigraph",
            f"{base}/query",
            f"{base}/update",
            f"{base}/store",
            {"no_transaction": "", "lenient": ""},
            {"union-default-graph": ""},
            f"{base}/store",
        )
    if flavour == "fuseki":
        return Endpoints(
            "fuseki",
            f"{base}/query",
            f"{base}/update",
            f"{base}/data",
            {},
            {"default-graph-uri": "urn:x-arq:UnionGraph"},
            f"{base}/data",
        )
    if flavour == "graphdb":
        return Endpoints(
            "graphdb", base, f"{base}/statements", f"{base}/rdf-graphs/service", {}, {}, f"{base}/statements"
        )
    if flavour == "sparql":
        return Endpoints("sparql", base, base)
    raise StoreError(f"{url}: unknown store type {flavour!r} (oxigraph, fuseki, graphdb or sparql)")


class _Http:
    """Keep-alive HTTP connections, one per thread (the build writes from a background thread)."""

    def __init__(self, timeout: float = TIMEOUT):
        self.timeout = timeout
        self.local = threading.local()

    def request(
        self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, bytes]:
        parts = urllib.parse.urlsplit(url)
        key = (parts.scheme, parts.netloc)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        for attempt in (1, 2):
            conn = self._connection(key)
            try:
                conn.request(method, target, body=body, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
                return response.status, response.getheader("Content-Type", ""), data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop(key)  # a stale keep-alive connection: retry once on a new one
                if attempt == 2:
                    raise StoreError(f"cannot reach {parts.scheme}://{parts.netloc}: {exc}") from exc
            except (OSError, http.client.HTTPException) as exc:
                self._drop(key)
                reason = (
                    exc.strerror
                    if isinstance(exc, OSError) and exc.strerror
                    else str(exc) or type(exc).__name__
                )
                raise StoreError(f"cannot reach {parts.scheme}://{parts.netloc}: {reason}") from exc
        raise AssertionError("unreachable")

    def _connection(self, key: tuple[str, str]) -> http.client.HTTPConnection:
        pool = self.local.__dict__.setdefault("pool", {})
        if key not in pool:
            scheme, netloc = key
            cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            pool[key] = cls(netloc, timeout=self.timeout)
        return pool[key]

    def _drop(self, key: tuple[str, str]) -> None:
        conn = self.local.__dict__.get("pool", {}).pop(key, None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for conn in self.local.__dict__.get("pool", {}).values():
            conn.close()
        self.local.__dict__["pool"] = {}


class RemoteTriples:
    """The triples of a CONSTRUCT or DESCRIBE result (iterable, serialisable like pyoxigraph's)."""

    def __init__(self, ntriples: bytes):
        self.data = ntriples

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(ox.parse(self.data, format=ox.RdfFormat.N_TRIPLES))

    def serialize(self, output=None, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES):
        if format == ox.RdfFormat.N_TRIPLES:
            if output is None:
                return self.data
            output.write(self.data)
            return None
        return ox.serialize(iter(self), output, format=format)


class _OxAdapter:
    """What `store.store` is for an embedded store: `.query()` with pyoxigraph's keywords."""

    def __init__(self, remote: RemoteStore):
        self.remote = remote

    def query(self, sparql: str, **kwargs):
        return self.remote._query(sparql, **kwargs)

    def __len__(self) -> int:
        return len(self.remote)


class RemoteStore(GraphStore):
    """A SPARQL 1.1 endpoint with the methods of `GraphStore`."""

    is_remote = True

    def __init__(self, out_dir: Path, read_only: bool = False, store_url: str | None = None):
        self.out_dir = Path(out_dir)
        url = store_url or recorded_store_url(self.out_dir)
        if not url:
            raise StoreError(f"{self.out_dir}: no SPARQL endpoint given or recorded")
        self.url = url
        self.path = None
        self.read_only = read_only
        self.endpoints = parse_store_url(url)
        self.http = _Http()
        self.store = _OxAdapter(self)
        if not read_only:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        self._query("ASK { ?s ?p ?o }", use_default_graph_as_union=False)  # reachable and answering

    def __repr__(self) -> str:
        return f"<RemoteStore {self.url}>"

    def close(self) -> None:
        self.http.close()

    def flush(self) -> None:
        pass

    # -- protocol -------------------------------------------------------------------------
    def _query(
        self,
        sparql: str,
        *,
        use_default_graph_as_union: bool = True,
        substitutions: dict | None = None,
        prefixes: dict[str, str] | None = None,
        default_graph=None,
        named_graphs=None,
        **ignored,
    ):
        """Run a query; SELECT/ASK give pyoxigraph QuerySolutions/QueryBoolean, CONSTRUCT and
        DESCRIBE give `RemoteTriples`. Bindings in `substitutions` become a trailing VALUES clause
        (as rdflib's SPARQLStore does)."""
        text = sparql
        if prefixes:
            text = "".join(f"PREFIX {k}: <{v}>\n" for k, v in prefixes.items()) + text
        if substitutions:
            names = list(substitutions)
            values = " ".join(str(substitutions[n]) for n in names)
            text += "\nVALUES (" + " ".join(str(n) for n in names) + ") { (" + values + ") }"
        params: list[tuple[str, str]] = [("query", text)]
        if default_graph is not None:
            graphs = default_graph if isinstance(default_graph, list) else [default_graph]
            params += [("default-graph-uri", g.value) for g in graphs if isinstance(g, ox.NamedNode)]
        elif use_default_graph_as_union:
            params += list(self.endpoints.union.items())
        if named_graphs is not None:
            params += [("named-graph-uri", g.value) for g in named_graphs if isinstance(g, ox.NamedNode)]
        body = urllib.parse.urlencode(params).encode()
        status, ctype, data = self.http.request(
            "POST",
            self.endpoints.query,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": _ACCEPT_ANY},
        )
        if status == 400:
            raise QueryError(f"{self.url}: {data.decode('utf-8', 'replace').strip()[:300]}")
        self._check(status, data, "query")
        if "n-triples" in ctype or "turtle" in ctype:
            return RemoteTriples(data if "n-triples" in ctype else _to_ntriples(data, ctype))
        try:
            return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise StoreError(f"{self.url}: unreadable query results ({exc})") from exc

    def query(self, sparql: str, **kwargs):
        kwargs.setdefault("use_default_graph_as_union", True)
        return self._query(sparql, **kwargs)

    def _update(self, sparql: str) -> None:
        self._writable()
        status, _, data = self.http.request(
            "POST",
            self.endpoints.update,
            sparql.encode("utf-8"),
            {"Content-Type": "application/sparql-update"},
        )
        self._check(status, data, "update")

    def _check(self, status: int, data: bytes, what: str) -> None:
        if status >= 400:
            message = data.decode("utf-8", "replace").strip().splitlines()
            raise StoreError(
                f"{self.url}: {what} failed (HTTP {status}: {message[0][:200] if message else ''})"
            )

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.url}: opened read-only")

    def _gsp(
        self, method: str, graph: str | None, body: bytes | None = None, ctype: str | None = None, **params
    ):
        assert self.endpoints.graph_store is not None
        query = {"graph": graph} if graph else {}
        query.update(params)
        url = self.endpoints.graph_store + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Content-Type": ctype} if ctype else {}
        if method == "GET":
            headers["Accept"] = "application/n-triples" if graph else "application/n-quads"
        return self.http.request(method, url, body, headers)

    # -- writing --------------------------------------------------------------------------
    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> int:
        self._writable()
        self.remove_graph(graph)
        count = 0
        chunk: list[ox.Quad] = []
        for q in quads:
            chunk.append(q)
            if len(chunk) >= UPDATE_CHUNK:
                self._insert_nquads(ox.serialize(chunk, format=ox.RdfFormat.N_QUADS))
                count += len(chunk)
                chunk = []
        if chunk:
            self._insert_nquads(ox.serialize(chunk, format=ox.RdfFormat.N_QUADS))
            count += len(chunk)
        return count

    def remove_graph(self, graph: str) -> None:
        self._writable()
        if self.endpoints.graph_store:
            status, _, data = self._gsp("DELETE", graph)
            if status != 404:
                self._check(status, data, f"delete of graph <{graph}>")
        else:
            self._update(f"DROP SILENT GRAPH <{graph}>")

    def load_graphs(self, payloads, bulk: bool = False) -> int:
        self._writable()
        replaced = [g for p in payloads for g in p.replaces]
        if replaced:
            self._update(";\n".join(f"DROP SILENT GRAPH <{g}>" for g in replaced))
        self._insert_nquads(b"".join(p.nquads for p in payloads), bulk=bulk)
        return sum(p.quads for p in payloads)

    def _insert_nquads(self, data: bytes, bulk: bool = False) -> None:
        if not data:
            return
        self._writable()
        if self.endpoints.dataset_post:
            url = self.endpoints.dataset_post
            if bulk and self.endpoints.bulk_params:
                url += "?" + urllib.parse.urlencode(self.endpoints.bulk_params)
            status, _, body = self.http.request("POST", url, data, {"Content-Type": "application/n-quads"})
            self._check(status, body, "load")
            return
        for graph, lines in _by_graph(data):
            for i in range(0, len(lines), UPDATE_CHUNK):
                triples = b"\n".join(lines[i : i + UPDATE_CHUNK]).decode("utf-8")
                self._update(f"INSERT DATA {{ GRAPH {graph} {{\n{triples}\n}} }}")

    def load_nquads_file(self, path: Path) -> None:
        """Send an N-Quads file to the endpoint (bulk, where the server offers it)."""
        self._insert_nquads(Path(path).read_bytes(), bulk=True)

    def _delete_quads(self, quads: list[ox.Quad]) -> None:
        if not quads:
            return
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        for graph, lines in _by_graph(data):
            for i in range(0, len(lines), UPDATE_CHUNK):
                triples = b"\n".join(lines[i : i + UPDATE_CHUNK]).decode("utf-8")
                self._update(f"DELETE DATA {{ GRAPH {graph} {{\n{triples}\n}} }}")

    def _subject_quads(self, graph: str, subject: str) -> list[ox.Quad]:
        rows = self._query(
            f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ <{subject}> ?p ?o }} }}",
            use_default_graph_as_union=False,
        )
        s, g = ox.NamedNode(subject), ox.NamedNode(graph)
        return [ox.Quad(s, row["p"], row["o"], g) for row in rows]

    # -- reading --------------------------------------------------------------------------
    def quads(self, graph: str | None = None) -> list[ox.Quad]:
        if graph:
            g = ox.NamedNode(graph)
            return [
                ox.Quad(t.subject, t.predicate, t.object, g)
                for t in ox.parse(self.graph_ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
            ]
        return list(ox.parse(self._dataset_nquads(), format=ox.RdfFormat.N_QUADS))

    def graph_names(self) -> list[str]:
        rows = self._query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", use_default_graph_as_union=False)
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def graph_ntriples(self, graph: str) -> bytes:
        if self.endpoints.graph_store:
            status, _, data = self._gsp("GET", graph)
            if status == 404:
                return b""
            self._check(status, data, f"read of graph <{graph}>")
            return data
        result = self._query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
            use_default_graph_as_union=False,
        )
        return result.data if isinstance(result, RemoteTriples) else b""

    def _dataset_nquads(self) -> bytes:
        if self.endpoints.flavour == "oxigraph":
            status, _, data = self._gsp("GET", None)
            self._check(status, data, "dataset read")
            return data
        rows = self._query(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", use_default_graph_as_union=False
        )
        return ox.serialize(
            (ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows), format=ox.RdfFormat.N_QUADS
        )

    def dump_dataset(self, output, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        with tempfile.TemporaryFile() as tmp:
            tmp.write(self._dataset_nquads())
            tmp.seek(0)
            quads = ox.parse(tmp, format=ox.RdfFormat.N_QUADS)
            if prefixes:
                ox.serialize(quads, output, format=fmt, prefixes=prefixes)
            else:
                ox.serialize(quads, output, format=fmt)

    def __len__(self) -> int:
        rows = list(
            self._query(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", use_default_graph_as_union=False
            )
        )
        return int(rows[0]["n"].value) if rows else 0


def _by_graph(nquads: bytes) -> Iterator[tuple[str, list[bytes]]]:
    """N-Quads grouped by graph name, as (`<graph>`, N-Triples lines)."""
    groups: dict[str, list[ox.Triple]] = {}
    for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        if not isinstance(q.graph_name, ox.NamedNode):
            raise StoreError("only named graphs can be written to a SPARQL endpoint")
        groups.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    for graph, triples in groups.items():
        yield f"<{graph}>", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).splitlines()


def _to_ntriples(data: bytes, ctype: str) -> bytes:
    fmt = ox.RdfFormat.TURTLE if "turtle" in ctype else ox.RdfFormat.N_TRIPLES
    return ox.serialize(ox.parse(io.BytesIO(data), format=fmt), format=ox.RdfFormat.N_TRIPLES)
