"""Query results: kept as SPARQL JSON results or N-Triples, converted to Python values,
standard formats, or tables for people."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES, XSD
from kg.query.named import NamedQuery
from kg.query.params import Term

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
