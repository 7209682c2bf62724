"""Read-only SPARQL over the graph: named queries, safe parameters, timeouts, result formats.

Queries run in a worker process that holds the store open read-only. Oxigraph cannot cancel a
running query, so a query that outlives its timeout is stopped by terminating the worker, which
is restarted for the next query. Before a query reaches the worker it is parsed: SPARQL Update is
refused and so is `SERVICE` (Oxigraph would fetch it over HTTP) unless explicitly allowed.

Library use:

    with QueryService(Path("out"), timeout=10) as service:
        result = service.run_named("unsupported-claims", {"reason": "anecdote"})
        for record in result.records():
            ...
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, QueryError, StoreError
from kg.namespaces import PREFIXES, XSD
from kg.paths import ontology_dir
from kg.store import EMBEDDED, STORE_DIRNAME, recorded_store_url

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RESULT_BYTES = 512 * 1024 * 1024
WORKER_START_TIMEOUT = 120.0
QUERY_SUFFIXES = (".rq", ".sparql")
PARAM_KINDS = ("iri", "string", "integer", "decimal", "boolean", "term")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

# Output formats: SPARQL results (SELECT/ASK) and RDF (CONSTRUCT/DESCRIBE).
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
OUTPUT_FORMATS = ("table", "md", *RESULT_FORMATS, *GRAPH_FORMATS)


class QuerySyntaxError(QueryError):
    """The query is not valid SPARQL (the message gives line and column)."""


class QueryForbidden(QueryError):
    """The query would modify the store or contact a remote endpoint."""


class QueryTimeout(QueryError):
    """The query ran longer than its timeout and was stopped."""


# ----------------------------------------------------------------------------------------------
# Named queries
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueryParameter:
    """A value a named query accepts: the name of a variable it returns."""

    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A query file from `ontology/queries/` with the header comment that documents it."""

    name: str
    title: str
    description: str
    parameters: tuple[QueryParameter, ...]
    path: Path
    text: str

    def parameter(self, name: str) -> QueryParameter | None:
        return next((p for p in self.parameters if p.name == name), None)


_PARAM_LINE = re.compile(r"@param\s+\??(?P<name>[A-Za-z_]\w*)\s+(?P<kind>[a-z]+)\s*(?P<text>.*)")


def default_query_dir() -> Path:
    return ontology_dir() / "queries"


def parse_named_query(path: Path) -> NamedQuery:
    """Read one `.rq` file: first comment line = title, then description and `@param` lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read the query ({exc})") from exc
    header: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            header.append(stripped[1:].strip())
        elif stripped:
            break
        elif header:
            header.append("")
    while header and not header[0]:
        header.pop(0)
    if not header:
        raise QueryError(f"{path}: no header comment (first line: what the query answers)")
    params: list[QueryParameter] = []
    paragraphs: list[list[str]] = [[]]
    for line in header[1:]:
        if line.startswith("@param"):
            m = _PARAM_LINE.match(line)
            if not m or m["kind"] not in PARAM_KINDS:
                raise QueryError(
                    f"{path}: bad parameter line {line!r} "
                    f"(expected '@param NAME KIND DESCRIPTION', KIND one of {', '.join(PARAM_KINDS)})"
                )
            params.append(QueryParameter(m["name"], m["kind"], m["text"].strip()))
        elif line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    description = "\n".join(" ".join(p) for p in paragraphs if p)
    return NamedQuery(path.stem, header[0], description, tuple(params), path, text)


def load_named_queries(extra_dirs: Sequence[Path] = ()) -> dict[str, NamedQuery]:
    """The shipped named queries, overridden or extended by `*.rq` files in `extra_dirs`."""
    queries: dict[str, NamedQuery] = {}
    for folder in (default_query_dir(), *extra_dirs):
        folder = Path(folder)
        if not folder.is_dir():
            raise QueryError(f"{folder}: no such folder of named queries")
        for path in sorted(folder.iterdir()):
            if path.suffix in QUERY_SUFFIXES and path.is_file():
                queries[path.stem] = parse_named_query(path)
    return queries


def resolve_query(spec: str, named: Mapping[str, NamedQuery]) -> tuple[str, NamedQuery | None]:
    """A query given as a named-query name, a file path, or inline SPARQL -> (text, named query)."""
    if spec in named:
        return named[spec].text, named[spec]
    candidate = Path(spec)
    if "\n" not in spec and len(spec) < 4096 and (candidate.suffix in QUERY_SUFFIXES or candidate.is_file()):
        if not candidate.is_file():
            raise QueryError(f"{spec}: no such query file")
        try:
            return candidate.read_text(encoding="utf-8"), None
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{spec}: cannot read the query ({exc})") from exc
    if re.fullmatch(r"[\w.-]+", spec):
        raise QueryError(f"unknown named query {spec!r} (`kg query --list` shows them)")
    return spec, None


# ----------------------------------------------------------------------------------------------
# Parameters: values become RDF terms and reach Oxigraph as substitutions, never as query text
# ----------------------------------------------------------------------------------------------
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>", re.IGNORECASE)
_PNAME = re.compile(r"([A-Za-z][\w.-]*)?:(\S*)")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?', re.DOTALL)
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)")
_VARIABLE_NAME = re.compile(r"[A-Za-z_]\w*")


def query_prefixes(text: str) -> dict[str, str]:
    """The project's prefixes plus those the query declares."""
    prefixes = dict(PREFIXES)
    for m in _PREFIX_DECL.finditer(text):
        prefixes[m.group(1) or ""] = m.group(2)
    return prefixes


