"""Write a large graph group by group, touching only the groups that changed.

The analysis graph holds a few dozen quads per graded claim and study; most survive a rebuild
unchanged. Each group (a claim with its flag-reason nodes, a study with its grade steps) is
serialised once, its digest compared with the digest recorded by the previous write, and only
changed groups are diffed against the previous write (their lines read back from where the index
says they sit in the cached N-Triples fragment, or from the store when that fragment cannot be
trusted). The graph carries a
marker quad (`<graph#state> hckg:sha256 "…"`) naming the state it was written in; the marker is
removed before any change and written last, so after an interruption the cache is not trusted and
the graph is rewritten in full.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import HCKG
from kg.stores.cache import BuildCache, GroupSpan

log = logging.getLogger(__name__)

CHUNK = 100_000
_SHA = ox.NamedNode(HCKG + "sha256")


def cache_name(graph: str) -> str:
    return graph.rstrip("/").rsplit("/", 1)[-1] or "graph"


def write_groups(store, graph: str, groups: Iterable[tuple[str, list]]) -> int:
    """Replace `graph` with the content of `groups`: (key, quads) or (key, N-Triples lines as
    written by `kg.stores.ntriples`), keys distinct. Returns the number of quads inserted (0 when
    nothing changed)."""
    from kg.store import atomic_file

    cache = BuildCache(store.out_dir)
    name = cache_name(graph)
    state, index = cache.load_index(name)
    marker = graph + "#state"
    g = ox.NamedNode(graph)
    stored = [q.object.value for q in store._subject_quads(graph, marker)]
    trusted = bool(state) and stored == [state]
    if stored:
        store._delete_quads([ox.Quad(ox.NamedNode(marker), _SHA, ox.Literal(v), g) for v in stored])
    if not trusted:
        log.info("%s: rewriting in full", graph)
        store.remove_graph(graph)
        index = {}
    suffix = f" <{graph}> .\n".encode()
    previous = cache.graph_path(name, "nt")
    # the previous fragment holds the groups as stored (trusted: same state): changed groups are
    # diffed against their span in it rather than looked up in the store group by group
    changed: dict[str, tuple[GroupSpan, list[bytes]]] | None = {} if trusted and previous.is_file() else None
    running = hashlib.blake2b(digest_size=12)
    new_index: dict[str, GroupSpan] = {}
    writes = _Writes(store)
    offset = 0
    with atomic_file(cache.graph_path(name, "nt")) as fragment:
        for key, quads in groups:
            if key in new_index:
                raise ValueError(f"{graph}: group {key} given twice")
            lines = _group_lines(quads, graph)
            block = b"\n".join(lines) + b"\n" if lines else b""
            d = hashlib.blake2b(block, digest_size=8).digest()
            running.update(key.encode() + d)
            nt_block = block.replace(suffix, b" .\n")
            fragment.write(nt_block)
            new_index[key] = GroupSpan(d, offset, len(nt_block), len(lines))
            offset += len(nt_block)
            old = index.pop(key, None)
            if old is not None and old.digest == d:
                continue
            if old is None:
                writes.insert(lines)
            elif changed is not None:
                changed[key] = (old, lines)
            else:
                old_quads = _group_quads(store, graph, key)
                old_lines = ox.serialize(old_quads, format=ox.RdfFormat.N_QUADS).splitlines()
                keep = set(lines)
                writes.delete(q for q, line in zip(old_quads, old_lines, strict=True) if line not in keep)
                had = set(old_lines)
                writes.insert(line for line in lines if line not in had)
        if changed is not None:
            _diff_against_fragment(previous, changed.values(), index.values(), graph, writes)
        else:
            for key in index:  # groups that are gone
                writes.delete(_group_quads(store, graph, key))
        inserted = writes.close()
        new_state = running.hexdigest()
        marker_quad = ox.Quad(ox.NamedNode(marker), _SHA, ox.Literal(new_state), g)
        fragment.write(ox.serialize([marker_quad], format=ox.RdfFormat.N_QUADS).replace(suffix, b" .\n"))
    store._insert_nquads(ox.serialize([marker_quad], format=ox.RdfFormat.N_QUADS))
    cache.save_index(name, new_state, new_index)
    return inserted


def _group_lines(quads: list, graph: str) -> list[bytes]:
    """A group's N-Quads lines in `graph`, sorted, without duplicates."""
    if quads and isinstance(quads[0], str):  # N-Triples lines (see kg.stores.ntriples)
        graph_end = f"<{graph}> .".encode()
        return sorted({line[:-1].encode() + graph_end for line in quads})
    return sorted(set(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines()))


