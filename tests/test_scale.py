"""Scale: parallel builds are deterministic, re-runs are incremental and equal to fresh builds,
the analysis at corpus scale answers exactly as a scan of each claim's evidence would."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.analyse as analyse
import kg.build as kb
import kg.workers as workers
from kg.build import build, grading_inputs
from kg.cli import main
from kg.grade import read_hierarchy
from kg.grading import grade_study
from kg.lexicon import load_lexicon
from kg.namespaces import ANALYSIS_GRAPH
from kg.rules import load_rules
from kg.store import GraphStore
from kg.stores.cache import BuildCache, FileState, Manifest, turtle_body
from kg.stores.ntriples import line, literal

MINI = Path(__file__).parent / "data" / "mini"
SCRIPTS = Path(__file__).parents[1] / "scripts"


def _synth():
    spec = importlib.util.spec_from_file_location("synth_corpus", SCRIPTS / "synth_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["synth_corpus"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Twelve synthetic documents (enough for two workers) plus the mini fixtures."""
    folder = tmp_path_factory.mktemp("corpus")
    _synth().generate(folder / "synth", 2.4, seed=3)
    for path in MINI.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.fixture(scope="module")
def parallel_build(corpus, tmp_path_factory) -> tuple[Path, kb.BuildReport]:
    out = tmp_path_factory.mktemp("parallel")
    return out, build([corpus], out, exports=("ttl", "nt"), jobs=2)


def test_jobs_1_and_2_give_identical_exports(corpus, parallel_build, tmp_path):
    out2, report2 = parallel_build
    report1 = build([corpus], tmp_path, exports=("ttl", "nt"), jobs=1)
    assert report2.workers == 2 and report1.workers == 0
    assert not report1.errors and len(report1.built) == 15
    assert report1.triples == report2.triples
    assert (tmp_path / "kg.nt").read_bytes() == (out2 / "kg.nt").read_bytes()
    assert (tmp_path / "kg.ttl").read_bytes() == (out2 / "kg.ttl").read_bytes()


def test_export_lists_documents_in_graph_order_then_shared_triples(parallel_build):
    out, _ = parallel_build
    lines = (out / "kg.nt").read_text(encoding="utf-8").splitlines()
    docs = [line.split(">", 1)[0][1:] for line in lines if line.startswith("<https://w3id.org/hckg/id/doc/")]
    doc_ids = list(dict.fromkeys(iri.split("/")[6] for iri in docs))
    assert doc_ids == sorted(doc_ids) and len(doc_ids) == 15
    assert len(lines) == len(set(lines))  # organisations named in several documents appear once
    store = GraphStore(out, read_only=True)
    assert len(lines) == len({(q.subject, q.predicate, q.object) for q in store.quads()})


def test_unchanged_rerun_skips_extraction_grading_and_exports(corpus, tmp_path):
    first = build([corpus], tmp_path, exports=("ttl",), jobs=1)
    before = (tmp_path / "kg.ttl").stat().st_mtime_ns
    again = build([corpus], tmp_path, exports=("ttl",), jobs=1)
    assert again.built == [] and len(again.unchanged) == len(first.built)
    assert not again.graded and again.written == []
    assert (tmp_path / "kg.ttl").stat().st_mtime_ns == before
    more = build([corpus], tmp_path, exports=("ttl", "nt"), jobs=1)  # a new format is written
    assert more.written == [tmp_path / "kg.nt"] and not more.graded


def test_a_rerun_lists_the_stored_documents_from_the_manifest_unless_the_store_was_written(
    corpus, tmp_path, monkeypatch
):
    first = build([corpus], tmp_path, exports=(), jobs=1)
    queried = []
    real = GraphStore.documents
    monkeypatch.setattr(GraphStore, "documents", lambda self: queried.append(1) or real(self))
    with GraphStore(tmp_path, read_only=True) as store:  # reading leaves the store's files as they are
        gone = store.documents()[first.built[0]]
    queried.clear()
    again = build([corpus], tmp_path, exports=(), jobs=1)
    assert again.built == [] and not queried  # the listing the last build left, not a query
    with GraphStore(tmp_path) as store:  # written by something else
        store.remove_graph(gone.graph)
    healed = build([corpus], tmp_path, exports=(), jobs=1)
    assert queried and healed.built == [first.built[0]]  # the store is read again, the graph rebuilt


