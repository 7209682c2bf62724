"""Exports (`kg.ttl`, `kg.nt`, `kg.trig`, `kg.jsonld`) written without holding the graph in memory.

Turtle and N-Triples hold the union of all graphs. They are assembled from per-graph fragments:
each document graph's own triples (sorted N-Triples lines, and their Turtle) in graph order, then
the grouped graphs (the analysis graph) from their cached fragment, and last the deduplicated
shared triples (organisations and countries named by many documents, ontology, vocabulary).
Fragments come from the build cache (written by the build workers) and are regenerated from the
store whenever the cache does not hold the exact graph, so the files are the same either way
apart from the analysis graph's order (grading order from the cache, sorted lines otherwise).
Dataset formats (TriG, JSON-LD) are dumped by the store itself.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from pathlib import Path

from kg.assemble import doc_iri
from kg.stores.cache import (
    BuildCache,
    DocumentEntry,
    prefix_header,
    sorted_lines,
    split_document_lines,
    turtle_body,
)
from kg.stores.groups import cache_name, valid_fragment

log = logging.getLogger(__name__)

TRIPLE_FORMATS = ("ttl", "nt")
TURTLE_CHUNK_LINES = 50_000


def write_exports(store, formats: list[str]) -> list[Path]:
    """Write `kg.<ext>` for each format into the store's out folder, each atomically."""
    from kg.store import EXPORT_FORMATS, atomic_file

    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise ValueError(f"unknown export format(s): {', '.join(unknown)}")
    targets = {f: store.out_dir / f"kg.{f}" for f in dict.fromkeys(formats)}
    triple_formats = [f for f in targets if f in TRIPLE_FORMATS]
    if triple_formats:
        _write_triple_exports(store, {f: targets[f] for f in triple_formats})
    for fmt, target in targets.items():
        if fmt not in TRIPLE_FORMATS:
            from kg.namespaces import PREFIXES

            with atomic_file(target) as fh:
                store.dump_dataset(fh, EXPORT_FORMATS[fmt], PREFIXES if fmt == "trig" else None)
    return list(targets.values())


def _write_triple_exports(store, targets: dict[str, Path]) -> None:
    from kg.store import atomic_file

    cache = BuildCache(store.out_dir)
    want_ttl = "ttl" in targets
    docs = sorted(store.documents().values(), key=lambda d: d.graph)
    doc_graphs = {d.graph for d in docs}
    others = [g for g in store.graph_names() if g not in doc_graphs]
    shared: set[bytes] = set()
    with contextlib.ExitStack() as stack:
        out = {fmt: stack.enter_context(atomic_file(path)) for fmt, path in targets.items()}
        if want_ttl:
            out["ttl"].write(prefix_header())
        for d in docs:
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
            if "nt" in out:
                out["nt"].write(entry.nt)
            if want_ttl:
                out["ttl"].write(entry.ttl or b"")
            shared.update(entry.shared.splitlines())
        for graph in others:
            fragment = valid_fragment(store, graph)
            if fragment is None:
                shared.update(store.graph_ntriples(graph).splitlines())
                continue
            if "nt" in out:
                with fragment.open("rb") as fh:
                    shutil.copyfileobj(fh, out["nt"], 1 << 20)
            if want_ttl:
                _copy_turtle(fragment, cache.graph_path(cache_name(graph), "ttl"), out["ttl"])
        shared.discard(b"")
        common = sorted_lines(b"\n".join(shared))
        if "nt" in out:
            out["nt"].write(common)
        if want_ttl:
            out["ttl"].write(turtle_body(common))


def _copy_turtle(nt_path: Path, ttl_path: Path, target) -> None:
    """Turtle for a large N-Triples fragment, converted in chunks once and then cached."""
    from kg.store import atomic_file

    if not ttl_path.is_file():
        with atomic_file(ttl_path) as cached, nt_path.open("rb") as fh:
            chunk: list[bytes] = []
            for line in fh:
                chunk.append(line)
                if len(chunk) >= TURTLE_CHUNK_LINES:
                    cached.write(turtle_body(b"".join(chunk)))
                    chunk = []
            if chunk:
                cached.write(turtle_body(b"".join(chunk)))
    with ttl_path.open("rb") as fh:
        shutil.copyfileobj(fh, target, 1 << 20)
