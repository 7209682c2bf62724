"""The embedded RDF store (Oxigraph): one named graph per document, atomic exports."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.errors import StoreError
from kg.namespaces import HCKG, PREFIXES

log = logging.getLogger(__name__)

STORE_DIRNAME = "store"
EXPORT_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class StoredDocument:
    name: str
    doc_id: str
    sha256: str
    graph: str
    pipeline: str | None = None


class GraphStore:
    """A persistent Oxigraph store in `<out>/store`."""

    def __init__(self, out_dir: Path, read_only: bool = False):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / STORE_DIRNAME
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

    # -- writing --------------------------------------------------------------------------
    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> int:
        """Replace the content of one named graph; returns the number of quads written."""
        items = list(quads)
        g = ox.NamedNode(graph)
        if self.store.contains_named_graph(g):
            self.store.remove_graph(g)
        self.store.extend(items)
        return len(items)

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

    def flush(self) -> None:
        if not self.read_only:
            self.store.flush()

    # -- reading --------------------------------------------------------------------------
    def documents(self) -> dict[str, StoredDocument]:
        """Documents in the store by file name."""
        q = f"""
        SELECT ?g ?doc ?name ?id ?sha ?pipeline WHERE {{
          GRAPH ?g {{ ?doc a <{HCKG}Document> ; <{HCKG}fileName> ?name ;
                      <http://purl.org/dc/terms/identifier> ?id ; <{HCKG}sha256> ?sha .
                      OPTIONAL {{ ?doc <{HCKG}pipelineVersion> ?pipeline }} }}
        }}"""
        out = {}
        for row in self.store.query(q):
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

    def __len__(self) -> int:
        return len(self.store)

    # -- exporting ------------------------------------------------------------------------
    def export(self, formats: Iterable[str]) -> list[Path]:
        """Write `kg.<ext>` files into the out folder, each atomically (temp file, rename)."""
        written = []
        quads = sorted(self.quads(), key=_quad_key)
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=_triple_key)
        for ext in formats:
            fmt = EXPORT_FORMATS[ext]
            target = self.out_dir / f"kg.{ext}"
            data = triples if ext in {"ttl", "nt"} else quads
            prefixes = PREFIXES if ext in {"ttl", "trig"} else None
            payload = (
                ox.serialize(data, format=fmt, prefixes=prefixes)
                if prefixes
                else ox.serialize(data, format=fmt)
            )
            atomic_write(target, payload)
            written.append(target)
        return written


def _triple_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


def _quad_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))


def atomic_write(target: Path, payload: bytes | str) -> None:
    """Write a file so readers see either the old or the new content, never a partial one."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
