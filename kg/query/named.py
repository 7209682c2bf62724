"""Named queries: the `.rq` files of `ontology/queries/` (and extra folders), their header
comments (title, description, `@param` lines), and how a query given on the command line resolves.

A file `NAME.PARAM.rq` (or `NAME.P1.P2.rq`) is a *plan* of the named query NAME: the same question
written for when those parameters have values, so that a drill-down into one document or reason
starts from it instead of scanning the whole graph; it must return the same rows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import QueryError
from kg.paths import ontology_dir

QUERY_SUFFIXES = (".rq", ".sparql")
PARAM_KINDS = ("iri", "string", "integer", "decimal", "boolean", "term")


@dataclass(frozen=True)
class QueryParameter:
    """A value a named query accepts: the name of a variable it returns."""

    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class QueryPlan:
    """Another text of a named query, for when all the `bound` parameters have values."""

    bound: frozenset[str]
    path: Path
    text: str


@dataclass(frozen=True)
class NamedQuery:
    """A query file from `ontology/queries/` with the header comment that documents it."""

    name: str
    title: str
    description: str
    parameters: tuple[QueryParameter, ...]
    path: Path
    text: str
    plans: tuple[QueryPlan, ...] = ()

    def parameter(self, name: str) -> QueryParameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def text_for(self, bound: Iterable[str]) -> str:
        """The text to run with these parameters bound: the plan that uses the most of them."""
        names = {n.lstrip("?$") for n in bound}
        fitting = [p for p in self.plans if p.bound <= names]
        return max(fitting, key=lambda p: (len(p.bound), sorted(p.bound))).text if fitting else self.text


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
    plans: dict[str, dict[frozenset[str], QueryPlan]] = {}
    for folder in (default_query_dir(), *extra_dirs):
        folder = Path(folder)
        if not folder.is_dir():
            raise QueryError(f"{folder}: no such folder of named queries")
        for path in sorted(folder.iterdir()):
            if path.suffix not in QUERY_SUFFIXES or not path.is_file():
                continue
            name, *bound = path.stem.split(".")
            if bound:
                plan = QueryPlan(frozenset(bound), path, parse_named_query(path).text)
                plans.setdefault(name, {})[plan.bound] = plan
            else:
                queries[name] = parse_named_query(path)
    for name, by_bound in plans.items():
        query = queries.get(name)
        if query is None:
            path = next(iter(by_bound.values())).path
            raise QueryError(f"{path}: a plan of {name!r}, which is not a named query")
        for plan in by_bound.values():
            unknown = sorted(n for n in plan.bound if query.parameter(n) is None)
            if unknown:
                raise QueryError(f"{plan.path}: {name!r} has no parameter {', '.join(unknown)}")
        ordered = tuple(by_bound[b] for b in sorted(by_bound, key=sorted))
        queries[name] = NamedQuery(**{**query.__dict__, "plans": ordered})
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
                    "plans": [{"bound": sorted(p.bound), "path": str(p.path)} for p in q.plans],
                }
                for q in queries
            ],
            indent=2,
        )
    from kg.formatting import simple_table

    def planned(q: NamedQuery, name: str) -> str:
        return " [own plan]" if any(p.bound == {name} for p in q.plans) else ""

    rows = [
        (
            q.name,
            q.title,
            "\n".join(f"{p.name} ({p.kind}): {p.description}{planned(q, p.name)}" for p in q.parameters),
        )
        for q in queries
    ]
    return simple_table(
        ("name", "answers", "parameters"), rows, "Named queries (kg query NAME --param NAME=VALUE)"
    )
