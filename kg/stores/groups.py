"""Write a large graph group by group, touching only the groups that changed.

The analysis graph holds a few dozen quads per graded claim and study; most survive a rebuild
unchanged. Each group (a claim with its flag-reason nodes, a study with its grade steps) is
serialised once, its digest compared with the digest recorded by the previous write, and only
changed groups are diffed against the previous write (read back in one pass from the cached
N-Triples fragment, or from the store when that fragment cannot be trusted). The graph carries a
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
from kg.stores.cache import BuildCache

log = logging.getLogger(__name__)

CHUNK = 100_000
_SHA = ox.NamedNode(HCKG + "sha256")


def cache_name(graph: str) -> str:
    return graph.rstrip("/").rsplit("/", 1)[-1] or "graph"


def write_groups(store, graph: str, groups: Iterable[tuple[str, list]]) -> int:
    """Replace `graph` with the content of `groups`: (key, quads) or (key, N-Triples lines as
    written by `kg.stores.ntriples`), keys distinct. Returns the number of quads inserted (0 when
    nothing changed)."""
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
    # diffed against it, read once in order, rather than looked up in the store group by group
    changed: dict[str, list[bytes]] | None = {} if trusted and previous.is_file() else None
    running = hashlib.blake2b(digest_size=12)
    new_index: dict[str, bytes] = {}
    inserts: list[bytes] = []
    deletes: list[ox.Quad] = []
    inserted = 0

    def flush(final: bool = False) -> None:
        nonlocal inserted
        if deletes and (final or len(deletes) >= CHUNK):
            store._delete_quads(deletes)
            deletes.clear()
        if inserts and (final or len(inserts) >= CHUNK):
            store._insert_nquads(b"\n".join(inserts) + b"\n", bulk=not trusted)
            inserted += len(inserts)
            inserts.clear()

    from kg.store import atomic_file

    with atomic_file(cache.graph_path(name, "nt")) as fragment:
        for key, quads in groups:
            if key in new_index:
                raise ValueError(f"{graph}: group {key} given twice")
            if quads and isinstance(quads[0], str):  # N-Triples lines (see kg.stores.ntriples)
                graph_end = f"<{graph}> .".encode()
                lines = sorted({line[:-1].encode() + graph_end for line in quads})
            else:
                lines = sorted(set(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines()))
            block = b"\n".join(lines) + b"\n" if lines else b""
            d = hashlib.blake2b(block, digest_size=8).digest()
            new_index[key] = d
            running.update(key.encode() + d)
            fragment.write(block.replace(suffix, b" .\n"))
            old = index.pop(key, None)
            if old == d:
                continue
            if old is None:
                inserts.extend(lines)
            elif changed is not None:
                changed[key] = lines
            else:
                old_quads = _group_quads(store, graph, key)
                old_lines = ox.serialize(old_quads, format=ox.RdfFormat.N_QUADS).splitlines()
                keep = set(lines)
                deletes.extend(q for q, line in zip(old_quads, old_lines, strict=True) if line not in keep)
                had = set(old_lines)
                inserts.extend(line for line in lines if line not in had)
            flush()
        if changed is not None:
            old_lines = _fragment_groups(previous, set(changed) | set(index))
            ends = (f" <{graph}> .".encode(), b" .")
            for key, lines in changed.items():
                had = old_lines.pop(key, set())
                now = {line[: -len(ends[0])] + ends[1] for line in lines}
                deletes.extend(_quads(had - now, g))
                inserts.extend(line for line in lines if line[: -len(ends[0])] + ends[1] not in had)
                flush()
            for had in old_lines.values():  # groups that are gone
                deletes.extend(_quads(had, g))
                flush()
        else:
            for key in index:  # groups that are gone
                deletes.extend(_group_quads(store, graph, key))
                flush()
        flush(final=True)
        new_state = running.hexdigest()
        marker_quad = ox.Quad(ox.NamedNode(marker), _SHA, ox.Literal(new_state), g)
        fragment.write(ox.serialize([marker_quad], format=ox.RdfFormat.N_QUADS).replace(suffix, b" .\n"))
    store._insert_nquads(ox.serialize([marker_quad], format=ox.RdfFormat.N_QUADS))
    cache.save_index(name, new_state, new_index)
    (cache.graph_path(name, "ttl")).unlink(missing_ok=True)
    return inserted


def _fragment_groups(path: Path, keys: set[str]) -> dict[str, set[bytes]]:
    """The N-Triples lines of the groups `keys` in a fragment file written by `write_groups`."""
    found: dict[str, set[bytes]] = {}
    with path.open("rb") as f:
        for raw in f:
            if not raw.startswith(b"<"):
                continue
            key = raw[1 : raw.index(b">")].decode().split("#", 1)[0]
            if key in keys:
                found.setdefault(key, set()).add(raw.rstrip(b"\n"))
    return found


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


def valid_fragment(store, graph: str) -> Path | None:
    """The cached N-Triples file of a grouped graph when it matches the store's marker, else None."""
    cache = BuildCache(store.out_dir)
    name = cache_name(graph)
    state, _ = cache.load_index(name)
    if not state:
        return None
    stored = [q.object.value for q in store._subject_quads(graph, graph + "#state")]
    path = cache.graph_path(name, "nt")
    return path if stored == [state] and path.is_file() else None
