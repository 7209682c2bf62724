"""Benchmark the build on synthetic corpora 1×, 100×, 1,000× and 10,000× the bundled one.

For each size it generates the corpus (`scripts/synth_corpus.py`), builds it in a fresh out
folder in a child process and prints: documents/s, MB/s, quads, peak memory (RSS of the whole
process tree), store and cache size on disk, the time of grading and of the unsupported-claims
analysis inside it (producing the claim assessments) and of `kg report unsupported`, then the incremental
re-run time with no change and with 1% of the documents changed. It also prints the extraction
throughput per core next to a plain pyahocorasick scan of the same text with the vocabulary's
labels (the practical ceiling for dictionary matching in Python), as a ratio, and the rate at
which the embedded store's bulk loader takes the sample's N-Quads (all cores), with the time that
loading alone would take at each size: what no extraction speed can bring the build below.

    .venv/bin/python scripts/bench_build.py --sizes 1,100 [--jobs 2] [--work DIR] [--json out.json]

Sizes are selectable so CI never runs it; 10,000× needs ~30 GB of disk and the better part of
an hour on two cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth_corpus  # noqa: E402

_CHILD = """
import functools, json, sys, time
from pathlib import Path
from kg.analyse import ClaimAnalysis
from kg.build import build
spent = {"analyse": 0.0}
def timed(method):  # time spent producing assessments (or checking kept ones), not writing them
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent["analyse"] += time.perf_counter() - t
    return wrapper
for name in ("__init__", "evidence", "assess_recorded", "replay"):
    setattr(ClaimAnalysis, name, timed(getattr(ClaimAnalysis, name)))
