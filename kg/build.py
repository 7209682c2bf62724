"""Build: ingest → extract → assemble into the store, then grade and export."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.compare import to_canonical_graph

from kg import __version__
from kg.assemble import assemble, graph_iri
from kg.errors import IngestError
from kg.extract import extract_document
from kg.grade import grade_store
from kg.ingest import DEFAULT_MAX_BYTES, Source, discover, read_document
from kg.namespaces import HCKG, ONTOLOGY_GRAPH, VOCABULARY_GRAPH
from kg.paths import BUNDLED_CORPUS, ontology_dir
from kg.store import GraphStore

log = logging.getLogger(__name__)

DEFAULT_EXPORTS = ("ttl",)


@dataclass
class BuildReport:
    """What a build did."""

    out_dir: Path
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    exports: list[Path] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return len(self.built) + len(self.unchanged)


def pipeline_fingerprint() -> str:
    """Hash of everything extraction depends on: the ontology data files and the extractor code.

    A document is re-extracted when its stored fingerprint differs, so an edited vocabulary or
    an upgraded extractor never leaves stale triples behind.
    """
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    files = sorted(ontology_dir().glob("*.ttl")) + sorted(package.glob("extract/*.py"))
    files += [package / name for name in ("ingest.py", "text.py", "vocab.py", "lexicon.py", "assemble.py")]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_reference_graphs(store: GraphStore) -> None:
    """(Re)load the ontology and vocabulary into their own named graphs when their files changed."""
    folder = ontology_dir()
    files = [folder / n for n in ("kg.ttl", "grading.ttl", "vocabulary.ttl") if (folder / n).is_file()]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]
    marker = f"{ONTOLOGY_GRAPH}#loaded"
    found = store.query(
        f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{marker}> <{HCKG}sha256> {json.dumps(digest)} }} }}"
    )
    if found:
        return
    ontology = rdflib.Graph()
    for path in files:
        if path.name != "vocabulary.ttl":
            ontology.parse(path)
    vocabulary = rdflib.Graph().parse(folder / "vocabulary.ttl")
    # canonical blank-node labels keep the store and the exports identical across builds
    ontology = rdflib.Graph() + to_canonical_graph(ontology)
    ontology.add((rdflib.URIRef(marker), rdflib.URIRef(HCKG + "sha256"), rdflib.Literal(digest)))
    store.replace_with_rdflib(ONTOLOGY_GRAPH, ontology)
    store.replace_with_rdflib(VOCABULARY_GRAPH, to_canonical_graph(vocabulary))


def build(
    paths: list[Path] | None,
    out_dir: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    exports: tuple[str, ...] = DEFAULT_EXPORTS,
    force: bool = False,
    on_document: Callable[[Source, str], None] | None = None,
) -> BuildReport:
    """Build (or update) the graph in `out_dir` from `paths` (default: the bundled corpus).

    Only new or changed documents are re-extracted (by content hash) unless `force`;
    documents no longer present are removed. A file that cannot be read is reported in
    `errors` and leaves its previous graph (if any) untouched.
    """
    started = time.perf_counter()
    sources = discover(paths or [BUNDLED_CORPUS])
    report = BuildReport(out_dir=out_dir)
    store = GraphStore(out_dir)
    load_reference_graphs(store)
    stored = store.documents()
    fingerprint = pipeline_fingerprint()
    seen: set[str] = set()
    for source in sources:
        seen.add(source.name)
        status = _build_one(store, source, stored.get(source.name), max_bytes, force, fingerprint, report)
        if on_document:
            on_document(source, status)
    for name, doc in sorted(stored.items()):
        if name not in seen:
            store.remove_graph(doc.graph)
            report.removed.append(name)
    grade_store(store)
    store.flush()
    report.exports = store.export(exports)
    report.triples = len(store)
    report.seconds = time.perf_counter() - started
    return report


def _build_one(store, source, previous, max_bytes, force, fingerprint, report) -> str:
    try:
        digest = hashlib.sha256(source.path.read_bytes()).hexdigest() if previous else None
    except OSError:
        digest = None
    if previous and not force and digest == previous.sha256 and previous.pipeline == fingerprint:
        report.unchanged.append(source.name)
        return "unchanged"
    try:
        doc = read_document(source, max_bytes)
    except IngestError as exc:
        report.errors.append(str(exc))
        log.warning("%s", exc)
        return "error"
    quads = assemble(extract_document(doc), pipeline=fingerprint)
    if previous and previous.graph != graph_iri(doc.doc_id):
        store.remove_graph(previous.graph)
    store.replace_graph(graph_iri(doc.doc_id), quads)
    report.built.append(source.name)
    return "built"
