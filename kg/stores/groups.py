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
import mmap
from collections.abc import Callable, Iterable
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
        for key, content in groups:
            if key in new_index:
                raise ValueError(f"{graph}: group {key} given twice")
            nt_block = _nt_block(content, suffix)
            nq_block = nt_block.replace(b" .\n", suffix)
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
        replaced: dict[str, tuple[bytes, bytes]] = {}
        if changed is not None:
            replaced = _diff_against_fragment(previous, changed, index.values(), writes)
        else:
            for key in index:  # groups that are gone
                writes.delete(_group_quads(store, graph, key))
        writes.close()
        new_state = running.hexdigest()
        marker_quad = ox.Quad(ox.NamedNode(marker), _SHA, ox.Literal(new_state), g)
        fragment.write(ox.serialize([marker_quad], format=ox.RdfFormat.N_QUADS).replace(suffix, b" .\n"))
    store._insert_nquads(ox.serialize([marker_quad], format=ox.RdfFormat.N_QUADS))
    cache.save_index(name, new_state, new_index)
    cache.write_pickle(cache.graph_path(name, "replaced.pkl"), (state, new_state, replaced))
    return sum(span.lines for span in new_index.values()) + 1


def _nt_block(content: bytes | list, suffix: bytes) -> bytes:
    """A group's lines, sorted and without duplicates, as N-Triples: given so (bytes), as
    N-Triples lines (strings written by `kg.stores.ntriples`: joined and encoded once, code point
    order being UTF-8 byte order) or as quads (each N-Quads line ends in `suffix`,
    " <graph> .\n"; " .\n" only ends lines, literals escape newlines)."""
    if isinstance(content, bytes):
        return content
    if content and isinstance(content[0], str):
        return ("\n".join(sorted(set(content))) + "\n").encode()
    lines = sorted(set(ox.serialize(content, format=ox.RdfFormat.N_QUADS).splitlines()))
    nq = b"\n".join(lines) + b"\n" if lines else b""
    return nq.replace(suffix, b" .\n")


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
    path: Path, changed: dict[str, tuple[GroupSpan, bytes]], gone: Iterable[GroupSpan], writes: _Writes
) -> dict[str, tuple[bytes, bytes]]:
    """Deletes and inserts that turn changed groups (their span in the previous fragment, their
    new N-Triples) into their new lines and remove the groups that are gone; only those spans of
    the previous fragment are read. Returns (old line, new line) of each group changed in just
    one line (exports rewrite their Turtle from that)."""
    replaced = {}
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for key, (span, nt_block) in changed.items():
            had, now = _differing(_span_lines(data, span), nt_block.splitlines())
            if len(had) == len(now) == 1:
                replaced[key] = (*had, *now)
            writes.remove_lines(had - now)
            writes.insert_lines(now - had)
        for span in gone:
            writes.remove_lines(_span_lines(data, span))
    return replaced


def _differing(had: list[bytes], now: list[bytes]) -> tuple[set[bytes], set[bytes]]:
    """The lines of two sorted, duplicate-free blocks that may differ: of blocks of one length
    (most often one value changed) only the lines that differ at their position; a line both
    blocks hold elsewhere is in both sets, so set differences are the same as of whole blocks."""
    if len(had) == len(now):
        pairs = [(a, b) for a, b in zip(had, now, strict=True) if a != b]
        return {a for a, _ in pairs}, {b for _, b in pairs}
    return set(had), set(now)


def _span_lines(data: mmap.mmap, span: GroupSpan) -> list[bytes]:
    return data[span.offset : span.offset + span.length].splitlines()


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


REUSE_VERSION = 1  # of the records `GroupCache` saves


class GroupCache:
    """Groups of a grouped graph kept from its last write when what they are made from has not
    changed. Each group written is recorded with a `head` (a digest of its own inputs) and the
    questions it asked of inputs shared across groups with a digest of the answers; a group is
    kept when its head is the same and the same questions get the same answers now
    (`reusable`). Its lines come from the cached N-Triples fragment, which the records must
    describe (same state); else nothing is kept."""

    def __init__(self, store, graph: str):
        self.cache, self.name = BuildCache(store.out_dir), cache_name(graph)
        self.index: dict[str, GroupSpan] = {}
        self.previous: dict[str, tuple[bytes, str, bytes]] = {}
        self.records: dict[str, tuple[bytes, str, bytes]] = {}
        self._data: bytes | mmap.mmap = b""
        state, index = self.cache.load_index(self.name)
        saved = self.cache.read_pickle(self.cache.graph_path(self.name, "reuse.pkl"))
        if not state or not isinstance(saved, tuple) or saved[:2] != (REUSE_VERSION, state):
            return
        try:
            with self.cache.graph_path(self.name, "nt").open("rb") as f:
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return
        if fragment_state(data) != state:
            data.close()
            return
        keys, heads, questions, answers = saved[2]
        self.previous = dict(zip(keys, zip(heads, questions, answers, strict=True), strict=True))
        self.index, self._data = index, data

    def reusable(self, key: str, head: bytes, replay: Callable[[str], bytes]) -> bytes | None:
        """The previous N-Triples block of group `key` when it was made from the same `head`
        and `replay(questions)` gives the digest of the answers it was made from."""
        record = self.previous.get(key)
        span = self.index.get(key)
        if record is None or span is None or record[0] != head or replay(record[1]) != record[2]:
            return None
        self.records[key] = record
        return self._data[span.offset : span.offset + span.length]

    def made(self, key: str, head: bytes, questions: str = "", answers: bytes = b"") -> None:
        """Record what group `key`, written now, was made from."""
        self.records[key] = (head, questions, answers)

    def save(self) -> None:
        """Keep the records for the next write (call after writing the groups)."""
        if isinstance(self._data, mmap.mmap):
            self._data.close()
        path = self.cache.graph_path(self.name, "nt")
        try:
            with path.open("rb") as f:
                f.seek(max(0, path.stat().st_size - 512))
                state = fragment_state(f.read())
        except OSError:
            return
        columns = [list(c) for c in zip(*self.records.values(), strict=True)] or [[], [], []]
        value = (REUSE_VERSION, state, [list(self.records), *columns])
        self.cache.write_pickle(self.cache.graph_path(self.name, "reuse.pkl"), value)


def fragment_state(data: bytes | mmap.mmap) -> str | None:
    """The state a fragment was written in: the value of its last line, the state marker."""
    tail = bytes(data[max(0, len(data) - 512) :]).rstrip(b"\n").rsplit(b"\n", 1)[-1]
    if b"#state> <" not in tail or tail.count(b'"') != 2:
        return None
    return tail.split(b'"')[1].decode()
