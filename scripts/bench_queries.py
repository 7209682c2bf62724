"""Time every named query on a synthetic graph of about a million triples.

The graph replicates the bundled corpus: each document's named graph (and its part of the analysis
graph) is copied N times with rewritten document IRIs (…/doc/<id>-r<k>/…), so claims, studies,
mentions and grading keep their real shape, while organisations, countries and the vocabulary stay
shared between copies, as they would in a large crawl. The copies are bulk-loaded into an
embedded store and each named query runs through `QueryService` (the code path of `kg query` and
`kg serve`) several times; the table gives the median time measured in the worker (evaluation and
serialization) and the median round trip as the caller sees it.

It also measures what the engine cannot go below on this graph and machine: the cost of decoding
one stored term into the result (Oxigraph keeps IRIs and strings over 15 bytes in a dictionary,
one RocksDB read per term per row) and of one index lookup per row. The "decode floor" column is
the stored terms a query returns times the first: a query cannot return its rows faster than that,
however it is written.

    .venv/bin/python scripts/bench_queries.py                 # ~1M triples, 7 runs per query
    .venv/bin/python scripts/bench_queries.py --triples 200000 --runs 5 --keep /tmp/bench-out
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.build import build
from kg.formatting import simple_table
from kg.namespaces import ANALYSIS_GRAPH, DCT, HCKG, ID, PREFIXES
from kg.query import QueryService, load_named_queries
from kg.store import STORE_DIRNAME, GraphStore

DOC_IRI = re.compile(rf"^({re.escape(ID)}(?:doc|graph)/[0-9a-f]{{16}})")
TARGET_MS = 100.0
# Besides its plain run, a query that takes one of these parameters also runs with it bound, as a
# reviewer drilling down into one document or item would; ONLY_WITH_PARAMS never runs plain.
COPY0 = f"{ID}doc/015eb35539656c03-r0"
EXAMPLE_PARAMS = {
    "doc": f"<{COPY0}>",
    "claim": f"<{COPY0}/claim/502-733>",
    "study": f"<{COPY0}/study/502-733>",
    "cellSource": "voc:uc-msc",
    "reason": "anecdote",
}
ONLY_WITH_PARAMS = {"claim-evidence"}


def rewrite(term, k: int):
    """A term of copy k: document IRIs (and the ids and file names in literals) get a suffix."""
    if isinstance(term, ox.NamedNode):
        value, n = DOC_IRI.subn(rf"\1-r{k}", term.value)
        return ox.NamedNode(value) if n else term
    return term


def replicate(source: GraphStore, triples: int) -> tuple[list[ox.Quad], list[ox.Quad], int]:
    """(shared quads, quads of one copy, number of copies) to reach about `triples` quads."""
    shared, per_copy = [], []
    for quad in source.quads():
        graph = quad.graph_name
        is_doc = isinstance(graph, ox.NamedNode) and DOC_IRI.match(graph.value)
        touches_doc = any(isinstance(t, ox.NamedNode) and DOC_IRI.match(t.value) for t in quad)
        if is_doc or (graph == ox.NamedNode(ANALYSIS_GRAPH) and touches_doc):
            per_copy.append(quad)
        else:
            shared.append(quad)
    copies = max(1, round((triples - len(shared)) / len(per_copy)))
    return shared, per_copy, copies


def copy_quads(per_copy: list[ox.Quad], copies: int):
    identifier, file_name = ox.NamedNode(f"{DCT}identifier"), ox.NamedNode(f"{HCKG}fileName")
    for k in range(copies):
        for q in per_copy:
            obj = rewrite(q.object, k)
            if q.predicate in (identifier, file_name) and isinstance(obj, ox.Literal):
                obj = ox.Literal(f"{obj.value}-r{k}")
            yield ox.Quad(rewrite(q.subject, k), q.predicate, obj, rewrite(q.graph_name, k))


def make_graph(out: Path, triples: int) -> tuple[int, int, float]:
    """Build the corpus, replicate it into `out/store`; returns (quads, copies, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = build(None, Path(tmp), exports=())
        if report.errors:
            sys.exit(f"build failed: {report.errors}")
        shared, per_copy, copies = replicate(GraphStore(Path(tmp)), triples)
    started = time.perf_counter()
    (out / STORE_DIRNAME).mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(out / STORE_DIRNAME))
    store.bulk_extend(shared)
    store.bulk_extend(copy_quads(per_copy, copies))
    store.optimize()
    size = len(store)
    del store
    return size, copies, time.perf_counter() - started


