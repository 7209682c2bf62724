"""Named queries: the `.rq` files of `ontology/queries/` (and extra folders), their header
comments (title, description, `@param` lines), and how a query given on the command line resolves."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
