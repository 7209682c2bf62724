"""Exports (`kg.ttl`, `kg.nt`, `kg.trig`, `kg.jsonld`) written without holding the graph in memory.

Turtle and N-Triples hold the union of all graphs. They are assembled from per-graph segments:
each document graph's own triples (sorted N-Triples lines, and their Turtle) in graph order, then
the grouped graphs (the analysis graph) from their cached fragment, and last the deduplicated
shared triples (organisations and countries named by many documents, ontology, vocabulary).
Fragments come from the build cache (written by the build workers) and are regenerated from the
store whenever the cache does not hold the exact graph, so the files are the same either way
apart from the analysis graph's order (grading order from the cache, sorted lines otherwise).

Rewrites are incremental: the cache records where each segment of the last written file sits
(`exports.pkl`), so an unchanged document's segment is copied from the previous file by the
kernel, not read from its fragment, and only new documents' fragments are read. The analysis
graph's Turtle is likewise reconverted only for the groups that changed. The result is the same
bytes as a from-scratch export, still written to a temporary file and renamed.
Dataset formats (TriG, JSON-LD) are dumped by the store itself.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from kg.assemble import doc_iri
from kg.store import StoredDocument
from kg.stores.cache import (
    BuildCache,
    DocumentEntry,
    GroupSpan,
    prefix_header,
    sorted_lines,
    split_document_lines,
    turtle_body,
)
from kg.stores.groups import cache_name, valid_fragment

log = logging.getLogger(__name__)

TRIPLE_FORMATS = ("ttl", "nt")
TURTLE_CHUNK_LINES = 50_000
LAYOUT_VERSION = 1  # of the segments below and of `exports.pkl`


def write_exports(
    store, formats: list[str], documents: dict[str, StoredDocument] | None = None
) -> list[Path]:
    """Write `kg.<ext>` for each format into the store's out folder, each atomically.
    `documents` is what `store.documents()` returns, if known."""
    from kg.store import EXPORT_FORMATS, atomic_file

    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise ValueError(f"unknown export format(s): {', '.join(unknown)}")
    targets = {f: store.out_dir / f"kg.{f}" for f in dict.fromkeys(formats)}
    triple_formats = [f for f in targets if f in TRIPLE_FORMATS]
    if triple_formats:
        _write_triple_exports(store, {f: targets[f] for f in triple_formats}, documents)
    for fmt, target in targets.items():
        if fmt not in TRIPLE_FORMATS:
            from kg.namespaces import PREFIXES

            with atomic_file(target) as fh:
                store.dump_dataset(fh, EXPORT_FORMATS[fmt], PREFIXES if fmt == "trig" else None)
    return list(targets.values())


# -- segments -----------------------------------------------------------------------------------
@dataclass
class Segment:
    """A piece of an export file: `key` names it, `ident` says which content it holds (equal
    idents, equal bytes); the bytes are `data`, or the file `path`."""

    key: str
    ident: str
    data: bytes | None = None
    path: Path | None = None


@dataclass
class ExportIndex:
    """What the last export wrote: per file its size, mtime and segments (key → ident, offset,
    length), and the shared lines of each document (so unchanged documents are not read)."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def _index_path(cache: BuildCache) -> Path:
    return cache.root / "exports.pkl"


def _load_index(cache: BuildCache) -> ExportIndex:
    data = cache.read_pickle(_index_path(cache))
    if not isinstance(data, tuple) or len(data) != 2 or data[0] != LAYOUT_VERSION:
        return ExportIndex()
    return data[1] if isinstance(data[1], ExportIndex) else ExportIndex()


def _previous_segments(index: ExportIndex, fmt: str, target: Path) -> dict[str, tuple[str, int, int]]:
    """The segments of the file the last export wrote, if `target` is still that file."""
    entry = index.files.get(fmt)
    try:
        st = target.stat()
    except OSError:
        return {}
    if not entry or entry["size"] != st.st_size or entry["mtime_ns"] != st.st_mtime_ns:
        return {}
    return entry["segments"]