def parse_term(value: str, kind: str = "term", prefixes: Mapping[str, str] | None = None) -> Term:
    """A parameter value as an RDF term.

    `<iri>` and prefixed names (voc:uc-msc) are IRIs; `"text"`, `"text"@en` and `"5"^^xsd:int`
    are literals as written; integers, decimals and true/false are typed literals; anything else
    is a plain string. `kind` (from a named query's `@param`) forces or checks the type.
    """
    prefixes = PREFIXES if prefixes is None else prefixes
    if kind == "string" and not value.startswith('"'):
        return ox.Literal(value)
    term = _parse_term(value, prefixes)
    expected = {
        "iri": (ox.NamedNode, "an IRI such as voc:uc-msc or <https://…>"),
        "integer": (f"{XSD}integer", "an integer"),
        "decimal": ((f"{XSD}decimal", f"{XSD}integer"), "a number"),
        "boolean": (f"{XSD}boolean", "true or false"),
    }.get(kind)
    if expected is None:
        return term
    want, label = expected
    if isinstance(want, type):
        ok = isinstance(term, want)
    else:
        datatypes = want if isinstance(want, tuple) else (want,)
        ok = isinstance(term, ox.Literal) and term.datatype.value in datatypes
    if not ok:
        raise QueryError(f"expected {label}, got {value!r}")
    return term


def _parse_term(value: str, prefixes: Mapping[str, str]) -> Term:
    try:
        if value.startswith("<") and value.endswith(">"):
            return ox.NamedNode(value[1:-1])
        m = _QUOTED.fullmatch(value)
        if m:
            lexical = re.sub(r"\\(.)", r"\1", m.group(1))
            if m.group(2):
                return ox.Literal(lexical, language=m.group(2))
            if m.group(3):
                datatype = _parse_term(m.group(3), prefixes)
                if not isinstance(datatype, ox.NamedNode):
                    raise QueryError(f"datatype must be an IRI in {value!r}")
                return ox.Literal(lexical, datatype=datatype)
            return ox.Literal(lexical)
        if value in ("true", "false"):
            return ox.Literal(value, datatype=ox.NamedNode(f"{XSD}boolean"))
        if _INTEGER.fullmatch(value):
            return ox.Literal(value, datatype=ox.NamedNode(f"{XSD}integer"))
        if _DECIMAL.fullmatch(value):
            return ox.Literal(value, datatype=ox.NamedNode(f"{XSD}decimal"))
        m = _PNAME.fullmatch(value)
        if m:
            prefix = m.group(1) or ""
            if prefix not in prefixes:
                raise QueryError(
                    f"unknown prefix {prefix!r} in {value!r}: write <…> for an IRI or "
                    f"'\"{value}\"' for a string"
                )
            return ox.NamedNode(prefixes[prefix] + m.group(2))
    except ValueError as exc:
        raise QueryError(f"not a valid RDF term: {value!r} ({exc})") from exc
    return ox.Literal(value)


