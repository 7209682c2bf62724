"""Build: ingest → extract → assemble into the store, then grade and export.

Documents are read, extracted and serialised in worker processes (`jobs`, see `kg.workers`) and
streamed to the store in batches by a writer thread, so memory stays flat however large the
corpus. A rebuild re-extracts only documents whose content (sha256) or pipeline fingerprint
changed, removes the graphs of documents that disappeared, and re-grades and re-exports only
when something changed. Output does not depend on `jobs` or on the order in which workers
finish: every IRI and triple is a function of the documents' content, exports are written in
graph order.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import rdflib
from rdflib.compare import to_canonical_graph

from kg.ingest import DEFAULT_MAX_BYTES, Source, discover
from kg.lexicon import load_lexicon
from kg.namespaces import ANALYSIS_GRAPH, HCKG, ONTOLOGY_GRAPH, VOCABULARY_GRAPH
from kg.paths import BUNDLED_CORPUS, files_fingerprint, ontology_dir
from kg.store import (
    STORE_DIRNAME,
    STORE_POINTER,
    GraphPayload,
    GraphStore,
    StoredDocument,
    atomic_write,
    open_store,
    store_files,
)
from kg.stores.cache import CACHE_DIRNAME, BuildCache, FileState, Manifest
from kg.workers import RecordReader, Task, records_version, run

log = logging.getLogger(__name__)

DEFAULT_EXPORTS = ("ttl",)
BATCH_QUADS = 250_000  # quads per store write


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
    exports: list[Path] = field(default_factory=list)  # requested export files
    written: list[Path] = field(default_factory=list)  # of those, the ones rewritten by this build
    jobs: int = 1
    workers: int = 0  # extraction processes started (0: extracted in-process)
    bytes_read: int = 0  # bytes of the documents (re)extracted
    extract_seconds: float = 0.0  # CPU time the workers spent reading, extracting and serialising
    graded: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    store: str = ""
    state: str = ""  # digest of the document graphs and the code: equal states, equal graphs

    @property
    def documents(self) -> int:
        return len(self.built) + len(self.unchanged)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        data["exports"] = [str(p) for p in self.exports]
        data["written"] = [str(p) for p in self.written]
        data["documents"] = self.documents
        return data


class BuildProgress(Protocol):
    """Receives progress events (the CLI draws a progress bar from them)."""

    def start(self, documents: int, size: int) -> None: ...

    def document(self, source: Source, status: str, size: int) -> None: ...

    def stage(self, name: str) -> None: ...


class RichProgress:
    """A progress bar on the terminal: documents, MB/s and time left, then the stage running."""

    def __init__(self, console=None):
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[docs]:,}/{task.fields[total_docs]:,} documents"),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self.task = None

    def start(self, documents: int, size: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("extracting", total=max(size, 1), docs=0, total_docs=documents)

    def document(self, source: Source, status: str, size: int) -> None:
        if self.task is not None:
            done = self.progress.tasks[0].fields["docs"] + 1
            self.progress.update(self.task, advance=size, docs=done)

    def stage(self, name: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, description=name)

    def stop(self) -> None:
        self.progress.stop()


EXTRACTION_DATA = ("vocabulary.ttl", "lexicon.ttl", "gazetteer.ttl")
EXTRACTION_CODE = (
    "ingest.py",
    "text.py",
    "vocab.py",
    "lexicon.py",
    "screen.py",
    "gazetteer.py",
    "model.py",
    "namespaces.py",
    "assemble.py",
)


def pipeline_fingerprint() -> str:
    """Hash of everything extraction depends on: the ontology data files it reads and the code
    from reading a file to writing its triples.

    A document is re-extracted when its stored fingerprint differs, so an edited vocabulary or
    an upgraded extractor never leaves stale triples behind; editing the SHACL shapes, the OWL
    ontology or the grading rules does not (those are checked or re-graded, not re-extracted).
    """
    package = Path(__file__).parent
    files = [ontology_dir() / name for name in EXTRACTION_DATA] + sorted(package.glob("extract/*.py"))
    files += [package / name for name in EXTRACTION_CODE]
    return files_fingerprint(files)


def grading_fingerprint() -> str:
    """Hash of the grading code and data: the analysis graph is rebuilt when it changes."""
    package = Path(__file__).parent
    names = ("grade.py", "grading.py", "analyse.py", "rules.py", "lexicon.py", "vocab.py")
    return files_fingerprint(sorted(ontology_dir().glob("*.ttl")) + [package / n for n in names])


def load_reference_graphs(store: GraphStore) -> bool:
    """(Re)load the ontology and vocabulary into their own named graphs when their files changed;
    returns whether they did."""
    folder = ontology_dir()
    files = [folder / n for n in ("kg.ttl", "grading.ttl", "vocabulary.ttl") if (folder / n).is_file()]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]
    marker = f"{ONTOLOGY_GRAPH}#loaded"
    found = store.query(
        f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{marker}> <{HCKG}sha256> {json.dumps(digest)} }} }}"
    )
    if bool(found):
        return False
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
    return True


# -- the build ------------------------------------------------------------------------------
def build(
    paths: list[Path] | None,
    out_dir: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    exports: tuple[str, ...] = DEFAULT_EXPORTS,
    force: bool = False,
    on_document: Callable[[Source, str], None] | None = None,
    jobs: int | None = None,
    store_url: str | None = None,
    progress: BuildProgress | None = None,
) -> BuildReport:
    """Build (or update) the graph in `out_dir` from `paths` (default: the bundled corpus).

    Only new or changed documents are re-extracted (by content hash) unless `force`;
    documents no longer present are removed. A file that cannot be read is reported in
    `errors` and leaves its previous graph (if any) untouched. `jobs` worker processes extract
    in parallel (default: one per core). `store_url` targets a SPARQL 1.1 endpoint instead of
    the embedded store (recorded in `<out>/store.json` for later commands; "embedded" goes back).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    jobs = max(1, jobs or os.cpu_count() or 1)
    report = BuildReport(out_dir=out_dir, jobs=jobs)
    timings = report.timings
    sources = discover(paths or [BUNDLED_CORPUS])
    timings["discover"] = time.perf_counter() - started
    load_lexicon()  # an unusable lexicon fails here, once, before any worker or the store starts
    files_before = store_files(out_dir / STORE_DIRNAME)  # before opening it for writing changes them
    store = open_store(out_dir, store_url)
    _record_store(out_dir, store_url)
    report.store = str(store.url or store.path)
    with store:
        cache, manifest = BuildCache(out_dir), Manifest(out_dir)
        recovered = _recover(store, out_dir)
        reference_changed = load_reference_graphs(store)
        stored = _stored_documents(store, manifest, files_before)
        fingerprint = pipeline_fingerprint()
        recorded = None if recovered or reference_changed or force else manifest.state.get("triples")
        count = _QuadCount(store, recorded, _state(stored, fingerprint))
        t = time.perf_counter()
        files, tasks = _plan(
            sources, stored, manifest, fingerprint, force, max_bytes, out_dir, exports, report
        )
        timings["check"] = time.perf_counter() - t
        if on_document:
            for source in sources:
                if source.name in files:
                    on_document(source, "unchanged")
        t = time.perf_counter()
        names = {s.name for s in sources}
        replaced = [d.graph for n, d in stored.items() if n not in names or n not in files]
        count.before_change(replaced, len(stored))
        for name, doc in sorted(stored.items()):
            if name not in names:
                store.remove_graph(doc.graph)
                cache.drop_document(doc.doc_id)
                report.removed.append(name)
        if progress:
            progress.start(len(tasks), sum(_size(task.source) for task in tasks))
        loaded = _extract_and_load(store, tasks, stored, jobs, report, files, on_document, progress)
        timings["extract_and_load"] = time.perf_counter() - t
        report.built.sort()
        report.unchanged.sort()
        report.errors.sort()
        documents = {n: d for n, d in stored.items() if n not in report.removed} | loaded
        state = _state(documents, fingerprint)
        report.state = state
        regrade = force or reference_changed or report.built or report.removed
        if regrade or manifest.state.get("graded") != state:
            if progress:
                progress.stage("grading")
            t = time.perf_counter()
            count.analysis_written(grade_built_store(store, cache, documents).quads)
            report.graded = True
            timings["grade"] = time.perf_counter() - t
        exported = dict(manifest.state.get("exports", {}))
        if report.graded:
            exported = {}
        wanted = [
            f
            for f in dict.fromkeys(exports)
            if exported.get(f) != state or not (out_dir / f"kg.{f}").is_file()
        ]
        if wanted:
            if progress:
                progress.stage("exporting")
            t = time.perf_counter()
            store.flush()
            store.export(wanted, documents)
            timings["export"] = time.perf_counter() - t
            exported.update({f: state for f in wanted})
            report.written = [out_dir / f"kg.{f}" for f in wanted]
        report.exports = [out_dir / f"kg.{f}" for f in dict.fromkeys(exports)]
        t = time.perf_counter()
        gone = [stored[n].graph for n in report.removed] + [stored[n].graph for n in loaded if n in stored]
        counted = count.result(state, gone, [d.graph for d in loaded.values()])
        report.triples = counted[1]
        timings["count"] = time.perf_counter() - t
        listing = {n: [d.doc_id, d.sha256, d.graph, d.pipeline] for n, d in sorted(documents.items())}
        built = {"graded": state, "exports": exported, "triples": counted, "documents": listing}
    # the store is closed: its files are as the next build will find them unless something writes
    built["store_files"] = None if store.is_remote else store_files(store.path)
    manifest.save(files, built)
    report.seconds = time.perf_counter() - started
    return report


