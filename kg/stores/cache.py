"""The build cache in `<out>/.cache/`: what lets a rebuild skip work without trusting stale data.

- `manifest.json`: per source file its size, mtime and sha256, so an unchanged file is recognised
  without reading it. The store stays the source of truth (a file counts as unchanged only when
  the store holds a graph with the same sha256 and pipeline fingerprint); the manifest only saves
  the hashing. Files modified within two seconds of the previous build are hashed anyway (the
  "racy" case of equal size and mtime).
- `docs/<xx>/<doc_id>.frag.pkl`: per document graph its export fragments (sorted N-Triples of
  the triples about the document's own items, the shared triples about organisations and
  countries, and Turtle); `<doc_id>.rec.pkl`: the records grading reads from that graph. Both are
  keyed by (sha256, pipeline), so an entry is only used for the exact graph it was made from.
- `graphs/<name>.*`: the same for large non-document graphs written group by group (the analysis
  graph): a digest per group, so a regrade rewrites only what changed.

Everything here can be deleted at any time: it is rebuilt from the store.
"""

from __future__ import annotations

import json
import logging
import pickle
import time
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.store import atomic_write

log = logging.getLogger(__name__)

CACHE_DIRNAME = ".cache"
CACHE_VERSION = 1
GRAPH_INDEX_VERSION = 2  # index entries are `GroupSpan`s
RACY_SECONDS = 2.0


def prefix_header(prefixes: dict[str, str] = PREFIXES) -> bytes:
    """The `@prefix` lines every Turtle fragment is written against (written once per file)."""
    return "".join(f"@prefix {k}: <{v}> .\n" for k, v in prefixes.items()).encode()


def turtle_body(nt: bytes, prefixes: dict[str, str] = PREFIXES) -> bytes:
    """Turtle statements (no `@prefix` lines) for sorted N-Triples, to be concatenated. The
    N-Triples are pyoxigraph's own (or written byte-for-byte as it writes them), so they are
    parsed leniently: checking every IRI again took as long as writing the Turtle."""
    if not nt:
        return b""
    triples = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    ttl = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    start = 0
    while ttl.startswith(b"@prefix ", start):
        start = ttl.index(b"\n", start) + 1
    body = ttl[start:]
    return body if body.endswith(b"\n") else body + b"\n"


def sorted_lines(nt: bytes) -> bytes:
    """N-Triples with duplicate lines removed and lines sorted (a deterministic, diffable order)."""
    lines = sorted(set(nt.splitlines()))
    return b"\n".join(lines) + b"\n" if lines else b""


def split_document_lines(nt: bytes, doc_iri: str) -> tuple[bytes, bytes]:
    """(lines about the document's own items, other lines): organisations and countries are
    described in every document that names them, so they are deduplicated across documents."""
    own_prefix = f"<{doc_iri}".encode()
    own, shared = [], []
    for line in sorted(set(nt.splitlines())):
        if not line:
            continue
        (own if line.startswith(own_prefix) else shared).append(line)
    join = lambda xs: b"\n".join(xs) + b"\n" if xs else b""  # noqa: E731
    return join(own), join(shared)


def split_triples(triples: list[str], doc_iri: str) -> tuple[bytes, bytes]:
    """`split_document_lines` of triples written as N-Triples statements without the closing
    " ." (`kg.assemble.assemble_triples`): the same bytes, without parsing N-Quads."""
    lines = sorted(set(triples))
    start = bisect_left(lines, f"<{doc_iri}")  # the document's own lines sort together
    end = bisect_left(lines, f"<{doc_iri}\U0010ffff", start)
    join = lambda xs: (" .\n".join(xs) + " .\n").encode() if xs else b""  # noqa: E731
    return join(lines[start:end]), join(lines[:start] + lines[end:])


class GroupSpan(NamedTuple):
    """Where a group of a grouped graph sits in its N-Triples fragment, and its digest."""

    digest: bytes
    offset: int
    length: int
    lines: int


@dataclass
class DocumentEntry:
    """Export fragments of one document graph."""

    doc_id: str
    sha256: str
    pipeline: str
    nt: bytes
    shared: bytes
    ttl: bytes | None = None