def _write_segments(target: Path, segments: list[Segment], previous: dict[str, tuple[str, int, int]]) -> dict:
    """Write `segments` to `target` atomically, copying unchanged ones from the file there now."""
    from kg.store import atomic_file

    placed: dict[str, tuple[str, int, int]] = {}
    offset = 0
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(atomic_file(target))
        old = stack.enter_context(target.open("rb")) if previous else None
        for seg in segments:
            before = previous.get(seg.key)
            if old is not None and before is not None and before[0] == seg.ident:
                length = before[2]
                _copy_range(old, before[1], length, out)
            elif seg.path is not None:
                length = _copy_range_path(seg.path, out)
            else:
                length = len(seg.data or b"")
                out.write(seg.data or b"")
            placed[seg.key] = (seg.ident, offset, length)
            offset += length
    st = target.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "segments": placed}


def _copy_range(src: BinaryIO, offset: int, length: int, out: BinaryIO) -> None:
    """Copy `length` bytes at `offset` of `src` to the end of `out` (in the kernel when it can)."""
    out.flush()
    done = 0
    try:
        while done < length:
            n = os.copy_file_range(src.fileno(), out.fileno(), length - done, offset + done)
            if n == 0:
                raise OSError("source file shorter than recorded")
            done += n
    except (OSError, AttributeError):  # no copy_file_range here (or across file systems)
        src.seek(offset + done)
        while done < length:
            chunk = src.read(min(length - done, 1 << 20))
            if not chunk:
                raise OSError(f"{src.name}: shorter than recorded") from None
            out.write(chunk)
            done += len(chunk)


def _copy_range_path(path: Path, out: BinaryIO) -> int:
    with path.open("rb") as fh:
        length = os.fstat(fh.fileno()).st_size
        _copy_range(fh, 0, length, out)
    return length


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


# -- N-Triples and Turtle ---------------------------------------------------------------------
def _write_triple_exports(
    store, targets: dict[str, Path], documents: dict[str, StoredDocument] | None
) -> None:
    cache = BuildCache(store.out_dir)
    index = _load_index(cache)
    want_ttl = "ttl" in targets
    docs = sorted((documents or store.documents()).values(), key=lambda d: d.graph)
    doc_graphs = {d.graph for d in docs}
    previous = {fmt: _previous_segments(index, fmt, path) for fmt, path in targets.items()}
    segments: dict[str, list[Segment]] = {fmt: [] for fmt in targets}
    if want_ttl:
        header = prefix_header()
        segments["ttl"].append(Segment("header", _digest(header), header))
    shared: dict[str, tuple[str, bytes]] = {}
    for d in docs:
        ident = f"{d.sha256} {d.pipeline or ''}"
        reuse = all(previous[fmt].get(d.doc_id, ("",))[0] == ident for fmt in targets)
        known = index.shared.get(d.doc_id)
        if reuse and known is not None and known[0] == ident:
            shared[d.doc_id] = known
            for fmt in targets:
                segments[fmt].append(Segment(d.doc_id, ident))
            continue
        entry = _document_entry(store, cache, d, want_ttl)
        shared[d.doc_id] = (ident, entry.shared)
        if "nt" in targets:
            segments["nt"].append(Segment(d.doc_id, ident, entry.nt))
        if want_ttl:
            segments["ttl"].append(Segment(d.doc_id, ident, entry.ttl or b""))
    common_lines: set[bytes] = set()
    for _, lines in shared.values():
        common_lines.update(lines.splitlines())
    for graph in (g for g in store.graph_names() if g not in doc_graphs):
        found = valid_fragment(store, graph)
        if found is None:
            common_lines.update(store.graph_ntriples(graph).splitlines())
            continue
        fragment, state, groups = found
        if "nt" in targets:
            segments["nt"].append(Segment(f"graph {graph}", state, path=fragment))
        if want_ttl:
            turtle = grouped_turtle(cache, cache_name(graph), state, groups)
            segments["ttl"].append(Segment(f"graph {graph}", state, path=turtle))
    common_lines.discard(b"")
    common = sorted_lines(b"\n".join(common_lines))
    ident = _digest(common)
    if "nt" in targets:
        segments["nt"].append(Segment("common", ident, common))
    if want_ttl:
        reuse = previous["ttl"].get("common", ("",))[0] == ident
        segments["ttl"].append(Segment("common", ident, None if reuse else turtle_body(common)))
    files = {fmt: _write_segments(path, segments[fmt], previous[fmt]) for fmt, path in targets.items()}
    index.files.update(files)
    index.shared = shared
    cache.write_pickle(_index_path(cache), (LAYOUT_VERSION, index))


