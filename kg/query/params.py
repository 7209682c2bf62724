"""Parameters: values become RDF terms and reach Oxigraph as substitutions, never as query text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES, XSD
from kg.query.named import NamedQuery

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

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