class BuildCache:
    """Files under `<out>/.cache/` (created on first write)."""

    def __init__(self, out_dir: Path):
        self.root = Path(out_dir) / CACHE_DIRNAME

    def _path(self, doc_id: str, kind: str) -> Path:
        return self.root / "docs" / doc_id[:2] / f"{doc_id}.{kind}.pkl"

    def _write(self, path: Path, value: Any) -> None:
        self.write_pickle(path, (CACHE_VERSION, value))

    def _read(self, path: Path) -> Any:
        data = self.read_pickle(path)
        if not isinstance(data, tuple) or len(data) != 2:
            return None
        version, value = data
        return value if version == CACHE_VERSION else None

    def read_pickle(self, path: Path) -> Any:
        """What `write_pickle` wrote to `path`, or None when it is missing or unreadable."""
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return None

    # -- documents ------------------------------------------------------------------------
    def put_document(self, entry: DocumentEntry) -> None:
        self._write(self._path(entry.doc_id, "frag"), entry.__dict__)

    def get_document(self, doc_id: str, sha256: str, pipeline: str | None) -> DocumentEntry | None:
        """The fragments for exactly this content and pipeline, else None."""
        data = self._read(self._path(doc_id, "frag"))
        try:
            entry = DocumentEntry(**data) if isinstance(data, dict) else None
        except TypeError:
            return None
        if entry is None or entry.sha256 != sha256 or entry.pipeline != (pipeline or ""):
            return None
        return entry

    def put_records(self, doc_id: str, key: tuple[str, str, str], records: dict[str, Any]) -> None:
        """Grading inputs read from one document graph, for (sha256, pipeline, reader version)."""
        self._write(self._path(doc_id, "rec"), (key, records))

    def get_records(self, doc_id: str, key: tuple[str, str, str]) -> dict[str, Any] | None:
        data = self._read(self._path(doc_id, "rec"))
        if not isinstance(data, tuple) or len(data) != 2 or tuple(data[0]) != tuple(key):
            return None
        return data[1]

    def drop_document(self, doc_id: str) -> None:
        for kind in ("frag", "rec"):
            self._path(doc_id, kind).unlink(missing_ok=True)

    # -- grouped graphs (analysis) --------------------------------------------------------
    def graph_path(self, name: str, suffix: str) -> Path:
        return self.root / "graphs" / f"{name}.{suffix}"

    def load_index(self, name: str) -> tuple[str, dict[str, GroupSpan]]:
        """(state digest, span per group in fragment order) of a grouped graph, or ("", {})."""
        data = self.read_pickle(self.graph_path(name, "index.pkl"))
        if not isinstance(data, tuple) or len(data) != 3 or data[0] != GRAPH_INDEX_VERSION:
            return "", {}
        keys, *columns = data[2]
        spans = map(GroupSpan._make, zip(*columns, strict=True))
        return data[1], dict(zip(keys, spans, strict=True))

    def save_index(self, name: str, state: str, index: dict[str, GroupSpan]) -> None:
        """Saved by column (keys, digests, offsets, lengths, line counts): loads several times
        faster than one tuple per group."""
        columns = [list(column) for column in zip(*index.values(), strict=True)] or [[], [], [], []]
        value = (GRAPH_INDEX_VERSION, state, [list(index), *columns])
        self.write_pickle(self.graph_path(name, "index.pkl"), value)

    def write_pickle(self, path: Path, value: Any) -> None:
        """Pickle `value` to `path` (replaced atomically)."""
        atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def drop_graph(self, name: str) -> None:
        for suffix in ("index.pkl", "nt", "ttl", "ttl.pkl", "reuse.pkl", "replaced.pkl"):
            self.graph_path(name, suffix).unlink(missing_ok=True)


@dataclass
class FileState:
    size: int
    mtime_ns: int
    sha256: str


class Manifest:
    """Size, mtime and sha256 of every source file seen by the last build."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / CACHE_DIRNAME / "manifest.json"
        self.files: dict[str, FileState] = {}
        self.written = 0.0
        self.state: dict[str, Any] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION:
                self.written = float(data["written"])
                self.state = dict(data.get("state", {}))
                self.files = {k: FileState(*v) for k, v in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            self.files = {}

    def known_sha256(self, name: str, size: int, mtime_ns: int) -> str | None:
        """The recorded sha256 when size and mtime match and the mtime is not racy."""
        entry = self.files.get(name)
        if entry is None or entry.size != size or entry.mtime_ns != mtime_ns:
            return None
        if mtime_ns / 1e9 >= self.written - RACY_SECONDS:
            return None
        return entry.sha256

    def save(self, files: dict[str, FileState], state: dict[str, Any]) -> None:
        from kg.store import atomic_write

        data = {
            "version": CACHE_VERSION,
            "written": time.time(),
            "state": state,
            "files": {k: [v.size, v.mtime_ns, v.sha256] for k, v in sorted(files.items())},
        }
        atomic_write(self.path, json.dumps(data, separators=(",", ":")))
        self.files, self.state = files, state