def _stored_documents(
    store: GraphStore, manifest: Manifest, files_before: list[list] | None
) -> dict[str, StoredDocument]:
    """The documents in the store: as the last build recorded them when the store's files are the
    ones it left (nothing wrote since: no query, which costs seconds on a large store), else
    read from the store."""
    recorded = manifest.state.get("documents")
    if (
        not store.is_remote
        and recorded is not None
        and files_before is not None
        and manifest.state.get("store_files") == files_before
    ):
        return {name: StoredDocument(name, *fields) for name, fields in recorded.items()}
    return store.documents()


def _size(source: Source) -> int:
    try:
        return source.path.stat().st_size
    except OSError:
        return 0


def _record_store(out_dir: Path, store_url: str | None) -> None:
    """Remember a SPARQL endpoint for later commands (or forget it for "embedded")."""
    pointer = out_dir / STORE_POINTER
    if store_url in ("embedded", "local"):
        pointer.unlink(missing_ok=True)
    elif store_url:
        atomic_write(pointer, json.dumps({"url": store_url}, indent=2) + "\n")


def _plan(sources, stored, manifest, fingerprint, force, max_bytes, out_dir, exports, report):
    """Which documents need extracting; the file states of the unchanged ones."""
    files: dict[str, FileState] = {}
    tasks: list[Task] = []
    turtle = "ttl" in exports
    for source in sources:
        previous: StoredDocument | None = stored.get(source.name)
        if previous and not force and previous.pipeline == fingerprint:
            try:
                st = source.path.stat()
                sha = manifest.known_sha256(source.name, st.st_size, st.st_mtime_ns)
                if sha is None:
                    sha = hashlib.sha256(source.path.read_bytes()).hexdigest()
            except OSError:
                sha = None
            if sha == previous.sha256:
                files[source.name] = FileState(st.st_size, st.st_mtime_ns, sha)
                report.unchanged.append(source.name)
                continue
        tasks.append(Task(source, max_bytes, fingerprint, str(out_dir), turtle))
    return files, tasks