def test_incremental_build_equals_a_fresh_build(write_docs, tmp_path):
    docs = {f"d{i}.txt": _synth().Generator(5).document(i) for i in range(6)}
    folder = write_docs(docs)
    out = tmp_path / "inc"
    build([folder], out, exports=("nt",), jobs=1)
    (folder / "d1.txt").write_text(docs["d1.txt"] + "\nStem cells cure cerebral palsy.\n", encoding="utf-8")
    (folder / "d2.txt").unlink()
    (folder / "d9.txt").write_text(docs["d2.txt"].replace("children", "kids"), encoding="utf-8")
    report = build([folder], out, exports=("nt",), jobs=1)
    assert report.built == ["d1.txt", "d9.txt"] and report.removed == ["d2.txt"] and report.graded
    fresh = build([folder], tmp_path / "fresh", exports=("nt",), jobs=1)
    assert (out / "kg.nt").read_bytes() == (tmp_path / "fresh" / "kg.nt").read_bytes()
    analysis = {str(q) for q in GraphStore(out, read_only=True).quads(ANALYSIS_GRAPH)}
    assert analysis == {str(q) for q in GraphStore(tmp_path / "fresh", read_only=True).quads(ANALYSIS_GRAPH)}
    assert fresh.triples == report.triples


def _same_as_fresh(folder: Path, out: Path, fresh: Path) -> None:
    """The store and the exports in `out` equal those of a fresh build of `folder`."""
    build([folder], fresh, exports=("ttl", "nt"), jobs=1)
    for name in ("kg.nt", "kg.ttl"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    quads = {str(q) for q in GraphStore(out, read_only=True).quads()}
    assert quads == {str(q) for q in GraphStore(fresh, read_only=True).quads()}


def test_any_sequence_of_builds_equals_a_fresh_build(write_docs, tmp_path, monkeypatch):
    """Adding, changing and deleting documents, and re-running unchanged, leave the store and the
    exports byte for byte as a fresh build of the same folder leaves them; tiny Turtle chunks
    and batches make groups straddle chunk boundaries, which move as lines come and go."""
    from kg.stores import exports

    monkeypatch.setattr(exports, "TURTLE_CHUNK_LINES", 7)
    monkeypatch.setattr(exports, "BATCH_BYTES", 2_000)
    gen = _synth().Generator(8)
    docs = {f"d{i}.txt": gen.document(i) for i in range(5)}
    folder = write_docs(docs)
    out = tmp_path / "inc"
    steps = [
        lambda: None,  # the first build
        lambda: (folder / "d5.txt").write_text(gen.document(5), encoding="utf-8"),  # added
        lambda: (folder / "d1.txt").write_text(docs["d1.txt"] + "\nStem cells cure cerebral palsy.\n"),
        lambda: (folder / "d3.txt").unlink(),  # deleted
        lambda: None,  # unchanged
        lambda: (folder / "d0.txt").write_text(docs["d3.txt"].replace("children", "kids")),
    ]
    for i, step in enumerate(steps):
        step()
        report = build([folder], out, exports=("ttl", "nt"), jobs=1)
        assert report.graded == (i != 4)
        _same_as_fresh(folder, out, tmp_path / f"fresh{i}")
        assert report.triples == len(GraphStore(out, read_only=True))  # counted incrementally
        graphs = out / ".cache" / "graphs"
        lines = (graphs / "analysis.nt").read_bytes().splitlines(keepends=True)
        chunks = [b"".join(lines[k : k + 7]) for k in range(0, len(lines), 7)]
        assert (graphs / "analysis.ttl").read_bytes() == b"".join(map(turtle_body, chunks))


def test_exports_are_rewritten_in_full_when_the_previous_file_was_changed(write_docs, tmp_path):
    gen = _synth().Generator(4)
    folder = write_docs({f"d{i}.txt": gen.document(i) for i in range(3)})
    out = tmp_path / "out"
    build([folder], out, exports=("ttl", "nt"), jobs=1)
    (out / "kg.nt").write_bytes(b"edited\n" + (out / "kg.nt").read_bytes()[:-100])
    (out / "kg.ttl").unlink()
    (folder / "d1.txt").write_text(gen.document(7), encoding="utf-8")
    build([folder], out, exports=("ttl", "nt"), jobs=1)
    _same_as_fresh(folder, out, tmp_path / "fresh")


def test_grouped_graph_writes_leave_exactly_the_groups_given(tmp_path):
    """Each rewrite of a grouped graph (diffed against the cached fragment, against the store
    when the fragment is gone, or in full when the index is gone) leaves the graph holding
    exactly the latest groups' lines and its state marker."""
    from kg.stores.groups import write_groups
    from kg.stores.ntriples import line, literal

    graph = "https://example.org/g"

    def groups(values: dict[str, list[int]]):
        out = []
        for k, vs in values.items():
            iri, node = f"https://example.org/{k}", f"https://example.org/{k}#n"
            lines = [line(iri, "https://example.org/p", literal(v)) for v in vs]
            lines += [
                line(iri, "https://example.org/r", node),
                line(node, "https://example.org/q", literal(f'{k} "é"')),
            ]
            out.append((iri, lines))
        return out

    store = GraphStore(tmp_path)
    cache = BuildCache(tmp_path)
    versions = [
        {"a": [1, 2], "b": [3], "c": [4]},
        {"a": [1, 5], "c": [4], "d": [6]},  # changed, gone, unchanged, new
        {"a": [5], "d": [6, 7], "e": []},
        {"b": [1], "d": [7]},
    ]
    for i, values in enumerate(versions):
        if i == 2:
            cache.graph_path("g", "nt").unlink()  # diff against the store
        if i == 3:
            cache.graph_path("g", "index.pkl").unlink()  # rewrite in full
        write_groups(store, graph, groups(values))
        expected = {ln for _, lines in groups(values) for ln in lines}
        got = {f"{q.subject} {q.predicate} {q.object} ." for q in store.quads(graph)}
        marker = {ln for ln in got if ln.startswith(f"<{graph}#state>")}
        assert len(marker) == 1 and got - marker == expected


def test_touched_file_is_hashed_not_rebuilt(write_docs, tmp_path):
    folder = write_docs({"a.txt": "Cord blood may improve motor function in cerebral palsy."})
    build([folder], tmp_path, exports=(), jobs=1)
    os.utime(folder / "a.txt", ns=(1, 1))
    report = build([folder], tmp_path, exports=(), jobs=1)
    assert report.built == [] and report.unchanged == ["a.txt"]
    assert Manifest(tmp_path).files["a.txt"].mtime_ns == 1


def test_manifest_trusts_size_and_mtime_only_outside_the_racy_window(tmp_path):
    manifest = Manifest(tmp_path)
    manifest.save({"a.txt": FileState(10, 1_000_000_000, "abc")}, {})
    loaded = Manifest(tmp_path)
    assert loaded.known_sha256("a.txt", 10, 1_000_000_000) == "abc"
    assert loaded.known_sha256("a.txt", 11, 1_000_000_000) is None
    assert loaded.known_sha256("b.txt", 10, 1_000_000_000) is None
    racy = int(loaded.written * 1e9)  # modified as the manifest was written: could have changed since
    loaded.files["a.txt"] = FileState(10, racy, "abc")
    assert loaded.known_sha256("a.txt", 10, racy) is None


def test_interrupted_batch_is_redone(write_docs, tmp_path):
    folder = write_docs({"a.txt": "Bone marrow cells are safe.", "b.txt": "Cord blood may help speech."})
    build([folder], tmp_path, exports=("nt",), jobs=1)
    expected = (tmp_path / "kg.nt").read_bytes()
    store = GraphStore(tmp_path)
    graph = store.documents()["a.txt"].graph
    store.close()
    journal = tmp_path / ".cache" / "journal.json"
    journal.write_text(json.dumps([graph]))
    report = build([folder], tmp_path, exports=("nt",), jobs=1)
    assert report.built == ["a.txt"] and not journal.exists()
    assert (tmp_path / "kg.nt").read_bytes() == expected


def test_a_crash_in_one_document_is_reported_and_the_rest_built(write_docs, tmp_path, monkeypatch):
    folder = write_docs({"ok.txt": "Cord blood may help speech.", "boom.txt": "Stem cells help walking."})
    real = workers.process_document

    def flaky(task):
        if task.source.name == "boom.txt":
            raise RuntimeError("extractor bug")
        return real(task)

    monkeypatch.setattr(workers, "process_document", flaky)
    report = build([folder], tmp_path, exports=(), jobs=1)
    assert report.built == ["ok.txt"]
    assert report.errors == ["boom.txt: extraction failed (RuntimeError('extractor bug'))"]


def test_exports_are_rebuilt_from_the_store_without_the_cache(parallel_build, tmp_path):
    import shutil

    out, _ = parallel_build
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    shutil.rmtree(copy / ".cache")
    store = GraphStore(copy)
    store.export(["nt"])
    store.close()
    assert sorted((copy / "kg.nt").read_bytes().splitlines()) == sorted(
        (out / "kg.nt").read_bytes().splitlines()
    )


def test_progress_events(write_docs, tmp_path):
    folder = write_docs({"a.txt": "Cord blood may help speech.", "b.txt": "Stem cells help walking."})
    events = []

    class Recorder:
        def start(self, documents, size):
            events.append(("start", documents, size))

        def document(self, source, status, size):
            events.append(("document", source.name, status))

        def stage(self, name):
            events.append(("stage", name))

    build([folder], tmp_path, exports=("ttl",), jobs=1, progress=Recorder())
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert events == [
        ("start", 2, size),
        ("document", "a.txt", "built"),
        ("document", "b.txt", "built"),
        ("stage", "grading"),
        ("stage", "exporting"),
    ]


def test_cli_build_json_and_jobs(corpus, tmp_path):
    result = CliRunner().invoke(
        main, ["build", str(corpus), "--out", str(tmp_path), "--jobs", "2", "--format", "json", "--no-views"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["documents"] == 15 and data["workers"] == 2 and data["written"] == [str(tmp_path / "kg.ttl")]
    again = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path), "--no-views"])
    assert "15 documents (0 built, 15 unchanged" in again.output
    assert f"up to date: {tmp_path / 'kg.ttl'}" in again.output


