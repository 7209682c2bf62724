"""Extraction workers: read, extract and assemble documents in plain worker processes.

Each document becomes its named graph's N-Quads (for the store), its export fragments and its
grading records (both written to the build cache by the worker). Workers are `python -c`
subprocesses fed over pipes rather than multiprocessing: no fork of a process that holds the
store open, and callers need no `if __name__ == "__main__"` guard.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from kg.assemble import assemble_triples, doc_iri, graph_iri
from kg.errors import IngestError, KGError
from kg.extract import extract_document
from kg.ingest import DEFAULT_MAX_BYTES, Source, read_document
from kg.namespaces import HCKG, SKOS, VOCABULARY_GRAPH
from kg.paths import ontology_dir
from kg.pipes import child_pipes, spawn
from kg.stores.cache import BuildCache, DocumentEntry, split_triples, turtle_body
from kg.stores.ntriples import nquads as nquads_of

log = logging.getLogger(__name__)

POOL_MIN_DOCUMENTS = 4  # fewer documents than this (per worker) are extracted in-process
WORKER_DEPTH = 4  # tasks queued per worker


def _pipeline() -> str:
    from kg.build import pipeline_fingerprint

    return pipeline_fingerprint()


@lru_cache(maxsize=1)
def records_version() -> str:
    """Version of the records read back for grading: the readers in `kg.grade`, the record types
    and the cue words that select statement sentences (not the rest of the grading code, so that
    editing a rule does not force every document to be read again)."""
    import inspect

    from kg import analyse, grade, grading

    parts = [inspect.getsource(f) for f in (grade.read_studies, grade.read_claims, grade.read_documents)]
    parts += [inspect.getsource(f) for f in (grade._rows, grade._v, grade._bool, analyse.statement_sentences)]
    parts += [repr(t.__dataclass_fields__.keys()) for t in (grading.StudyRecord, analyse.ClaimRecord)]
    parts += [repr(analyse.DocRecord.__dataclass_fields__.keys()), repr(analyse.STATEMENT_CUES)]
    parts += [(ontology_dir() / n).read_text(encoding="utf-8") for n in ("lexicon.ttl", "vocabulary.ttl")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Task:
    source: Source
    max_bytes: int
    pipeline: str
    out_dir: str
    turtle: bool


@dataclass
class Result:
    source: Source
    size: int
    mtime_ns: int
    seconds: float
    error: str | None = None
    doc_id: str = ""
    sha256: str = ""
    graph: str = ""
    nquads: bytes = b""
    quads: int = 0


READER_VOCABULARY = frozenset({SKOS + "inScheme", HCKG + "conceptType"})  # what the readers join


def _record(obj: Any) -> dict[str, Any]:
    """A record's fields as a dict (`dataclasses.asdict` without its deep copy: records hold
    only strings, numbers, booleans and lists of strings)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


class RecordReader:
    """Runs the grading readers of `kg.grade` on one document graph (the same queries as on the
    whole store), in a fresh in-memory store holding that graph and the vocabulary triples the
    readers join it with (`READER_VOCABULARY`): a reused store slows down as removed graphs
    accumulate, and loading the whole vocabulary per document cost more than the queries."""

    def __init__(self, predicates: frozenset[str] | None = READER_VOCABULARY):
        """`predicates`: the vocabulary triples to load (None: all of them)."""
        vocabulary = rdflib.Graph().parse(ontology_dir() / "vocabulary.ttl")
        triples = ox.parse(vocabulary.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        kept = [t for t in triples if predicates is None or t.predicate.value in predicates]
        self.vocabulary = ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES)
        self.store = ox.Store()

    def query(self, sparql: str, **kwargs):
        return self.store.query(sparql, use_default_graph_as_union=True, **kwargs)

    def read(self, nquads: bytes, graph: str | None = None) -> dict[str, Any]:
        """Studies, claims and the document record (keeping only the sentences the analysis
        uses as statements about the evidence) of one document graph, given as N-Quads, or as
        N-Triples of `graph`."""
        from kg.analyse import statement_sentences
        from kg.grade import read_claims, read_documents, read_studies
        from kg.lexicon import load_lexicon

        self.store = ox.Store()
        self.store.load(
            self.vocabulary,
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(VOCABULARY_GRAPH),
            lenient=True,
        )
        if graph is None:
            self.store.load(nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
        else:
            self.store.load(nquads, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph), lenient=True)
        docs = list(read_documents(self).values())
        for d in docs:
            d.sentences = statement_sentences(d.sentences, load_lexicon())
        return {
            "studies": [_record(s) for s in read_studies(self)],
            "claims": [_record(c) for c in read_claims(self)],
            "docs": [_record(d) for d in docs],
        }