def _median_ms(store: ox.Store, query: str, runs: int) -> float:
    """Median ms to evaluate a query and serialize it as SPARQL JSON, as the query worker does."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
        result.serialize(io.BytesIO(), format=ox.QueryResultsFormat.JSON)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _count(store: ox.Store, where: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    (solution,) = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    return int(solution["n"].value)


def engine_costs(out: Path, runs: int) -> dict[str, float]:
    """Microseconds per stored term decoded into a result, and per index lookup, on this store.

    Decode: listing one long-text property (every value a dictionary read) minus counting it.
    Lookup: joining each of its subjects to a second property of theirs, minus the first scan."""
    store = ox.Store.read_only(str(out / STORE_DIRNAME))
    listed_where = "?s hckg:evidencePath ?o"
    joined_where = "?s hckg:flagReason ?f . ?s hckg:quote ?o"
    scanned_where = "?s hckg:flagReason ?f"
    listed = _median_ms(store, f"SELECT ?o WHERE {{ {listed_where} }}", runs)
    counted = _median_ms(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {listed_where} }}", runs)
    joined = _median_ms(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {joined_where} }}", runs)
    scanned = _median_ms(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {scanned_where} }}", runs)
    decoded, lookups = _count(store, listed_where), _count(store, scanned_where)
    del store
    return {
        "decode_us": 1000 * max(listed - counted, 0.0) / max(decoded, 1),
        "lookup_us": 1000 * max(joined - scanned, 0.0) / max(lookups, 1),
        "decoded": decoded,
        "lookups": lookups,
    }


_COMPUTED = re.compile(r"\bAS\s+\?(\w+)", re.IGNORECASE)


def stored_terms(result, query_text: str) -> int:
    """Terms of the result the engine reads from its dictionary: IRIs and strings over 15 bytes
    (Oxigraph keeps shorter strings, numbers and booleans inline); values the query computes
    (`... AS ?x`) are not read."""
    computed = set(_COMPUTED.findall(query_text))
    columns = [i for i, v in enumerate(result.variables) if v not in computed]
    count = 0
    for row in result.rows:
        for i in columns:
            term = row[i]
            if isinstance(term, ox.NamedNode) or (
                isinstance(term, ox.Literal) and len(term.value.encode()) > 15
            ):
                count += 1
    return count


def runs_of(query) -> list[tuple[str, dict[str, str] | None]]:
    """(label, parameters) for each way the benchmark runs a named query."""
    out = [] if query.name in ONLY_WITH_PARAMS else [(query.name, None)]
    for p in query.parameters:
        if p.name in EXAMPLE_PARAMS:
            value = EXAMPLE_PARAMS[p.name]
            out.append((f"{query.name} ({p.name}={value.strip('<>').rsplit('/', 1)[-1]})", {p.name: value}))
            break
    return out


def bench(out: Path, runs: int, decode_us: float) -> list[tuple]:
    rows = []
    with QueryService(out, timeout=120) as service:
        service.run("ASK { ?s ?p ?o }")  # start the worker
        for query in sorted(load_named_queries().values(), key=lambda q: q.name):
            for label, params in runs_of(query):
                engine, total, size = [], [], 0
                for _ in range(runs):
                    started = time.perf_counter()
                    result = service.run_named(query.name, params)
                    total.append((time.perf_counter() - started) * 1000)
                    engine.append(result.seconds * 1000)
                    size = len(result)
                floor = stored_terms(result, query.text_for(params or ())) * decode_us / 1000
                median = statistics.median(engine)
                rows.append(
                    (
                        label,
                        size,
                        f"{median:.1f}",
                        f"{min(engine):.1f}",
                        f"{statistics.median(total):.1f}",
                        f"{floor:.1f}",
                        "ok" if median < TARGET_MS else "SLOW",
                    )
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="approximate size of the graph")
    parser.add_argument("--runs", type=int, default=7, help="runs per query (median reported)")
    parser.add_argument("--keep", type=Path, help="build the graph in this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        if args.keep and (out / STORE_DIRNAME).exists():
            print(f"reusing {out / STORE_DIRNAME}")
        else:
            size, copies, seconds = make_graph(out, args.triples)
            print(f"{size:,} quads ({copies} copies of the bundled corpus) bulk-loaded in {seconds:.1f}s")
        costs = engine_costs(out, args.runs)
        rows = bench(out, args.runs, costs["decode_us"])
    print(
        simple_table(
            (
                "query",
                "rows",
                "median ms",
                "min ms",
                "round trip ms",
                "decode floor ms",
                f"< {TARGET_MS:.0f} ms",
            ),
            rows,
            f"Named queries, median of {args.runs} runs",
        )
    )
    print(
        f"Engine costs on this graph: {costs['decode_us']:.2f} µs to decode and serialize one stored term "
        f"({costs['decoded']:,} terms), {costs['lookup_us']:.2f} µs per index lookup "
        f"({costs['lookups']:,} lookups). At these costs a listing of R rows with T stored terms and "
        f"L lookups per row needs at least R·(T·{costs['decode_us']:.1f} + L·{costs['lookup_us']:.1f}) µs."
    )


if __name__ == "__main__":
    main()