def test_synthetic_corpus_is_deterministic_and_varied(tmp_path):
    synth = _synth()
    a = synth.generate(tmp_path / "a", 4, seed=9)
    b = synth.generate(tmp_path / "b", 4, seed=9)
    texts = [p.read_bytes() for p in sorted((tmp_path / "a").rglob("*.txt"))]
    assert a == b and a[0] == 20
    assert texts == [p.read_bytes() for p in sorted((tmp_path / "b").rglob("*.txt"))]
    assert len(set(texts)) == 20
    changed = synth.mutate(tmp_path / "a", 0.1)
    assert len(changed) == 2 and all(p.read_bytes() not in texts for p in changed)


@pytest.mark.slow
def test_claim_evidence_summaries_answer_like_a_scan_of_the_evidence_list(parallel_build, monkeypatch):
    """Every summary-based answer equals the answer from the claim's full evidence list (cited
    studies, then corpus evidence in corpus order), with summaries cut to two entries so the
    fallbacks run too."""
    monkeypatch.setattr(analyse, "_POOL_TOP", 2)
    out, _ = parallel_build
    store = GraphStore(out, read_only=True)
    studies, claims, docs = grading_inputs(store, BuildCache(out))
    rules = load_rules()
    grades = {s.iri: grade_study(s, rules) for s in studies}
    h, _ = read_hierarchy(store)
    for s in studies:
        s.cell_sources = h.most_specific(s.cell_sources)
    corpus = analyse.CorpusEvidence(studies, grades, docs, h)
    checked = 0
    for c in claims:
        cells, conditions, ev = corpus.for_claim(c)
        cited, pool = ev.cited, ev.pool
        full = cited + [
            e
            for e in _scan(c, cells, conditions, studies, grades, docs, h)
            if e.study.iri not in {x.study.iri for x in cited}
        ]
        usable = [e for e in full if e.usable]
        assert bool(ev) == bool(full) and ev.usable == bool(usable)
        best = max(usable, key=analyse._score, default=None)
        assert _key(ev.best()) == _key(best)
        negative = [e for e in usable if e.study.result == "negative" and e.relation in analyse.DIRECT]
        assert _key(ev.first_negative()) == _key(negative[0] if negative else None)
        pool_list = [e for e in cited if e.usable] if cited else usable
        head, direct = ev.indirect_candidate()
        assert _key(head) == _key(pool_list[0] if pool_list else None)
        assert direct == any(e.relation in analyse.DIRECT for e in pool_list)
        assert ev.best_level() == min((e.grade.level for e in usable), default=None)
        assert ev.independent() == len({corpus.cluster[e.study.iri] for e in usable})
        bearing = ev.bearing()
        assert [e.study.iri for e in bearing[: len(cited)]] == [e.study.iri for e in cited]
        assert len(bearing) == min(len(full), max(len(cited), analyse.MAX_BEARING_EVIDENCE))
        checked += bool(pool.size)
    assert checked > 50