corpus, out, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
report = build([Path(corpus)], Path(out), jobs=jobs)
data = report.as_dict()
data.pop("built"); data.pop("unchanged")
data["analyse_seconds"] = spent["analyse"]
print(json.dumps(data))
"""

_REPORT = """
import sys, time
from pathlib import Path
from kg.report import Filters, run_report
t = time.perf_counter()
rows = run_report(Path(sys.argv[1]), "unsupported", Filters())
print(time.perf_counter() - t, len(rows) if isinstance(rows, list) else len(rows.get("rows", rows)))
"""


class PeakRSS:
    """Samples the resident memory of a process and its children (psutil) every 0.2 s."""

    def __init__(self, pid: int):
        self.peak = 0
        self._stop = threading.Event()
        try:
            import psutil

            self._proc = psutil.Process(pid)
        except Exception:  # psutil missing or process gone: no figure
            self._proc = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while self._proc is not None and not self._stop.is_set():
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(Exception):
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except Exception:
                return
            self._stop.wait(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_build(corpus: Path, out: Path, jobs: int) -> dict:
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(corpus), str(out), str(jobs)],
        stdout=subprocess.PIPE,
        text=True,
    )
    meter = PeakRSS(proc.pid)
    stdout, _ = proc.communicate()
    peak = meter.stop()
    if proc.returncode:
        raise SystemExit(f"build of {corpus} failed (exit {proc.returncode})")
    data = json.loads(stdout.strip().splitlines()[-1])
    data["peak_rss"] = peak
    return data


def report_seconds(out: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _REPORT, str(out)], capture_output=True, text=True, check=True
    )
    return float(done.stdout.split()[0])


def disk_usage(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def throughput(corpus: Path, limit_bytes: int = 3_000_000) -> dict:
    """Per-core MB/s of extraction (read + extract + assemble, as the workers do it), of the full
    worker step (also serialising, caching fragments and reading grading records), of a plain
    Aho-Corasick scan with the vocabulary's labels over the same text, and the quads per second
    of the store's bulk loader on the sample's N-Quads (wall clock: the loader uses every core)."""
    import ahocorasick
    import pyoxigraph as ox

    from kg import workers
    from kg.assemble import assemble_triples
    from kg.build import pipeline_fingerprint
    from kg.extract import extract_document
    from kg.ingest import discover, read_document
    from kg.vocab import load_vocabulary

    sources, size = [], 0
    for s in discover([corpus]):
        sources.append(s)
        size += s.path.stat().st_size
        if size >= limit_bytes:
            break
    workers.warm_up()
    texts = [read_document(s).text for s in sources]
    mb = sum(len(t.encode()) for t in texts) / 1e6

    t = time.process_time()
    for s in sources:
        assemble_triples(extract_document(read_document(s)))
    extract = mb / (time.process_time() - t)

    fingerprint = pipeline_fingerprint()
    with tempfile.TemporaryDirectory() as tmp:
        tasks = [workers.Task(s, 5_000_000, fingerprint, tmp, True) for s in sources]
        t = time.process_time()
        nquads = [workers.process_document(task).nquads for task in tasks]
        worker = mb / (time.process_time() - t)
        store = ox.Store(str(Path(tmp) / "load-sample"))
        t = time.perf_counter()
        store.bulk_load(b"".join(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
        load_seconds = time.perf_counter() - t
        loaded = len(store)
        del store

    vocab = load_vocabulary()
    automaton = ahocorasick.Automaton()
    for key in vocab._folded:
        automaton.add_word(key, len(key))
    automaton.make_automaton()
    t = time.process_time()
    hits = 0
    for text in texts:
        for _ in automaton.iter(text.lower()):
            hits += 1
    scan = mb / (time.process_time() - t)
    return {
        "sample_mb": mb,
        "extract_mb_s": extract,
        "worker_mb_s": worker,
        "aho_mb_s": scan,
        "hits": hits,
        "load_quads_s": loaded / load_seconds,
    }


def bench_size(scale: float, work: Path, jobs: int, keep: bool) -> dict:
    corpus = work / f"corpus-{scale:g}x"
    marker = corpus / ".complete"
    if not marker.is_file():
        shutil.rmtree(corpus, ignore_errors=True)
        t = time.perf_counter()
        files, size = synth_corpus.generate(corpus, scale)
        marker.write_text(f"{files} {size}\n")
        print(f"  generated {files:,} documents ({size / 1e6:.1f} MB) in {time.perf_counter() - t:.0f}s")
    files, size = (int(x) for x in marker.read_text().split())
    out = work / f"out-{scale:g}x"
    shutil.rmtree(out, ignore_errors=True)
    full = run_build(corpus, out, jobs)
    print(f"  full build {full['seconds']:.1f}s", flush=True)
    row = {
        "scale": scale,
        "documents": files,
        "mb": size / 1e6,
        "seconds": full["seconds"],
        "docs_per_s": files / full["seconds"],
        "mb_per_s": size / 1e6 / full["seconds"],
        "quads": full["triples"],
        "peak_rss_mb": full["peak_rss"] / 2**20,
        "store_mb": disk_usage(out / "store") / 2**20,
        "cache_mb": disk_usage(out / ".cache") / 2**20,
        "ttl_mb": disk_usage(out / "kg.ttl") / 2**20,
        "timings": full["timings"],
        "extract_cpu_s": full["extract_seconds"],
        "grade_s": full["timings"].get("grade", 0.0),
        "analyse_s": full["analyse_seconds"],
        "errors": len(full["errors"]),
    }
    row["report_unsupported_s"] = report_seconds(out)
    again = run_build(corpus, out, jobs)
    row["rerun_nochange_s"] = again["seconds"]
    print(f"  no-change re-run {again['seconds']:.1f}s", flush=True)
    changed = synth_corpus.mutate(corpus, 0.01)
    marker.unlink()  # the corpus now differs from what the marker describes
    one = run_build(corpus, out, jobs)
    row["rerun_1pct_s"] = one["seconds"]
    row["rerun_1pct_docs"] = len(changed)
    row["rerun_1pct_timings"] = one["timings"]
    row["rerun_1pct_peak_rss_mb"] = one["peak_rss"] / 2**20
    print(f"  1% changed ({len(changed)} documents) re-run {one['seconds']:.1f}s", flush=True)
    row.update(throughput(corpus))
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(corpus, ignore_errors=True)
    return row


def print_table(rows: list[dict], jobs: int) -> None:
    print(f"\nBuild benchmark ({jobs} jobs, {os.cpu_count()} cores)\n")
    cols = [
        ("scale", "{:g}×"),
        ("documents", "{:,}"),
        ("mb", "{:.1f}"),
        ("seconds", "{:.1f}"),
        ("docs_per_s", "{:.1f}"),
        ("mb_per_s", "{:.3f}"),
        ("quads", "{:,}"),
        ("peak_rss_mb", "{:,.0f}"),
        ("store_mb", "{:,.0f}"),
        ("grade_s", "{:.1f}"),
        ("analyse_s", "{:.1f}"),
        ("report_unsupported_s", "{:.1f}"),
        ("rerun_nochange_s", "{:.2f}"),
        ("rerun_1pct_s", "{:.1f}"),
    ]
    header = ["size", "docs", "MB", "build s", "docs/s", "MB/s", "quads", "peak RSS MB", "store MB",
              "grade s", "analyse s", "report s", "re-run s", "1% re-run s"]  # fmt: skip
    table = [header] + [[fmt.format(r[k]) for k, fmt in cols] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)))
    print("\nExtraction throughput per core (sample of the corpus, MB/s):")
    for r in rows:
        print(
            f"  {r['scale']:g}×: extract {r['extract_mb_s']:.3f}, full worker step {r['worker_mb_s']:.3f}, "
            f"pyahocorasick scan {r['aho_mb_s']:.1f} → ratio 1/{r['aho_mb_s'] / r['extract_mb_s']:.0f} "
            f"(worker 1/{r['aho_mb_s'] / r['worker_mb_s']:.0f})"
        )
    print("\nStore bulk loading (sample's N-Quads, all cores):")
    for r in rows:
        rate = r["load_quads_s"]
        print(
            f"  {r['scale']:g}×: {rate:,.0f} quads/s; loading the {r['quads']:,} quads alone takes "
            f"{r['quads'] / rate:.0f} s of the {r['seconds']:.0f} s build; at 10,000× "
            f"({r['quads'] / r['documents'] * 50_000:,.0f} quads at this size's quads per document) "
            f"{r['quads'] / r['documents'] * 50_000 / rate:.0f} s"
        )
    for r in rows:
        full = r["seconds"]
        print(
            f"  {r['scale']:g}×: 1% re-run = {100 * r['rerun_1pct_s'] / full:.1f}% of the full build; "
            f"stage times {json.dumps({k: round(v, 1) for k, v in r['timings'].items()})}; "
            f"1% re-run stages {json.dumps({k: round(v, 1) for k, v in r['rerun_1pct_timings'].items()})}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,100", help="Comma-separated multiples of the bundled corpus.")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=None, help="Folder for corpora and builds (kept).")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures as JSON here.")
    args = parser.parse_args(argv)
    sizes = [float(x) for x in args.sizes.split(",") if x.strip()]
    keep = args.work is not None
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for scale in sizes:
            print(f"{scale:g}× the bundled corpus", flush=True)
            rows.append(bench_size(scale, work, args.jobs, keep))
            if args.json:
                args.json.write_text(json.dumps(rows, indent=2))
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
