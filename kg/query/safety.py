"""Checking a query before it runs: parse it, refuse SPARQL Update and (unless allowed) SERVICE."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg.errors import QueryError
from kg.query.errors import QueryForbidden

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