def _key(e):
    return None if e is None else (e.study.iri, e.relation, e.cited)


def _scan(c, cells, conditions, studies, grades, docs, h):
    """The corpus evidence of a claim by checking every study (the definition)."""
    if c.claim_type in {"mechanism", "property", "access"}:
        return []
    found = []
    for s in studies:
        if s.design == "testimonial" or not s.identifiable:
            continue
        study_conditions = s.conditions or (
            [docs[s.doc].topic_condition] if docs[s.doc].topic_condition else []
        )
        if (
            conditions
            and study_conditions
            and not any(h.related(a, b) for a in conditions for b in study_conditions)
        ):
            continue
        relation = analyse._best_relation(h, cells, s.cell_sources) if cells else "direct"
        if relation is None or relation == "related":
            continue
        if c.claim_type == "safety" and s.adverse_events == "unreported":
            continue
        if c.claim_type == "efficacy":
            claim_outcomes = [o for o in c.outcomes if o != analyse.ADVERSE]
            study_outcomes = [o for o in s.outcomes if o != analyse.ADVERSE]
            if not study_outcomes or s.result == "unreported":
                continue
            if claim_outcomes and not any(h.related(a, b) for a in claim_outcomes for b in study_outcomes):
                continue
        found.append(analyse.Evidence(s, grades[s.iri], relation, False))
    return found