def _document_entry(store, cache: BuildCache, d: StoredDocument, want_ttl: bool) -> DocumentEntry:
    """A document's export fragments from the cache, made from the store when missing."""
    entry = cache.get_document(d.doc_id, d.sha256, d.pipeline)
    changed = False
    if entry is None:
        own, common = split_document_lines(store.graph_ntriples(d.graph), doc_iri(d.doc_id))
        entry = DocumentEntry(d.doc_id, d.sha256, d.pipeline or "", own, common)
        changed = True
    if want_ttl and entry.ttl is None:
        entry.ttl = turtle_body(entry.nt)
        changed = True
    if changed:
        cache.put_document(entry)
    return entry


# -- Turtle of a grouped graph --------------------------------------------------------------------
_CUT = b"<urn:x-hckg:cut> <urn:x-hckg:cut> <urn:x-hckg:cut> .\n"  # N-Triples and Turtle alike
BATCH_BYTES = 1 << 24


def grouped_turtle(cache: BuildCache, name: str, state: str, index: dict[str, GroupSpan]) -> Path:
    """The Turtle of a grouped graph's N-Triples fragment, cached next to it: the fragment
    converted in chunks of `TURTLE_CHUNK_LINES` lines, so memory stays flat. The Turtle of
    consecutive subjects is the concatenation of their own, so a group that does not straddle a
    chunk boundary has the same Turtle wherever it sits: an unchanged group's is copied from the
    previous conversion and only changed groups are converted again. `state` and `index` are
    the fragment's (`BuildCache.load_index`)."""
    from kg.store import atomic_file

    ttl_path, index_path = cache.graph_path(name, "ttl"), cache.graph_path(name, "ttl.pkl")
    saved = cache.read_pickle(index_path)
    previous: dict[str, tuple[bytes, int, int]] = {}
    replaced: dict[str, tuple[bytes, bytes]] = {}
    if isinstance(saved, tuple) and len(saved) == 3 and _size(ttl_path) == saved[1]:
        if saved[0] == state:
            return ttl_path
        previous = saved[2]
        changes = cache.read_pickle(cache.graph_path(name, "replaced.pkl"))
        if isinstance(changes, tuple) and len(changes) == 3 and changes[:2] == (saved[0], state):
            replaced = changes[2]
    with contextlib.ExitStack() as stack:
        out = _TurtleWriter(stack.enter_context(atomic_file(ttl_path)))
        nt = stack.enter_context(cache.graph_path(name, "nt").open("rb"))
        old = stack.enter_context(ttl_path.open("rb")) if previous else None
        line = 0
        for key, span in index.items():
            cuts = _cuts(line, span.lines)
            line += span.lines
            before = previous.get(key)
            if cuts is None and old is not None and before is not None:
                old.seek(before[1])
                if before[0] == span.digest:
                    out.add(key, span.digest, old.read(before[2]), converted=True)
                    continue
                patched = None
                if key in replaced:
                    nt.seek(span.offset)
                    patched = _patched(old.read(before[2]), nt.read(span.length), *replaced[key])
                if patched is not None:
                    out.add(key, span.digest, patched, converted=True)
                    continue
            nt.seek(span.offset)
            block = nt.read(span.length)
            if cuts is None:
                out.add(key, span.digest, block)
            else:  # not reusable: its Turtle depends on where the boundary falls
                out.add(None, span.digest, _turtle_pieces(block, cuts), converted=True)
        nt.seek(sum(s.length for s in index.values()))
        tail = nt.read()  # after the groups: the state marker
        out.add(None, b"", _turtle_pieces(tail, _cuts(line, tail.count(b"\n")) or []), converted=True)
        placed = out.close()
    cache.write_pickle(index_path, (state, ttl_path.stat().st_size, placed))
    return ttl_path


