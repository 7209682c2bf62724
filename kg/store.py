"""The graph store: one named graph per document, atomic exports.

`GraphStore(out_dir)` is the embedded Oxigraph store in `<out>/store`. Given a SPARQL endpoint
(`store_url`, or the URL recorded in `<out>/store.json` by `kg build --store URL`) the same
constructor returns a `kg.stores.remote.RemoteStore` with the same methods, so every reader
(`kg report`, `kg query`, views) works against either.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.errors import StoreError
from kg.namespaces import HCKG

log = logging.getLogger(__name__)

STORE_DIRNAME = "store"
STORE_POINTER = "store.json"
EMBEDDED = ("embedded", "local")
EXPORT_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
WRITE_CHUNK = 200_000  # quads per write when streaming a large graph


@dataclass(frozen=True)
class StoredDocument:
    name: str
    doc_id: str
    sha256: str
    graph: str
    pipeline: str | None = None


@dataclass
class GraphPayload:
    """One document graph ready to load: its N-Quads and the graphs it replaces."""

    graph: str
    nquads: bytes
    quads: int
    replaces: list[str] = field(default_factory=list)


def recorded_store_url(out_dir: Path) -> str | None:
    """The SPARQL endpoint `kg build --store URL` recorded for this out folder, if any."""
    try:
        data = json.loads((Path(out_dir) / STORE_POINTER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = data.get("url") if isinstance(data, dict) else None
    return url if isinstance(url, str) and url else None


def store_files(path: Path | None) -> list[list] | None:
    """The embedded store's data files with their sizes and times (its log and lock aside), or None
    for an endpoint or a missing store. Any write, and any writable open, changes them; a
    read-only open does not, so equal listings mean the store holds what it held."""
    if path is None:
        return None
    try:
        entries = [(e.name, e.stat()) for e in os.scandir(path) if not e.name.startswith(("LOG", "LOCK"))]
    except OSError:
        return None
    return sorted([name, st.st_size, st.st_mtime_ns] for name, st in entries)


def open_store(out_dir: Path, store_url: str | None = None, read_only: bool = False) -> GraphStore:
    """The store for `out_dir`: embedded, or the SPARQL endpoint `store_url` / the recorded one."""
    return GraphStore(out_dir, read_only=read_only, store_url=store_url)


class GraphStore:
    """A persistent Oxigraph store in `<out>/store`."""

    is_remote = False

    def __new__(cls, out_dir: Path, read_only: bool = False, store_url: str | None = None):
        if cls is GraphStore:
            url = store_url or recorded_store_url(out_dir)
            if url and url not in EMBEDDED:
                from kg.stores.remote import RemoteStore

                return super().__new__(RemoteStore)
        return super().__new__(cls)

    def __init__(self, out_dir: Path, read_only: bool = False, store_url: str | None = None):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / STORE_DIRNAME
        self.url = None
        if read_only and not self.path.is_dir():
            raise StoreError(f"{self.out_dir}: no graph built here (run `kg build` first)")
        try:
            if read_only:
                self.store = ox.Store.read_only(str(self.path))
            else:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open the store ({exc})") from exc
        self.read_only = read_only

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url or self.path}>"

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Flush and release the store (the RocksDB lock goes with the last reference)."""
        if getattr(self, "store", None) is not None:
            self.flush()
            self.store = None

    # -- writing --------------------------------------------------------------------------
    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> int:
        """Replace the content of one named graph; returns the number of quads written.

        A list is written in one transaction; any other iterable is streamed in chunks.
        """
        g = ox.NamedNode(graph)
        if self.store.contains_named_graph(g):
            self.store.remove_graph(g)
        if isinstance(quads, list):
            self.store.extend(quads)
            return len(quads)
        written = 0
        for chunk in _chunks(quads, WRITE_CHUNK):
            self.store.extend(chunk)
            written += len(chunk)
        return written

    def remove_graph(self, graph: str) -> None:
        g = ox.NamedNode(graph)
        if self.store.contains_named_graph(g):
            self.store.remove_graph(g)

    def replace_with_rdflib(self, graph: str, g: rdflib.Graph) -> int:
        """Replace a named graph with an rdflib graph's triples (ontology, vocabulary)."""
        data = g.serialize(format="nt", encoding="utf-8")
        target = ox.NamedNode(graph)
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, target)
            for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        ]
        return self.replace_graph(graph, quads)

    def load_graphs(self, payloads: list[GraphPayload], bulk: bool = False) -> int:
        """Write a batch of document graphs, first removing the graphs they replace.

        `bulk` uses Oxigraph's bulk loader (several times faster, not transactional: the build
        keeps a journal so an interrupted batch is removed and redone on the next run).
        """
        for p in payloads:
            for old in p.replaces:
                self.remove_graph(old)
        try:
            self._insert_nquads(b"".join(p.nquads for p in payloads), bulk=bulk)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot write {len(payloads)} graphs ({exc})") from exc
        return sum(p.quads for p in payloads)

    def load_nquads_file(self, path: Path) -> None:
        """Bulk-load an N-Quads file (e.g. one shard written by cluster workers), streaming it."""
        try:
            self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{path}: cannot load ({exc})") from exc

    def replace_graph_groups(self, graph: str, groups: Iterable[tuple[str, list[ox.Quad]]]) -> int:
        """Replace a large graph given as groups of quads (e.g. one per graded claim), rewriting
        only the groups whose content changed since the last call. Returns the quads it holds."""
        from kg.stores.groups import write_groups

        return write_groups(self, graph, groups)

    def flush(self) -> None:
        if not self.read_only and getattr(self, "store", None) is not None:
            self.store.flush()

    # -- low-level operations shared with the remote store --------------------------------
    def _insert_nquads(self, data: bytes, bulk: bool = False) -> None:
        if data:
            if bulk:
                self.store.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
            else:
                self.store.load(data, format=ox.RdfFormat.N_QUADS, lenient=True)

    def _delete_quads(self, quads: list[ox.Quad]) -> None:
        for q in quads:
            self.store.remove(q)

    def _subject_quads(self, graph: str, subject: str) -> list[ox.Quad]:
        return list(self.store.quads_for_pattern(ox.NamedNode(subject), None, None, ox.NamedNode(graph)))

    # -- reading --------------------------------------------------------------------------
    def documents(self) -> dict[str, StoredDocument]:
        """Documents in the store by file name."""
        out = {}
        for row in self.query(_DOCUMENTS_QUERY):
            pipeline = row["pipeline"].value if row["pipeline"] is not None else None
            out[row["name"].value] = StoredDocument(
                row["name"].value, row["id"].value, row["sha"].value, row["g"].value, pipeline
            )
        return out

    def query(self, sparql: str, **kwargs):
        return self.store.query(sparql, use_default_graph_as_union=True, **kwargs)

    def quads(self, graph: str | None = None) -> list[ox.Quad]:
        g = ox.NamedNode(graph) if graph else None
        return list(self.store.quads_for_pattern(None, None, None, g))

    def graph_size(self, graph: str) -> int:
        """Quads in one named graph."""
        rows = list(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
        return int(rows[0]["n"].value) if rows else 0

    def graph_names(self) -> list[str]:
        """Named graphs in the store, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_ntriples(self, graph: str) -> bytes:
        """One named graph as N-Triples (store order)."""
        buf = io.BytesIO()
        self.store.dump(buf, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        return buf.getvalue()

    def dump_dataset(self, output, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        """Every quad, in a dataset format (TriG, N-Quads, JSON-LD), in the store's own order."""
        if prefixes:
            self.store.dump(output, format=fmt, prefixes=prefixes)
        else:
            self.store.dump(output, format=fmt)

    def __len__(self) -> int:
        return len(self.store)

    # -- exporting ------------------------------------------------------------------------
    def export(
        self, formats: Iterable[str], documents: dict[str, StoredDocument] | None = None
    ) -> list[Path]:
        """Write `kg.<ext>` files into the out folder, each atomically (temp file, rename).

        Turtle and N-Triples hold the union of all graphs, document by document in graph order
        with each document's triples sorted, shared triples (organisations, countries) once at
        the end; they are assembled from the build cache and the previous file, so they cost
        little to rewrite. `documents` is what `documents()` returns, if known.
        """
        from kg.stores.exports import write_exports

        return write_exports(self, list(formats), documents)


# the type pattern first, in a GRAPH block of its own: Oxigraph then starts from the documents
# (one per graph) instead of scanning every graph for the other patterns, 15× faster at 5,000
# Whole-property scans hash-joined on (graph, document): a few times faster than looking each
# property up document by document once the store holds thousands of documents.
_DOCUMENTS_QUERY = f"""
SELECT ?g ?doc ?name ?id ?sha ?pipeline WHERE {{
  {{ SELECT ?g ?doc ?name WHERE {{ GRAPH ?g {{ ?doc <{HCKG}fileName> ?name }} }} }}
  {{ SELECT ?g ?doc ?id WHERE {{
      GRAPH ?g {{ ?doc a <{HCKG}Document> ; <http://purl.org/dc/terms/identifier> ?id }} }} }}
  {{ SELECT ?g ?doc ?sha WHERE {{ GRAPH ?g {{ ?doc <{HCKG}sha256> ?sha }} }} }}
  OPTIONAL {{ {{ SELECT ?g ?doc ?pipeline WHERE {{
      GRAPH ?g {{ ?doc <{HCKG}pipelineVersion> ?pipeline }} }} }} }}
}}"""


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def atomic_write(target: Path, payload: bytes | str) -> None:
    """Write a file so readers see either the old or the new content, never a partial one."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    with atomic_file(target) as fh:
        fh.write(data)


class atomic_file:
    """`with atomic_file(path) as fh:` write a file in place of `path` only when the block succeeds."""

    def __init__(self, target: Path):
        self.target = Path(target)

    def __enter__(self):
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", dir=self.target.parent)
        self.fh = os.fdopen(fd, "wb")
        return self.fh

    def __exit__(self, exc_type, exc, tb) -> None:
        self.fh.close()
        if exc_type is not None:
            Path(self.tmp).unlink(missing_ok=True)
            return
        os.chmod(self.tmp, 0o644)
        os.replace(self.tmp, self.target)