def bind_parameters(
    params: Mapping[str, str | Term] | None, text: str, named: NamedQuery | None = None
) -> dict[str, Term]:
    """Raw `name -> value` pairs as `variable -> term`, checked against a named query's `@param`s."""
    if not params:
        return {}
    prefixes = query_prefixes(text)
    bound: dict[str, Term] = {}
    for raw_name, value in params.items():
        name = raw_name.lstrip("?$")
        if not _VARIABLE_NAME.fullmatch(name):
            raise QueryError(f"parameter name {raw_name!r} is not a SPARQL variable name")
        declared = named.parameter(name) if named else None
        if named and declared is None:
            known = ", ".join(p.name for p in named.parameters) or "none"
            raise QueryError(f"no parameter {name!r} (parameters: {known})")
        if not isinstance(value, str):
            bound[name] = value
            continue
        try:
            bound[name] = parse_term(value, declared.kind if declared else "term", prefixes)
        except QueryError as exc:
            raise QueryError(f"parameter {name}: {exc}") from exc
    return bound


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """`name=value` strings (the CLI's --param) as a dict."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {item!r}: expected NAME=VALUE")
        out[name.strip()] = value
    return out


# ----------------------------------------------------------------------------------------------
# Checking a query before it runs: parse, refuse updates and SERVICE
# ----------------------------------------------------------------------------------------------
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_TOKENS = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<name>[?$][\w]+|[A-Za-z_][\w.-]*:[^\s{}()<>,;]*|:[^\s{}()<>,;]*|_:[\w.-]+)
    | (?P<keyword>[A-Za-z]+)
    | (?P<other>\S)
    """,
    re.VERBOSE,
)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class QueryCheck:
    """What parsing found out about a query."""

    form: str | None  # "select" | "ask" | "construct" | "describe"; None when only Oxigraph can tell
    has_dataset: bool  # FROM / FROM NAMED clauses
    uses_service: bool


def _keywords(text: str) -> list[str]:
    """Bare keywords outside comments, strings and IRIs (after SPARQL's \\u escapes)."""
    text = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return [m.group("keyword").upper() for m in _TOKENS.finditer(text) if m.group("keyword")]


def _tree_names(node: Any) -> Iterator[str]:
    """Names of the rdflib parse tree's nodes (CompValue), depth first."""
    stack = [node]
    while stack:
        item = stack.pop()
        name = getattr(item, "name", None)
        if isinstance(name, str):
            yield name
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(list(item))


