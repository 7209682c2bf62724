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
    written by `kg.stores.ntriples`), keys distinct. Returns the number of quads the graph holds
    (the groups' distinct lines and the state marker)."""
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
    writes = _Writes(store, graph)
    offset = 0
    with atomic_file(cache.graph_path(name, "nt")) as fragment:
        for key, quads in groups:
            if key in new_index:
                raise ValueError(f"{graph}: group {key} given twice")
            nt_block, nq_block = _group_blocks(quads, suffix)
            d = hashlib.blake2b(nq_block, digest_size=8).digest()
            running.update(key.encode() + d)
            fragment.write(nt_block)
            new_index[key] = GroupSpan(d, offset, len(nt_block), nt_block.count(b"\n"))
            offset += len(nt_block)
            old = index.pop(key, None)
            if old is not None and old.digest == d:
                continue
            if old is None:
                writes.insert(nq_block)
            elif changed is not None:
                changed[key] = (old, nt_block)
            else:
                old_quads = _group_quads(store, graph, key)
                old_lines = ox.serialize(old_quads, format=ox.RdfFormat.N_QUADS).splitlines()
                keep = set(nq_block.splitlines())
                writes.delete(q for q, line in zip(old_quads, old_lines, strict=True) if line not in keep)
                had = set(old_lines)
                writes.insert(b"".join(line + b"\n" for line in nq_block.splitlines() if line not in had))
        if changed is not None:
            _diff_against_fragment(previous, changed.values(), index.values(), writes)
        else:
            for key in index:  # groups that are gone
                writes.delete(_group_quads(store, graph, key))
        writes.close()
        new_state = running.hexdigest()
        marker_quad = ox.Quad(ox.NamedNode(marker), _SHA, ox.Literal(new_state), g)
        fragment.write(ox.serialize([marker_quad], format=ox.RdfFormat.N_QUADS).replace(suffix, b" .\n"))
    store._insert_nquads(ox.serialize([marker_quad], format=ox.RdfFormat.N_QUADS))
    cache.save_index(name, new_state, new_index)
    return sum(span.lines for span in new_index.values()) + 1


def _group_blocks(quads: list, suffix: bytes) -> tuple[bytes, bytes]:
    """A group's lines, sorted and without duplicates, as N-Triples and as N-Quads (each line
    ending in `suffix`, " <graph> .\n"). Lines given as strings are joined and encoded once:
    code point order is UTF-8 byte order, and " .\n" only ends lines (literals escape newlines)."""
    if quads and isinstance(quads[0], str):  # N-Triples lines (see kg.stores.ntriples)
        nt = ("\n".join(sorted(set(quads))) + "\n").encode()
        return nt, nt.replace(b" .\n", suffix)
    lines = sorted(set(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines()))
    nq = b"\n".join(lines) + b"\n" if lines else b""
    return nq.replace(suffix, b" .\n"), nq


class _Writes:
    """Inserts (N-Quads) and deletes (quads, or N-Triples lines of the graph) sent to the store
    in chunks. Inserts use the bulk loader (several times faster than a transaction): an
    interrupted write leaves the graph without its state marker, so the next write redoes it in
    full."""

    def __init__(self, store, graph: str):
        self.store, self.graph = store, ox.NamedNode(graph)
        self.suffix = f" <{graph}> .\n".encode()
        self.inserts: list[bytes] = []
        self.pending_inserts = 0
        self.deletes: list[ox.Quad] = []
        self.delete_lines: list[bytes] = []

    def insert(self, nquads: bytes) -> None:
        self.inserts.append(nquads)
        self.pending_inserts += nquads.count(b"\n")
        if self.pending_inserts >= CHUNK:
            self._flush_inserts()

    def insert_lines(self, nt_lines: Iterable[bytes]) -> None:
        """N-Triples lines (without their newline) to insert into the graph."""
        self.insert(b"".join(line[:-2] + self.suffix for line in nt_lines))

    def delete(self, quads: Iterable[ox.Quad]) -> None:
        self.deletes.extend(quads)
        if len(self.deletes) >= CHUNK:
            self._flush_deletes()

    def remove_lines(self, nt_lines: Iterable[bytes]) -> None:
        """N-Triples lines (without their newline) to delete from the graph."""
        self.delete_lines.extend(nt_lines)
        if len(self.delete_lines) >= CHUNK:
            self._flush_deletes()

    def _flush_inserts(self) -> None:
        if self.inserts:
            self.store._insert_nquads(b"".join(self.inserts), bulk=True)
            self.inserts, self.pending_inserts = [], 0

    def _flush_deletes(self) -> None:
        if self.delete_lines:
            data = b"\n".join(self.delete_lines) + b"\n"
            triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)
            self.deletes.extend(ox.Quad(t.subject, t.predicate, t.object, self.graph) for t in triples)
            self.delete_lines = []
        if self.deletes:
            self.store._delete_quads(self.deletes)
            self.deletes = []

    def close(self) -> None:
        """Send what is left."""
        self._flush_deletes()
        self._flush_inserts()


def _diff_against_fragment(
    path: Path, changed: Iterable[tuple[GroupSpan, bytes]], gone: Iterable[GroupSpan], writes: _Writes
) -> None:
    """Deletes and inserts that turn changed groups (their span in the previous fragment, their
    new N-Triples) into their new lines and remove the groups that are gone; only those spans of
    the previous fragment are read."""
    with path.open("rb") as f:
        for span, nt_block in changed:
            had = set(_read_span(f, span))
            now = set(nt_block.splitlines())
            writes.remove_lines(had - now)
            writes.insert_lines(now - had)
        for span in gone:
            writes.remove_lines(_read_span(f, span))


def _read_span(f, span: GroupSpan) -> list[bytes]:
    f.seek(span.offset)
    return f.read(span.length).splitlines()


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