@lru_cache(maxsize=1)
def _record_reader() -> RecordReader:
    return RecordReader()


def document_nquads(source: Source, pipeline: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """One document read, extracted and assembled: its named graph as N-Quads, exactly as `kg
    build` writes it (raises IngestError). The unit of work to fan out over a cluster: name the
    source as `kg build ROOT` would (`discover([ROOT])`), bulk-load the N-Quads, and a later
    `kg build ROOT` finds every document current and only grades and exports."""
    doc = read_document(source, max_bytes)
    triples = assemble_triples(extract_document(doc), pipeline=pipeline or _pipeline())
    return nquads_of(triples, graph_iri(doc.doc_id))


def process_document(task: Task) -> Result:
    """Read, extract and assemble one document; write its export fragments and grading records
    to the cache; return its N-Quads for the store."""
    started = time.process_time()
    source = task.source
    try:
        st = source.path.stat()
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size, mtime = 0, 0
    try:
        doc = read_document(source, task.max_bytes)
    except IngestError as exc:
        return Result(source, size, mtime, time.process_time() - started, error=str(exc))
    triples = assemble_triples(extract_document(doc), pipeline=task.pipeline)
    graph = graph_iri(doc.doc_id)
    nquads = nquads_of(triples, graph)
    own, shared = split_triples(triples, doc_iri(doc.doc_id))
    cache = BuildCache(Path(task.out_dir))
    entry = DocumentEntry(doc.doc_id, doc.sha256, task.pipeline, own, shared)
    if task.turtle:
        entry.ttl = turtle_body(own)
    cache.put_document(entry)
    records = _record_reader().read(nquads)
    cache.put_records(doc.doc_id, (doc.sha256, task.pipeline, records_version()), records)
    return Result(
        source,
        size,
        mtime,
        time.process_time() - started,
        None,
        doc.doc_id,
        doc.sha256,
        graph,
        nquads,
        len(triples),
    )


def _process_safely(task: Task) -> Result:
    """`_process`, with an unexpected extractor failure reported against its document."""
    try:
        return process_document(task)
    except Exception as exc:  # a bug on one document must not stop the build
        log.exception("%s: extraction failed", task.source.name)
        return Result(task.source, 0, 0, 0.0, error=f"{task.source.name}: extraction failed ({exc!r})")


def warm_up() -> None:
    """Load the vocabulary, lexicon and gazetteer once per worker process."""
    from kg.gazetteer import load_gazetteer
    from kg.lexicon import load_lexicon
    from kg.vocab import load_vocabulary

    load_vocabulary(), load_lexicon(), load_gazetteer(), _record_reader()


def worker_main() -> None:
    """A worker process (`python -c`): tasks in on stdin, results out on stdout."""
    requests, replies = child_pipes()
    warm_up()
    while True:
        try:
            task = requests.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        replies.send(_process_safely(task))


_WORKER_CODE = "from kg.workers import worker_main; worker_main()"


class _Worker:
    """One extraction process (see `kg.pipes`)."""

    def __init__(self):
        self.process, self.tasks, self.results = spawn(_WORKER_CODE)
        self.in_flight = 0

    def send(self, task: Task) -> None:
        self.tasks.send(task)
        self.in_flight += 1

    def receive(self) -> Result:
        try:
            result = self.results.recv()
        except (EOFError, OSError) as exc:
            code = self.process.poll()
            raise KGError(f"an extraction worker exited unexpectedly (exit code {code})") from exc
        self.in_flight -= 1
        return result

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.tasks.send(None)
        self.tasks.close()
        self.results.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run(tasks: list[Task], jobs: int, on_workers: Callable[[int], None] | None = None) -> Iterator[Result]:
    """Results as workers finish them (in-process for one job or a handful of documents);
    `on_workers` hears how many worker processes were started."""
    if jobs <= 1 or len(tasks) < POOL_MIN_DOCUMENTS * jobs:
        for task in tasks:
            yield _process_safely(task)
        return
    workers = [_Worker() for _ in range(jobs)]
    if on_workers:
        on_workers(len(workers))
    try:
        queue = iter(tasks)
        for worker in workers:
            for task in itertools.islice(queue, WORKER_DEPTH):
                worker.send(task)
        by_connection = {w.results: w for w in workers}
        while any(w.in_flight for w in workers):
            ready = wait([w.results for w in workers if w.in_flight])
            for connection in ready:
                worker = by_connection[connection]
                yield worker.receive()
                task = next(queue, None)
                if task is not None:
                    worker.send(task)
    finally:
        for worker in workers:
            worker.stop()
