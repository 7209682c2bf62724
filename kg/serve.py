"""A read-only SPARQL 1.1 Protocol endpoint over the graph, for standard SPARQL clients.

GET `/sparql?query=…` and POST (form-encoded `query=…`, or an `application/sparql-query` body).
Results are negotiated from the Accept header (or a `format`/`output` parameter, as SPARQLWrapper
sends): SPARQL JSON, CSV, TSV or XML for SELECT/ASK; Turtle, N-Triples, JSON-LD or RDF/XML for
CONSTRUCT/DESCRIBE. The rules of `kg query` apply: no update, no SERVICE unless allowed, a
timeout per query. Bad requests get HTTP 400 with a one-line message; a query stopped by the
timeout gets 503.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.errors import KGError, QueryError
from kg.query import DEFAULT_TIMEOUT, QueryResult, QueryService, QueryTimeout

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
ENDPOINT_PATHS = ("/sparql", "/query", "/")
MAX_BODY_BYTES = 1024 * 1024

# Media types we can produce, in order of preference, with the serialization name (QueryResult).
SOLUTION_MEDIA = (
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
)
GRAPH_MEDIA = (
    ("text/turtle", "ttl"),
    ("application/turtle", "ttl"),
    ("application/x-turtle", "ttl"),
    ("application/n-triples", "nt"),
    ("text/plain", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
)
# `format=` / `output=` / `results=` request parameters (SPARQLWrapper, Virtuoso-style clients).
FORMAT_PARAMS = {
    "json": ("json", "jsonld"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "xml": ("xml", "rdfxml"),
    "turtle": (None, "ttl"),
    "ttl": (None, "ttl"),
    "n3": (None, "ttl"),
    "nt": (None, "nt"),
    "ntriples": (None, "nt"),
    "n-triples": (None, "nt"),
    "json-ld": (None, "jsonld"),
    "jsonld": (None, "jsonld"),
    "rdf": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
}
TEXT_FORMATS = {"csv", "tsv", "ttl", "nt"}


class HttpError(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ProtocolRequest:
    """A SPARQL Protocol query request, however it arrived."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges from an Accept header, best first (stable for equal q)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q, index))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, q) for media, q, _ in ranges if q > 0]


def negotiate(result: QueryResult, accept: str | None, requested: str | None = None) -> tuple[str, str]:
    """(media type, serialization) for a result; raises HttpError 406 when nothing acceptable."""
    graph = result.form == "graph"
    offers = GRAPH_MEDIA if graph else SOLUTION_MEDIA
    if requested:
        requested = requested.strip().lower()
        if "/" in requested:
            accept = requested
        else:
            choice = FORMAT_PARAMS.get(requested, (None, None))[1 if graph else 0]
            if choice:
                return next(media for media, fmt in offers if fmt == choice), choice
    for media_range, _ in parse_accept(accept):
        main, _, sub = media_range.partition("/")
        for media, fmt in offers:
            wildcard = media_range in ("*/*", "*") or (sub == "*" and media.startswith(main + "/"))
            if wildcard or media_range == media:
                return media, fmt
    kinds = "CONSTRUCT/DESCRIBE" if graph else "SELECT/ASK"
    raise HttpError(
        HTTPStatus.NOT_ACCEPTABLE,
        f"cannot produce {accept} for {kinds}; available: {', '.join(m for m, _ in offers)}",
    )