def test_cluster_example_matches_a_plain_build(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "cluster_extract", Path(__file__).parents[1] / "examples" / "cluster_extract.py"
    )
    example = importlib.util.module_from_spec(spec)
    sys.modules["cluster_extract"] = example  # its task function is pickled to the workers
    spec.loader.exec_module(example)
    out = tmp_path / "cluster"
    assert example.main([str(MINI), str(out), "--shards", "2", "--workers", "1"]) == 0
    assert sorted(p.name for p in (out / "shards").iterdir()) == ["shard-0000.nq", "shard-0001.nq"]
    build([MINI], out, exports=("nt",), jobs=1)
    build([MINI], tmp_path / "plain", exports=("nt",), jobs=1)
    assert (out / "kg.nt").read_bytes() == (tmp_path / "plain" / "kg.nt").read_bytes()


def test_claims_keep_their_lines_unless_their_inputs_change(write_docs, tmp_path, monkeypatch):
    """A re-run re-assesses only claims whose record or recorded answers changed; a new document
    whose studies join the evidence of claims in untouched documents changes their lines, and
    the result equals a fresh build."""
    gen = _synth().Generator(6)
    docs = {f"d{i}.txt": gen.document(i) for i in range(5)}
    folder = write_docs(docs)
    out = tmp_path / "inc"
    build([folder], out, exports=("ttl", "nt"), jobs=1)
    before = {str(q) for q in GraphStore(out, read_only=True).quads(ANALYSIS_GRAPH)}
    assessed = []
    original = analyse.ClaimAnalysis.assess_recorded
    monkeypatch.setattr(
        analyse.ClaimAnalysis,
        "assess_recorded",
        lambda self, c, *args: assessed.append(c.iri) or original(self, c, *args),
    )
    (folder / "d5.txt").write_text(gen.document(5) + "\n" + gen.document(9), encoding="utf-8")
    build([folder], out, exports=("ttl", "nt"), jobs=1)
    store = GraphStore(out, read_only=True)
    after = {str(q) for q in store.quads(ANALYSIS_GRAPH)}
    new_doc = store.documents()["d5.txt"].doc_id
    store.close()
    claims = {q.split(" ")[0][1:-1] for q in after if "#independentStudies" in q}
    old_claims = {c for c in claims if f"/doc/{new_doc}/" not in c}
    recounted = {q.split(" ")[0][1:-1] for q in after - before if "#independentStudies" in q}
    assert old_claims - set(assessed), "every claim was assessed again"
    assert recounted & old_claims, "the new studies changed no count in the other documents"
    _same_as_fresh(folder, out, tmp_path / "fresh")