@functools.lru_cache(maxsize=256)  # parsing costs 10-50 ms; named queries repeat
def check_query(text: str, allow_service: bool = False) -> QueryCheck:
    """Parse `text`; raise QueryForbidden for SPARQL Update, and for SERVICE unless allowed.

    rdflib's parser gives the structure; a token scan that skips comments, strings and IRIs backs
    it up (and is all there is when rdflib cannot parse a query that Oxigraph accepts).
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not text.strip():
        raise QueryError("empty query")
    keywords = _keywords(text)
    first = next((k for k in keywords if k not in ("PREFIX", "BASE")), None)
    tree = None
    try:
        tree = parseQuery(text)
    except (ParseException, ValueError, TypeError):
        is_update = first in UPDATE_KEYWORDS
        if not is_update:
            with contextlib.suppress(ParseException, ValueError, TypeError):
                is_update = bool(parseUpdate(text).get("request"))
        if is_update:
            raise QueryForbidden("SPARQL Update is not allowed: the graph is read-only") from None
    names = set(_tree_names(tree)) if tree is not None else set()
    uses_service = "SERVICE" in keywords or "ServiceGraphPattern" in names
    if uses_service and not allow_service:
        raise QueryForbidden(
            "SERVICE is disabled: it makes the server send requests to other endpoints "
            "(allow it with --allow-service)"
        )
    form = None
    if tree is not None:
        form = tree[1].name.removesuffix("Query").lower()
    return QueryCheck(form, "DatasetClause" in names, uses_service)


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueryResult:
    """A query's answer, kept as SPARQL JSON results (SELECT/ASK) or N-Triples (CONSTRUCT/DESCRIBE)."""

    form: str  # "solutions" | "boolean" | "graph"
    payload: bytes
    seconds: float = 0.0
    query: NamedQuery | None = field(default=None, compare=False)

    def _parsed(self):
        if self.form == "graph":
            return ox.parse(self.payload, format=ox.RdfFormat.N_TRIPLES)
        return ox.parse_query_results(self.payload, format=ox.QueryResultsFormat.JSON)

    @cached_property
    def variables(self) -> list[str]:
        if self.form != "solutions":
            return []
        return [v.value for v in self._parsed().variables]

    @cached_property
    def rows(self) -> list[tuple[Term | None, ...]]:
        if self.form != "solutions":
            return []
        return [tuple(solution) for solution in self._parsed()]

    @property
    def boolean(self) -> bool | None:
        return bool(self._parsed()) if self.form == "boolean" else None

    @cached_property
    def triples(self) -> list[ox.Triple]:
        if self.form != "graph":
            return []
        return [ox.Triple(q.subject, q.predicate, q.object) for q in self._parsed()]

    def __len__(self) -> int:
        return len(self.triples) if self.form == "graph" else len(self.rows)

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of plain Python values (IRIs as strings, typed literals converted)."""
        names = self.variables
        return [{v: to_python(t) for v, t in zip(names, r, strict=True) if t is not None} for r in self.rows]

    def serialize(self, fmt: str) -> bytes:
        """The result in a standard format: json/csv/tsv/xml (SELECT, ASK) or ttl/nt/jsonld/rdfxml."""
        if self.form == "graph":
            rdf_format = GRAPH_FORMATS.get("jsonld" if fmt == "json" else fmt)
            if rdf_format is None:
                raise QueryError(
                    f"CONSTRUCT/DESCRIBE results are RDF: use --format {'|'.join(GRAPH_FORMATS)} (not {fmt})"
                )
            if rdf_format is ox.RdfFormat.N_TRIPLES:
                return self.payload
            triples = sorted(self.triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
            if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
                return ox.serialize(triples, format=rdf_format, prefixes=_used_prefixes(triples))
            return ox.serialize(triples, format=rdf_format)
        results_format = RESULT_FORMATS.get(fmt)
        if results_format is None:
            raise QueryError(f"SELECT/ASK results: use --format table|{'|'.join(RESULT_FORMATS)} (not {fmt})")
        if results_format is ox.QueryResultsFormat.JSON:
            return self.payload
        return self._parsed().serialize(format=results_format)


def _used_prefixes(triples: Sequence[ox.Triple]) -> dict[str, str]:
    """The project prefixes the triples use, except `id:` (its IRIs hold slashes, which Turtle
    would have to escape in prefixed names: `id:doc\\/…`)."""
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    return {
        prefix: ns
        for prefix, ns in PREFIXES.items()
        if prefix != "id" and any(iri.startswith(ns) for iri in iris)
    }


def to_python(term: Term) -> Any:
    """A term as a plain value: IRIs and strings as str, numbers and booleans converted."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.removeprefix(XSD)
        try:
            if datatype in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"):
                return int(term.value)
            if datatype in ("decimal", "double", "float"):
                return float(term.value)
        except ValueError:
            return term.value
        if datatype == "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return term.value
    return str(term)