class SparqlServer(ThreadingHTTPServer):
    """HTTP server holding a QueryService (worker processes with the store open read-only)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], service: QueryService):
        super().__init__(address, SparqlHandler)
        self.service = service

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/sparql"

    def server_close(self) -> None:
        super().server_close()
        self.service.close()


class SparqlHandler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "health-claims-kg"
    protocol_version = "HTTP/1.1"

    # -- HTTP methods ----------------------------------------------------------------------
    def do_GET(self) -> None:
        self._handle(self._read_get)

    def do_POST(self) -> None:
        self._handle(self._read_post)

    def log_message(self, format: str, *args) -> None:
        log.info("%s %s", self.address_string(), format % args)

    # -- reading requests --------------------------------------------------------------------
    def _path_and_params(self) -> tuple[str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        if parts.path.rstrip("/") + "/" not in {p.rstrip("/") + "/" for p in ENDPOINT_PATHS}:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no such resource {parts.path}; the endpoint is /sparql")
        return parts.path, parse_qs(parts.query, keep_blank_values=True)

    def _read_get(self) -> ProtocolRequest | None:
        _, params = self._path_and_params()
        return _protocol_request(params)

    def _read_post(self) -> ProtocolRequest | None:
        _, params = self._path_and_params()
        length = self.headers.get("Content-Length")
        if length is None:
            raise HttpError(HTTPStatus.LENGTH_REQUIRED, "Content-Length required")
        try:
            size = int(length)
        except ValueError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
        if size < 0 or size > MAX_BODY_BYTES:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {MAX_BODY_BYTES} bytes")
        body = self.rfile.read(size)
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "the request body is not UTF-8") from None
        if media == "application/x-www-form-urlencoded":
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
            return _protocol_request(params)
        if media == "application/sparql-query":
            if "query" in params:
                raise HttpError(HTTPStatus.BAD_REQUEST, "give the query in the body or as ?query=, not both")
            params["query"] = [text]
            return _protocol_request(params)
        if media == "application/sparql-update":
            raise HttpError(HTTPStatus.BAD_REQUEST, "SPARQL Update is not allowed: the graph is read-only")
        raise HttpError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"unsupported Content-Type {media or '(none)'}; use application/x-www-form-urlencoded "
            "or application/sparql-query",
        )

    # -- answering -----------------------------------------------------------------------------
    def _handle(self, read) -> None:
        try:
            request = read()
            if request is None:
                self._send(HTTPStatus.OK, "text/plain; charset=utf-8", _usage(self.server.url).encode())
                return
            result = self.server.service.run(
                request.query,
                default_graphs=request.default_graphs or None,
                named_graphs=request.named_graphs or None,
            )
            media, fmt = negotiate(result, self.headers.get("Accept"), request.format)
            body = result.serialize(fmt)
            charset = "; charset=utf-8" if fmt in TEXT_FORMATS else ""
            self._send(HTTPStatus.OK, media + charset, body)
        except HttpError as exc:
            self._send_error(exc.status, str(exc))
        except QueryTimeout as exc:
            self._send_error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
        except QueryError as exc:
            self._send_error(HTTPStatus.BAD_REQUEST, str(exc))
        except KGError as exc:
            log.error("%s", exc)
            self._send_error(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc))

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, close: bool = False) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept")
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away

    def _send_error(self, status: HTTPStatus, message: str) -> None:
        # close the connection: an unread request body must not be taken for the next request
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"), close=True)


def _protocol_request(params: dict[str, list[str]]) -> ProtocolRequest | None:
    if "update" in params:
        raise HttpError(HTTPStatus.BAD_REQUEST, "SPARQL Update is not allowed: the graph is read-only")
    queries = params.get("query", [])
    if not queries:
        return None
    if len(queries) > 1:
        raise HttpError(HTTPStatus.BAD_REQUEST, "more than one query parameter")
    requested = next((params[k][0] for k in ("format", "output", "results") if params.get(k)), None)
    return ProtocolRequest(
        queries[0],
        tuple(params.get("default-graph-uri", [])),
        tuple(params.get("named-graph-uri", [])),
        requested,
    )


def _usage(url: str) -> str:
    return (
        f"health-claims-kg SPARQL endpoint (read-only): {url}\n"
        "GET ?query=… or POST (application/x-www-form-urlencoded, application/sparql-query).\n"
        "Results: application/sparql-results+json, text/csv, text/tab-separated-values,\n"
        "application/sparql-results+xml; CONSTRUCT/DESCRIBE: text/turtle, application/n-triples,\n"
        "application/ld+json. The default graph is the union of all graphs.\n"
    )


def make_server(
    out_dir: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: bool = False,
    workers: int = 2,
    query_dirs: Sequence[Path] = (),
    store_url: str | None = None,
) -> SparqlServer:
    """A ready endpoint (store opened, port bound; port 0 picks a free one). Call
    `serve_forever()`, then `shutdown()` and `server_close()`."""
    service = QueryService(
        out_dir,
        timeout=timeout,
        allow_service=allow_service,
        workers=workers,
        query_dirs=query_dirs,
        store_url=store_url,
    )
    try:
        service.run("ASK { }")  # start a worker now: a store that cannot be opened fails here
        server = SparqlServer((host, port), service)
    except OSError as exc:
        service.close()
        raise QueryError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from exc
    except BaseException:
        service.close()
        raise
    return server


def serve_in_thread(server: SparqlServer) -> threading.Thread:
    """Run `server` in a daemon thread (tests, notebooks)."""
    thread = threading.Thread(target=server.serve_forever, name="kg-sparql-endpoint", daemon=True)
    thread.start()
    return thread


def serve_until_stopped(server: SparqlServer) -> None:
    """Serve until Ctrl-C or SIGTERM, then close the socket and stop the query workers."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
