"""N-Triples terms and lines as plain strings, byte-for-byte as pyoxigraph writes them.

Writing millions of analysis triples as strings is an order of magnitude cheaper than building
pyoxigraph term objects; keeping the exact serialisation lets them be diffed against quads read
back from the store.
"""

from __future__ import annotations

import re

from kg.namespaces import XSD

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
for _code in [*range(0x20), 0x7F]:
    _ESCAPES.setdefault(chr(_code), f"\\u{_code:04X}")
_TABLE = str.maketrans(_ESCAPES)
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_INTEGER = f"^^<{XSD}integer>"
_BOOLEAN = f"^^<{XSD}boolean>"


def literal(value: str | int | bool) -> str:
    """A literal term: xsd:boolean, xsd:integer or a plain string."""
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"{_BOOLEAN}'
    if isinstance(value, int):
        return f'"{value}"{_INTEGER}'
    text = str(value)
    return f'"{text.translate(_TABLE) if _NEEDS_ESCAPE.search(text) else text}"'


def line(subject: str, predicate: str, obj: str) -> str:
    """A triple line; `obj` is an IRI, or a term from `literal` (starts with a quote)."""
    term = obj if obj[:1] == '"' else f"<{obj}>"
    return f"<{subject}> <{predicate}> {term} ."


def nquads(triples: list[str], graph: str) -> bytes:
    """N-Quads of triples given as statements without the closing " ." (as `kg.assemble`
    writes them), all in `graph`."""
    end = f" <{graph}> .\n"
    return (end.join(triples) + end).encode() if triples else b""


def subject_of(nt_line: str) -> str:
    return nt_line[1 : nt_line.index(">")]
