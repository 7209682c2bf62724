"""Benchmark the HTML views: build time in Python and render time in headless Chromium.

Builds the bundled corpus, then a synthetic graph of about 20,000 claims made by replicating the
corpus' quads with rewritten document ids into a temporary store (grading results too; when the
corpus is not graded, a deterministic stand-in grading is added so the colours vary). For each
view it prints nodes/edges, Python build+write time and, in offline headless Chromium, the time
from navigation start to the first draw of the stabilised layout (`renderMs`) and wall time.

    .venv/bin/python scripts/bench_views.py [--claims 20000] [--cap 1500] [--keep DIR]

Needs chromium + chromium-driver (apt) and selenium; without them only the Python side runs.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.build import build
from kg.namespaces import ANALYSIS_GRAPH, HCKG, ID, XSD
from kg.render import DEFAULT_NODE_CAP, ViewSource, claim_audit, concept_view, overview, write_html
from kg.render.browser import HeadlessChromium, browser_missing
from kg.store import GraphStore

_DOC = re.compile(re.escape(ID) + r"(doc|graph)/([0-9a-f]+)")
STATUSES = ("supported", "weakly-supported", "unsupported", "unsupported", "contradicted")


def _rewrite_iri(iri: str, k: int) -> str:
    return _DOC.sub(lambda m: f"{ID}{m.group(1)}/{m.group(2)}s{k}", iri)


def _term(term, k: int):
    if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
        return ox.NamedNode(_rewrite_iri(term.value, k))
    return term


def _pick(iri: str, options: tuple) -> object:
    return options[int(hashlib.sha1(iri.encode()).hexdigest()[:8], 16) % len(options)]


def synthesize(base: Path, target: Path, claims_wanted: int) -> dict[str, int]:
    """Replicate the graph in `base` into `target` until it holds about `claims_wanted` claims."""
    src = GraphStore(base, read_only=True)
    quads = src.quads()
    claim_type = ox.NamedNode(HCKG + "Claim")
    per_copy = sum(1 for q in quads if q.predicate.value.endswith("#type") and q.object == claim_type)
    copies = max(1, math.ceil(claims_wanted / per_copy))
    store = GraphStore(target)
    shared = [q for q in quads if not _DOC.match(q.graph_name.value) and q.graph_name.value != ANALYSIS_GRAPH]
    store.store.bulk_extend(shared)
    shared_set = set(shared)
    per_doc = [q for q in quads if q not in shared_set]
    graded = any(q.graph_name.value == ANALYSIS_GRAPH for q in quads)
    analysis = ox.NamedNode(ANALYSIS_GRAPH)
    xsd_int = ox.NamedNode(XSD + "integer")
    xsd_bool = ox.NamedNode(XSD + "boolean")
    for k in range(copies):
        batch = []
        for q in per_doc:
            obj = q.object
            if isinstance(obj, ox.Literal) and q.predicate.value in (
                "http://purl.org/dc/terms/identifier",
                HCKG + "fileName",
            ):
                obj = ox.Literal(f"s{k}_{obj.value}")
            batch.append(ox.Quad(_term(q.subject, k), q.predicate, _term(obj, k), _term(q.graph_name, k)))
            if not graded and q.object == claim_type:
                iri = _term(q.subject, k)
                status = _pick(iri.value, STATUSES)
                batch.append(ox.Quad(iri, ox.NamedNode(HCKG + "supportStatus"), ox.Literal(status), analysis))
                flagged = "true" if status in ("unsupported", "contradicted") else "false"
                batch.append(
                    ox.Quad(
                        iri, ox.NamedNode(HCKG + "flagged"), ox.Literal(flagged, datatype=xsd_bool), analysis
                    )
                )
            elif not graded and q.object == ox.NamedNode(HCKG + "StudyMention"):
                iri = _term(q.subject, k)
                level = str(_pick(iri.value, (1, 2, 3, 4, 4, 5, 6, 6)))
                batch.append(
                    ox.Quad(
                        iri,
                        ox.NamedNode(HCKG + "evidenceLevel"),
                        ox.Literal(level, datatype=xsd_int),
                        analysis,
                    )
                )
        store.store.bulk_extend(batch)
    store.flush()
    return {"copies": copies, "claims": copies * per_copy, "quads": len(store)}


def _measure(label: str, make, out: Path, browser: HeadlessChromium | None) -> None:
    started = time.perf_counter()
    spec = make()
    path = write_html(spec, out / f"{label}.html")
    py = time.perf_counter() - started
    line = f"{label:<34} nodes {len(spec.nodes):>5}  edges {len(spec.edges):>5}  python {py:6.2f}s"
    line += f"  html {path.stat().st_size / 1e6:5.2f} MB"
    if browser is not None:
        report = browser.open(path, timeout=60)
        ok = report.state == "ready" and report.nodes == len(spec.nodes) and not report.remote_requests
        render = f"{report.render_ms / 1000:5.2f}s" if report.render_ms is not None else "  n/a"
        line += f"  render {render}  wall {report.wall_seconds:5.2f}s  {'ok' if ok else 'FAILED'}"
        if not ok:
            line += f" ({report.state}, {report.error}, remote requests: {report.remote_requests})"
    print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000, help="claims in the synthetic graph")
    parser.add_argument("--cap", type=int, default=DEFAULT_NODE_CAP, help="node cap of the views")
    parser.add_argument("--keep", type=Path, help="keep the stores and pages in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-views-"))
    work.mkdir(parents=True, exist_ok=True)
    missing = browser_missing()
    if missing:
        print(f"browser timings skipped: {missing}")
    browser = None if missing else HeadlessChromium()
    try:
        t = time.perf_counter()
        build(None, work / "corpus", exports=())
        print(f"bundled corpus built in {time.perf_counter() - t:.2f}s")
        src = ViewSource.open(work / "corpus")
        pages = work / "pages"
        _measure("corpus overview", lambda: overview(src, args.cap), pages, browser)
        _measure("corpus claims (all)", lambda: claim_audit(src, "all", args.cap), pages, browser)

        synth = work / "synthetic"
        shutil.rmtree(synth, ignore_errors=True)
        t = time.perf_counter()
        info = synthesize(work / "corpus", synth, args.claims)
        print(
            f"synthetic graph: {info['claims']:,} claims ({info['copies']} copies), "
            f"{info['quads']:,} quads, made in {time.perf_counter() - t:.1f}s"
        )
        t = time.perf_counter()
        big = ViewSource.open(synth)
        print(
            f"synthetic graph loaded for views in {time.perf_counter() - t:.2f}s "
            f"({big.graph.number_of_nodes():,} nodes, {big.graph.number_of_edges():,} edges)"
        )
        _measure("synthetic overview (aggregated)", lambda: overview(big, args.cap), pages, browser)
        _measure(
            "synthetic claims (unsupported)",
            lambda: claim_audit(big, "unsupported", args.cap),
            pages,
            browser,
        )
        _measure("synthetic concept uc-msc", lambda: concept_view(big, "uc-msc", args.cap), pages, browser)
    finally:
        if browser is not None:
            browser.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