def compact(term: Term | None, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """A term for people: prefixed IRIs (voc:uc-msc, id:doc/…), literal values without quotes."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        best = max(
            ((p, ns) for p, ns in prefixes.items() if term.value.startswith(ns)),
            key=lambda item: len(item[1]),
            default=None,
        )
        return f"{best[0]}:{term.value[len(best[1]) :]}" if best else term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render_table(result: QueryResult, title: str | None = None, width: int | None = None) -> str:
    """SELECT results as a terminal table (as wide as the terminal, at least 120 columns);
    ASK as true/false; graphs as Turtle."""
    from rich.table import Table

    from kg.formatting import render as render_rich

    if result.form == "boolean":
        return "true" if result.boolean else "false"
    if result.form == "graph":
        return result.serialize("ttl").decode("utf-8")
    table = Table(title=title)
    for name in result.variables:
        table.add_column(name, overflow="fold")
    for row in result.rows:
        table.add_row(*(compact(t) for t in row))
    return render_rich(table, width or max(120, shutil.get_terminal_size((120, 24)).columns))


def render_markdown(result: QueryResult, max_width: int | None = None) -> str:
    """SELECT results as a Markdown table (terms as in `compact`, cells cut to `max_width`)."""
    if result.form != "solutions":
        return render_table(result)

    def cell(term: Term | None) -> str:
        text = " ".join(compact(term).split()).replace("|", "\\|")
        return text if max_width is None or len(text) <= max_width else text[: max_width - 1] + "…"

    lines = ["| " + " | ".join(result.variables) + " |", "|" + "---|" * len(result.variables)]
    lines += ["| " + " | ".join(cell(t) for t in row) + " |" for row in result.rows]
    return "\n".join(lines)


def render(result: QueryResult, fmt: str = "table") -> str | bytes:
    """`table` or `md` (people) or a standard serialization (programs)."""
    if fmt == "table":
        return render_table(result, result.query.title if result.query else None)
    if fmt == "md":
        return render_markdown(result)
    return result.serialize(fmt)


# ----------------------------------------------------------------------------------------------
# Running queries in worker processes
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Request:
    query: str
    substitutions: dict[str, Term]
    use_union: bool
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


class _ResultTooLarge(Exception):
    pass


class _CappedBuffer(io.RawIOBase):
    """Collects serialized results; raises once they pass `limit` bytes."""

    def __init__(self, limit: int):
        self.data = bytearray()
        self.limit = limit
        self.exceeded = False

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.data += chunk
        if len(self.data) > self.limit:
            self.exceeded = True
            raise _ResultTooLarge
        return len(chunk)


def _answer(store, request: _Request, max_bytes: int) -> tuple:
    """Run one request in the worker; the reply is plain data for the pipe."""
    kwargs: dict[str, Any] = {"prefixes": PREFIXES}
    if request.substitutions:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in request.substitutions.items()}
    if request.default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = request.use_union
    if request.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    started = time.perf_counter()
    buffer = _CappedBuffer(max_bytes)
    try:
        result = store.store.query(request.query, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            form = "boolean"
            result.serialize(buffer, format=ox.QueryResultsFormat.JSON)
        elif isinstance(result, ox.QuerySolutions):
            form = "solutions"
            result.serialize(buffer, format=ox.QueryResultsFormat.JSON)
        else:
            form = "graph"
            result.serialize(buffer, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        return ("syntax", str(exc))
    except Exception as exc:
        if buffer.exceeded:
            return ("too-large", max_bytes)
        if store.is_remote:
            syntax = _local_syntax_error(request.query)
            if syntax:
                return ("syntax", syntax)
        return ("error", str(exc) or type(exc).__name__)
    return ("ok", form, bytes(buffer.data), time.perf_counter() - started)


def _local_syntax_error(query: str) -> str | None:
    """Oxigraph's syntax error (with line and column) for a query an endpoint refused, if it is
    one: the query is run on an empty in-memory store (never when it has SERVICE, which would
    make requests)."""
    if "SERVICE" in _keywords(query):
        return None
    try:
        ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        return str(exc)
    except Exception:
        return None
    return None


def worker_main(out_dir: str, max_bytes: str, store_url: str = "") -> None:
    """Worker process (`python -c`): open the store read-only, answer requests from stdin on stdout.

    The store is the embedded one or the SPARQL endpoint recorded in (or given for) `out_dir`;
    an endpoint gets the same checked query, parameters as a trailing VALUES clause."""
    from multiprocessing.connection import Connection

    from kg.store import GraphStore

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    requests = Connection(os.dup(0), writable=False)
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # stray output goes to stderr, never into the replies
    try:
        store = GraphStore(Path(out_dir), read_only=True, store_url=store_url or None)
    except KGError as exc:
        replies.send(("store-error", str(exc)))
        return
    version = _store_version(store.path)
    replies.send(("ready",))
    while True:
        try:
            request = requests.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        current = _store_version(store.path)
        if current != version:  # `kg build` wrote since: a read-only store sees a snapshot
            try:
                store = GraphStore(Path(out_dir), read_only=True, store_url=store_url or None)
                version = current
            except KGError as exc:
                replies.send(("error", f"cannot reopen the store after a rebuild ({exc})"))
                continue
        replies.send(_answer(store, request, int(max_bytes)))


def _store_version(path: Path | None) -> tuple:
    """What changes when the store is written to: its data files, their sizes and times (nothing
    for an endpoint, which always answers from its current state)."""
    if path is None:
        return ()
    try:
        return tuple(
            sorted(
                (e.name, e.stat().st_size, e.stat().st_mtime_ns)
                for e in os.scandir(path)
                if not e.name.startswith(("LOG", "LOCK"))
            )
        )
    except OSError:
        return ()


_WORKER_CODE = "import sys; from kg.query import worker_main; worker_main(*sys.argv[1:])"


class _Worker:
    """One worker process; started on first use, killed on timeout and restarted on next use.

    A plain subprocess (not multiprocessing) so that callers need no `if __name__ == "__main__"`
    guard and threads in the parent (kg serve) are no concern.
    """

    def __init__(self, out_dir: Path, max_bytes: int, store_url: str | None = None):
        self.out_dir = out_dir
        self.max_bytes = max_bytes
        self.store_url = store_url
        self._process: subprocess.Popen | None = None
        self._requests = None
        self._replies = None

    def _command(self) -> list[str]:
        return [sys.executable, "-c", _WORKER_CODE, str(self.out_dir), str(self.max_bytes)]

    def _start(self) -> None:
        from multiprocessing.connection import Connection

        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        process = subprocess.Popen(
            [*self._command(), self.store_url or ""],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert process.stdin is not None and process.stdout is not None
        self._requests = Connection(os.dup(process.stdin.fileno()), readable=False)
        self._replies = Connection(os.dup(process.stdout.fileno()), writable=False)
        process.stdin.close()
        process.stdout.close()
        self._process = process
        try:
            if self._replies.poll(WORKER_START_TIMEOUT):
                ready = self._replies.recv()
            else:
                ready = ("store-error", f"{self.out_dir}: the query worker did not start")
        except (EOFError, OSError):
            ready = ("store-error", f"{self.out_dir}: the query worker exited while opening the store")
        if ready[0] != "ready":
            self.stop(kill=True)
            raise StoreError(ready[1])

    def execute(self, request: _Request, timeout: float | None) -> tuple:
        if self._process is None or self._process.poll() is not None:
            self.stop(kill=True)
            self._start()
        assert self._requests is not None and self._replies is not None
        try:
            self._requests.send(request)
            answered = self._replies.poll(timeout)
        except (OSError, EOFError):
            self.stop(kill=True)
            raise QueryError("the query worker stopped unexpectedly; try again") from None
        if not answered:
            self.stop(kill=True)
            raise QueryTimeout(
                f"query stopped after {timeout:g} s (timeout); narrow it (LIMIT, more selective "
                "patterns) or raise --timeout"
            )
        try:
            return self._replies.recv()
        except (EOFError, OSError):
            self.stop(kill=True)
            raise QueryError("the query worker died while answering (out of memory?)") from None

    def stop(self, kill: bool = False) -> None:
        process, requests, replies = self._process, self._requests, self._replies
        self._process = self._requests = self._replies = None
        if requests is not None:
            if not kill:
                with contextlib.suppress(OSError, ValueError):
                    requests.send(None)
            requests.close()
        if replies is not None:
            replies.close()
        if process is not None:
            if kill:
                process.kill()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class QueryService:
    """Runs read-only queries against the store of `out_dir`, each within `timeout` seconds: the
    embedded `<out_dir>/store`, or the SPARQL endpoint `store_url` (default: the one `kg build
    --store` recorded there).

    `workers` processes answer queries in parallel (for `kg serve`); each opens the store
    read-only when first needed. Use as a context manager, or call `close()`.
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: bool = False,
        workers: int = 1,
        max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
        query_dirs: Sequence[Path] = (),
        store_url: str | None = None,
    ):
        self.out_dir = Path(out_dir)
        if store_url in EMBEDDED:
            store_url = None
        has_store = (self.out_dir / STORE_DIRNAME).is_dir() or recorded_store_url(self.out_dir)
        if not store_url and not has_store:
            raise StoreError(f"{self.out_dir}: no graph built here (run `kg build` first)")
        if timeout is not None and timeout <= 0:
            raise QueryError("timeout must be positive")
        self.timeout = timeout
        self.allow_service = allow_service
        self.query_dirs = tuple(query_dirs)
        self._workers = [_Worker(self.out_dir, max_result_bytes, store_url) for _ in range(max(1, workers))]
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        for worker in self._workers:
            self._idle.put(worker)
        self._named: dict[str, NamedQuery] | None = None
        self._lock = threading.Lock()

    # -- named queries ----------------------------------------------------------------------
    @property
    def named_queries(self) -> dict[str, NamedQuery]:
        with self._lock:
            if self._named is None:
                self._named = load_named_queries(self.query_dirs)
            return self._named

    def run_named(self, name: str, params: Mapping[str, str | Term] | None = None) -> QueryResult:
        named = self.named_queries.get(name)
        if named is None:
            raise QueryError(f"unknown named query {name!r} (`kg query --list` shows them)")
        return self.run(named.text, params, named=named)

    def run_spec(self, spec: str, params: Mapping[str, str | Term] | None = None) -> QueryResult:
        """Run a named query, a query file, or inline SPARQL (see `resolve_query`)."""
        text, named = resolve_query(spec, self.named_queries)
        return self.run(text, params, named=named)

    # -- any query ----------------------------------------------------------------------------
    def run(
        self,
        text: str,
        params: Mapping[str, str | Term] | None = None,
        *,
        named: NamedQuery | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Check and run one query. The default graph is the union of all graphs unless the
        query has FROM clauses or `default_graphs` is given."""
        where = f"{named.name}: " if named else ""
        try:
            check = check_query(text, self.allow_service)
            substitutions = bind_parameters(params, text, named)
        except QueryError as exc:
            raise type(exc)(f"{where}{exc}") from None
        request = _Request(
            text,
            substitutions,
            use_union=not check.has_dataset,
            default_graphs=tuple(default_graphs) if default_graphs else None,
            named_graphs=tuple(named_graphs) if named_graphs else None,
        )
        reply = self._execute(request)
        if reply[0] == "ok":
            _, form, payload, seconds = reply
            return QueryResult(form, payload, seconds, named)
        raise _reply_error(reply, text, where)

    def _execute(self, request: _Request) -> tuple:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(f"all query workers stayed busy for {self.timeout:g} s; try again") from None
        try:
            return worker.execute(request, self.timeout)
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()

    def __enter__(self) -> QueryService:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)
_NOT_PROJECTED = re.compile(r"does not contains? variable \?(\w+) in its SELECT projection")


def _reply_error(reply: tuple, text: str, where: str) -> QueryError:
    kind, detail = reply[0], reply[1]
    if kind == "syntax":
        m = _SYNTAX_POSITION.search(detail)
        if not m:
            return QuerySyntaxError(f"{where}SPARQL syntax error: {detail}")
        line_no, col = int(m.group(1)), int(m.group(2))
        lines = text.splitlines()
        line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
        near = line[max(0, col - 30) : col + 10].strip()
        expected = " ".join(m.group(3).split())
        if len(expected) > 100:
            expected = expected[:100].rsplit(",", 1)[0] + ", …"
        return QuerySyntaxError(
            f"{where}SPARQL syntax error at line {line_no}, column {col}"
            + (f" (near {near!r})" if near else "")
            + f": {expected}"
        )
    if kind == "too-large":
        return QueryError(f"{where}the result is larger than {detail // 2**20} MiB; add LIMIT or narrow it")
    m = _NOT_PROJECTED.search(detail)
    if m:
        return QueryError(f"{where}parameter {m.group(1)!r} must be a variable the query returns (SELECT)")
    return QueryError(f"{where}query failed: {detail}")


def run_query(
    out_dir: Path,
    query: str,
    params: Mapping[str, str | Term] | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: bool = False,
    query_dirs: Sequence[Path] = (),
    store_url: str | None = None,
) -> QueryResult:
    """Run one query — a named query's name, a `.rq` file, or SPARQL text — read-only."""
    service = QueryService(
        out_dir, timeout=timeout, allow_service=allow_service, query_dirs=query_dirs, store_url=store_url
    )
    with service:
        return service.run_spec(query, params)


def list_named_queries(query_dirs: Sequence[Path] = ()) -> list[NamedQuery]:
    return sorted(load_named_queries(query_dirs).values(), key=lambda q: q.name)


def render_named_queries(queries: Sequence[NamedQuery], fmt: str = "table") -> str:
    """The query library for people (table) or programs (json)."""
    import json

    if fmt == "json":
        return json.dumps(
            [
                {
                    "name": q.name,
                    "title": q.title,
                    "description": q.description,
                    "parameters": [
                        {"name": p.name, "kind": p.kind, "description": p.description} for p in q.parameters
                    ],
                    "path": str(q.path),
                }
                for q in queries
            ],
            indent=2,
        )
    from kg.formatting import simple_table

    rows = [
        (q.name, q.title, "\n".join(f"{p.name} ({p.kind}): {p.description}" for p in q.parameters))
        for q in queries
    ]
    return simple_table(
        ("name", "answers", "parameters"), rows, "Named queries (kg query NAME --param NAME=VALUE)"
    )