def _claim_analysis(out) -> tuple[analyse.ClaimAnalysis, list]:
    """The claim analysis of a built graph, as grading prepares it, and the claims it assesses."""
    store = GraphStore(out, read_only=True)
    studies, claims, docs = grading_inputs(store, BuildCache(out))
    rules = load_rules()
    h, labels = read_hierarchy(store)
    grades = {s.iri: grade_study(s, rules) for s in studies}
    return analyse.ClaimAnalysis(studies, grades, docs, h, labels, rules, load_lexicon()), claims


def test_a_claims_assessment_reads_its_independent_study_count_only_to_write_it(parallel_build):
    """Kept claims get their independent-study count written afresh without re-assessing, which
    is right only while the count decides nothing else in the assessment."""
    analysis, claims = _claim_analysis(parallel_build[0])
    for c in claims:
        cells, evidence = analysis.evidence(c)
        a = analysis.assess(c, cells, evidence)
        evidence.independent = lambda: 10**6
        other = analysis.assess(c, cells, evidence)
        assert other.independent_studies == 10**6
        assert dataclasses.replace(other, independent_studies=a.independent_studies) == a


def test_recorded_questions_replay_to_the_recorded_answers(parallel_build):
    """What an assessment asked of its evidence and the corpus statements replays to the same
    answers on the same inputs, and to others when a statement list it read changed."""
    analysis, claims = _claim_analysis(parallel_build[0])
    tokens = analyse.AnswerTokens()
    recorded = {}
    for c in claims:
        cells, evidence = analysis.evidence(c)
        a, recorded[c.iri] = analysis.assess_recorded(c, cells, evidence, tokens)
        assert a == analysis.assess(c, cells, evidence)
        assert analysis.replay(evidence, *recorded[c.iri][:1], tokens) == recorded[c.iri][1]
    asked = {q for questions, _ in recorded.values() for q in questions.split()}
    assert {"A?", "b", "B", "c"} <= asked and analysis.adverse
    changed, _ = _claim_analysis(parallel_build[0])  # the same inputs, read again
    changed.adverse = []
    for c in claims:
        questions, answers = recorded[c.iri]
        cells, evidence = changed.evidence(c)
        assert (changed.replay(evidence, questions, tokens) == answers) == ("A?" not in questions.split())