class _Writes:
    """Inserts (N-Quads lines) and deletes (quads) sent to the store in chunks. Inserts use the
    bulk loader (several times faster than a transaction): an interrupted write leaves the graph
    without its state marker, so the next write redoes it in full."""

    def __init__(self, store):
        self.store = store
        self.inserts: list[bytes] = []
        self.deletes: list[ox.Quad] = []
        self.inserted = 0

    def insert(self, lines: Iterable[bytes]) -> None:
        self.inserts.extend(lines)
        if len(self.inserts) >= CHUNK:
            self._flush_inserts()

    def delete(self, quads: Iterable[ox.Quad]) -> None:
        self.deletes.extend(quads)
        if len(self.deletes) >= CHUNK:
            self._flush_deletes()

    def _flush_inserts(self) -> None:
        if self.inserts:
            self.store._insert_nquads(b"\n".join(self.inserts) + b"\n", bulk=True)
            self.inserted += len(self.inserts)
            self.inserts.clear()

    def _flush_deletes(self) -> None:
        if self.deletes:
            self.store._delete_quads(self.deletes)
            self.deletes.clear()

    def close(self) -> int:
        """Send what is left; the number of quads inserted."""
        self._flush_deletes()
        self._flush_inserts()
        return self.inserted


def _diff_against_fragment(
    path: Path,
    changed: Iterable[tuple[GroupSpan, list[bytes]]],
    gone: Iterable[GroupSpan],
    graph: str,
    writes: _Writes,
) -> None:
    """Deletes and inserts that turn changed groups (their span in the previous fragment, their
    new N-Quads lines) into their new lines and remove the groups that are gone; only those
    spans of the previous fragment are read."""
    g = ox.NamedNode(graph)
    end, nt_end = f" <{graph}> .".encode(), b" ."
    with path.open("rb") as f:
        for span, lines in changed:
            had = set(_read_span(f, span))
            now = {line[: -len(end)] + nt_end for line in lines}
            writes.delete(_quads(had - now, g))
            writes.insert(line for line in lines if line[: -len(end)] + nt_end not in had)
        for span in gone:
            writes.delete(_quads(set(_read_span(f, span)), g))


def _read_span(f, span: GroupSpan) -> list[bytes]:
    f.seek(span.offset)
    return f.read(span.length).splitlines()


def _quads(nt_lines: set[bytes], graph: ox.NamedNode) -> list[ox.Quad]:
    """N-Triples lines as quads in `graph`."""
    if not nt_lines:
        return []
    data = b"\n".join(sorted(nt_lines)) + b"\n"
    return [
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    ]


def _group_quads(store, graph: str, key: str) -> list[ox.Quad]:
    """Quads of a group: the key subject and the `key#…` nodes it points to."""
    quads = store._subject_quads(graph, key)
    inner = sorted(
        {
            q.object.value
            for q in quads
            if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(key + "#")
        }
    )
    for node in inner:
        quads.extend(store._subject_quads(graph, node))
    return quads


def valid_fragment(store, graph: str) -> tuple[Path, str, dict[str, GroupSpan]] | None:
    """The cached N-Triples file of a grouped graph, its state and index, when the state is the
    one the store's marker names; else None."""
    cache = BuildCache(store.out_dir)
    name = cache_name(graph)
    state, index = cache.load_index(name)
    if not state:
        return None
    stored = [q.object.value for q in store._subject_quads(graph, graph + "#state")]
    path = cache.graph_path(name, "nt")
    return (path, state, index) if stored == [state] and path.is_file() else None