def _journal(out_dir: Path) -> Path:
    return out_dir / CACHE_DIRNAME / "journal.json"


def _recover(store: GraphStore, out_dir: Path) -> bool:
    """Remove the graphs of a batch an interrupted build was writing (they are rebuilt);
    returns whether there was one."""
    path = _journal(out_dir)
    try:
        graphs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    log.warning("previous build was interrupted; redoing %d documents", len(graphs))
    for graph in graphs:
        store.remove_graph(graph)
    path.unlink(missing_ok=True)
    return True


class _QuadCount:
    """The store's quad count, carried over from the previous build and updated by the graphs
    this build removes, replaces and writes (each counted on its own, a few ms for a document)
    instead of counted in full (~0.2 s per million quads). `recorded` is what the previous build
    saved ([state, quads, analysis graph quads]); it is used only when the store still holds
    the documents that build left (`state`), else everything is counted."""

    def __init__(self, store: GraphStore, recorded: Any, state: str):
        usable = isinstance(recorded, list) and len(recorded) == 3 and recorded[0] == state
        self.store = store
        self.total: int | None = recorded[1] if usable else None
        self.analysis: int | None = recorded[2] if usable else None
        self.before: dict[str, int] = {}
        self.written: int | None = None

    def before_change(self, graphs: list[str], documents: int) -> None:
        """Count graphs that may be removed or replaced, while they still hold their quads; when
        they are more than a tenth of the `documents` a full count costs less."""
        if len(graphs) > max(20, documents // 10):
            self.total = None
        if self.total is not None:
            self.before.update((g, self.store.graph_size(g)) for g in graphs)

    def analysis_written(self, quads: int) -> None:
        self.written = quads

    def result(self, state: str, gone: list[str], new: list[str]) -> list:
        """[state, quads, analysis graph quads] after the `gone` graphs were removed or
        replaced and the `new` ones written."""
        if self.total is None or self.analysis is None:
            analysis = self.written if self.written is not None else self.store.graph_size(ANALYSIS_GRAPH)
            return [state, len(self.store), analysis]
        analysis = self.analysis if self.written is None else self.written
        total = self.total - sum(self.before[g] for g in gone) + sum(map(self.store.graph_size, new))
        return [state, total + analysis - self.analysis, analysis]


class _BatchWriter:
    """Writes batches of graphs to the store in a background thread while the workers keep
    extracting (pyoxigraph and HTTP release the GIL while loading). At most two batches wait."""

    def __init__(self, store: GraphStore, journal: Path, bulk: bool):
        self.store, self.journal, self.bulk = store, journal, bulk
        self.queue: queue.Queue[list[GraphPayload] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="kg-store-writer", daemon=True)
        self.thread.start()

    def put(self, batch: list[GraphPayload]) -> None:
        if self.error:
            raise self.error
        self.queue.put(batch)

    def _loop(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error:
                continue
            try:
                graphs = [p.graph for p in batch] + [g for p in batch for g in p.replaces]
                atomic_write(self.journal, json.dumps(graphs))
                self.store.load_graphs(batch, bulk=self.bulk)
                self.journal.unlink(missing_ok=True)
            except BaseException as exc:
                self.error = exc

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise self.error


def _extract_and_load(
    store, tasks, stored, jobs, report, files, on_document, progress
) -> dict[str, StoredDocument]:
    """Extract `tasks` and write their graphs; returns the documents written, as
    `store.documents()` lists them."""
    previous_graph = {name: doc.graph for name, doc in stored.items()}
    writer = _BatchWriter(store, _journal(report.out_dir), bulk=not stored)
    loaded: dict[str, StoredDocument] = {}
    pipelines = {task.source.name: task.pipeline for task in tasks}
    batch: list[GraphPayload] = []
    batch_quads = 0
    try:
        for result in run(tasks, jobs, on_workers=lambda n: setattr(report, "workers", n)):
            report.extract_seconds += result.seconds
            name = result.source.name
            if result.error:
                report.errors.append(result.error)
                log.warning("%s", result.error)
                status = "error"
            else:
                old = previous_graph.get(name)
                batch.append(GraphPayload(result.graph, result.nquads, result.quads, [old] if old else []))
                batch_quads += result.quads
                files[name] = FileState(result.size, result.mtime_ns, result.sha256)
                pipeline = pipelines[name]
                loaded[name] = StoredDocument(name, result.doc_id, result.sha256, result.graph, pipeline)
                report.built.append(name)
                report.bytes_read += result.size
                status = "built"
                if batch_quads >= BATCH_QUADS:
                    writer.put(batch)
                    batch, batch_quads = [], 0
            if on_document:
                on_document(result.source, status)
            if progress:
                progress.document(result.source, status, result.size)
        if batch:
            writer.put(batch)
    finally:
        writer.close()
    return loaded


def _state(documents: dict[str, Any], fingerprint: str) -> str:
    """Digest of what grading and exports depend on: the document graphs and the code."""
    graphs = sorted(d.graph for d in documents.values())
    digest = hashlib.sha256("\n".join([fingerprint, grading_fingerprint(), *graphs]).encode())
    return digest.hexdigest()[:24]


# -- grading from cached records ---------------------------------------------------------------
def grading_inputs(
    store: GraphStore, cache: BuildCache, documents: dict[str, StoredDocument] | None = None
) -> tuple[list, list, dict]:
    """Studies, claims and documents for grading, from the records the workers cached (read
    with the same queries, one document at a time); documents without a cached record are read
    from the store graph by graph. `documents` is what `store.documents()` returns, if known."""
    from kg.analyse import ClaimRecord, DocRecord
    from kg.grading import StudyRecord

    version = records_version()
    studies, claims, docs = [], [], []
    reader: RecordReader | None = None
    documents = store.documents() if documents is None else documents
    for d in sorted(documents.values(), key=lambda d: d.graph):
        key = (d.sha256, d.pipeline or "", version)
        records = cache.get_records(d.doc_id, key)
        if records is None:
            reader = reader or RecordReader()
            records = reader.read(store.graph_ntriples(d.graph), d.graph)
            cache.put_records(d.doc_id, key, records)
        studies += [StudyRecord(**r) for r in records["studies"]]
        claims += [ClaimRecord(**r) for r in records["claims"]]
        docs += [DocRecord(**r) for r in records["docs"]]
    studies.sort(key=lambda s: s.iri)
    claims.sort(key=lambda c: c.iri)
    return studies, claims, {d.iri: d for d in sorted(docs, key=lambda d: d.iri)}


def grade_built_store(
    store: GraphStore, cache: BuildCache | None = None, documents: dict[str, StoredDocument] | None = None
):
    """Grade the store (see `kg.grade.grade_store`) with inputs from the build cache."""
    from kg.grade import grade_store

    cache = cache or BuildCache(store.out_dir)
    with _no_cyclic_gc():
        try:
            inputs = grading_inputs(store, cache, documents)
        except (TypeError, KeyError) as exc:  # records of another shape: read from the store instead
            log.info("cached grading records unusable (%s); reading the store", exc)
            inputs = None
        return grade_store(store, inputs=inputs)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: grading makes millions of small objects (records,
    evidence, lines) and few cycles, and the collector's full passes over them cost more than
    the grading itself on a large corpus (reference counting still frees what is dropped)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