def test_kept_groups_come_from_a_fragment_their_records_describe(tmp_path):
    """`GroupCache` keeps a group only for the same head and answers, and only from the
    fragment its records were saved with."""
    from kg.stores.groups import GroupCache, write_groups
    from kg.stores.ntriples import line, literal

    graph = "https://example.org/g"
    store = GraphStore(tmp_path)

    def write(values: dict[str, int], kept: GroupCache) -> None:
        groups = []
        for k, v in values.items():
            iri = f"https://example.org/{k}"
            kept.made(iri, k.encode(), "q", b"a")
            groups.append((iri, [line(iri, "https://example.org/p", literal(v))]))
        write_groups(store, graph, groups)
        kept.save()

    write({"a": 1, "b": 2}, GroupCache(store, graph))
    kept = GroupCache(store, graph)
    a = "https://example.org/a"
    assert kept.reusable(a, b"a", lambda q: b"a" if q == "q" else b"") == (
        f'<{a}> <https://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'.encode()
    )
    assert kept.reusable(a, b"other head", lambda q: b"a") is None
    assert kept.reusable(a, b"a", lambda q: b"other answers") is None
    write({"a": 3}, GroupCache(store, graph))
    cache = BuildCache(tmp_path)
    cache.graph_path("g", "reuse.pkl").write_bytes(cache.graph_path("g", "reuse.pkl").read_bytes())
    fragment = cache.graph_path("g", "nt")
    fragment.write_bytes(fragment.read_bytes().replace(b'"3"', b'"4"').rsplit(b"\n", 2)[0] + b"\n")
    assert GroupCache(store, graph).reusable(a, b"a", lambda q: b"a") is None  # not the saved fragment


def test_turtle_of_a_changed_count_is_patched_only_where_that_is_exact():
    """A group whose one changed line is a subject's only count gets its Turtle from the previous
    one with the value replaced (equal to converting it again); anything less certain is None."""
    from kg.stores.exports import _patched

    claim, ns = "https://example.org/claim/1", "https://w3id.org/hckg/ontology#"

    def block(count: int, other: int, extra: int | None = None) -> bytes:
        lines = [
            line(claim, ns + "evidenceMatch", literal("direct")),
            line(claim, ns + "independentStudies", literal(count)),
            line(claim, ns + "supportStatus", literal("supported")),
            line(claim + "#reason-x", ns + "independentStudies", literal(other)),
        ]
        if extra is not None:
            lines.append(line(claim, ns + "independentStudies", literal(extra)))
        return ("\n".join(sorted(lines)) + "\n").encode()

    def count_line(count: int) -> bytes:
        return line(claim, ns + "independentStudies", literal(count)).encode()

    for before, after in ((3, 4), (9, 10), (12, 1)):
        new = block(after, 7)
        assert _patched(
            turtle_body(block(before, 7)), new, count_line(before), count_line(after)
        ) == turtle_body(new)
    assert _patched(turtle_body(block(3, 3)), block(4, 3), count_line(3), count_line(4)) is None  # twice
    assert (
        _patched(turtle_body(block(3, 7, 1)), block(4, 7, 1), count_line(3), count_line(4)) is None
    )  # a list
    status = [line(claim, ns + "supportStatus", literal(s)).encode() for s in ("supported", "unsupported")]
    assert _patched(turtle_body(block(3, 7)), block(3, 7), *status) is None  # not a count