_INTEGER = b'"^^<http://www.w3.org/2001/XMLSchema#integer> .'


def _patched(ttl: bytes, nt: bytes, old_line: bytes, new_line: bytes) -> bytes | None:
    """The Turtle of a group (N-Triples `nt`) from its previous Turtle when its one changed line
    (`old_line` to `new_line`) changed only the integer value (a count) of a subject's only
    triple with that predicate: the value is replaced where the previous Turtle writes it, the
    one place the predicate is followed by that value. None for any other change (the group is
    converted again)."""
    old_parts, new_parts = old_line.split(b" ", 2), new_line.split(b" ", 2)
    if old_parts[:2] != new_parts[:2] or not (
        old_parts[2].endswith(_INTEGER) and new_parts[2].endswith(_INTEGER)
    ):
        return None
    old_value, new_value = old_parts[2][1 : -len(_INTEGER)], new_parts[2][1 : -len(_INTEGER)]
    if (
        not (old_value.isdigit() and new_value.isdigit())
        or (b"\n" + nt).count(b"\n" + new_line[: -len(new_parts[2])]) != 1
    ):
        return None
    needle = _turtle_predicate(old_parts[1]) + b" " + old_value + b" "
    found = [m.start() for m in re.finditer(re.escape(needle), ttl)]
    if len(found) != 1 or ttl[found[0] - 1 : found[0]] not in (b"\t", b" "):
        return None
    end = found[0] + len(needle)
    if ttl[end : end + 2] not in (b";\n", b".\n"):
        return None
    return ttl[: end - len(old_value) - 1] + new_value + ttl[end - 1 :]


@functools.cache
def _turtle_predicate(predicate: bytes) -> bytes:
    """How Turtle exports write a predicate IRI (`<...>` in N-Triples): its prefixed name."""
    return turtle_body(b"<urn:x-hckg:s> " + predicate + b' "1" .\n').split(b" ")[1]


class _TurtleWriter:
    """Writes groups' Turtle in order, converting the N-Triples of pending groups together (one
    conversion per batch, split again at a cut triple between groups), and records where each
    group's Turtle sits."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.offset = 0
        self.pending: list[tuple[str | None, bytes, bytes, bool]] = []
        self.size = 0
        self.placed: dict[str, tuple[bytes, int, int]] = {}

    def add(self, key: str | None, digest: bytes, data: bytes, converted: bool = False) -> None:
        """A group's Turtle (`converted`) or N-Triples; `key` None: do not record it."""
        self.pending.append((key, digest, data, converted))
        self.size += len(data)
        if self.size >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        todo = [data for _, _, data, converted in self.pending if not converted]
        pieces = iter(turtle_body(b"".join(d + _CUT for d in todo)).split(_CUT) if todo else [])
        for key, digest, data, converted in self.pending:
            ttl = data if converted else next(pieces)
            if key is not None:
                self.placed[key] = (digest, self.offset, len(ttl))
            self.out.write(ttl)
            self.offset += len(ttl)
        self.pending, self.size = [], 0

    def close(self) -> dict[str, tuple[bytes, int, int]]:
        self._flush()
        return self.placed


def _cuts(line: int, count: int) -> list[int] | None:
    """Where chunk boundaries fall inside `count` lines starting at line number `line` (as
    offsets from `line`), or None when none does."""
    first = (line // TURTLE_CHUNK_LINES + 1) * TURTLE_CHUNK_LINES
    return [b - line for b in range(first, line + count, TURTLE_CHUNK_LINES)] or None


def _turtle_pieces(nt: bytes, cuts: list[int]) -> bytes:
    """Turtle of N-Triples lines converted piece by piece, cut before the given line numbers."""
    lines = nt.splitlines(keepends=True)
    bounds = [0, *cuts, len(lines)]
    return b"".join(turtle_body(b"".join(lines[a:b])) for a, b in itertools.pairwise(bounds))


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
