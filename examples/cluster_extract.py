"""Extraction fanned out over a cluster, the path past one machine: map the per-document
extraction over shards of the corpus, each task writing one N-Quads file, bulk-load the files,
then let `kg build` grade and export (it finds every document already current).

Runs locally with `concurrent.futures` (default) or, if installed, Dask's local cluster. On a
real cluster the same `extract_shard` is mapped by Dask (`client.map`) or Ray (`ray.remote`)
over shards on shared storage, and the shards go to the store's bulk loader
(`oxigraph load --location DIR --file shards/*.nq`, Fuseki's `tdb2.tdbloader`, GraphDB's
`importrdf`) or are POSTed to its Graph Store endpoint (`--store URL`).

    .venv/bin/python examples/cluster_extract.py CORPUS OUT [--shards 8] [--workers 2]
        [--engine futures|dask] [--store URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from kg.build import build, pipeline_fingerprint
from kg.errors import IngestError
from kg.ingest import Source, discover
from kg.store import open_store
from kg.workers import document_nquads


def extract_shard(shard: int, sources: list[tuple[str, str]], folder: str, pipeline: str) -> dict:
    """One task: extract a shard's documents into `<folder>/shard-NNNN.nq` (plain data in and
    out, so any engine can ship it to a worker)."""
    target = Path(folder) / f"shard-{shard:04d}.nq"
    partial = target.with_suffix(".nq.part")
    done, errors = 0, []
    with partial.open("wb") as fh:
        for path, name in sources:
            try:
                fh.write(document_nquads(Source(Path(path), name), pipeline))
                done += 1
            except IngestError as exc:
                errors.append(str(exc))
    os.replace(partial, target)  # a finished shard is complete or absent
    return {"shard": str(target), "documents": done, "errors": errors}


def run_futures(jobs: list[tuple], workers: int) -> list[dict]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(extract_shard, *zip(*jobs, strict=True)))


def run_dask(jobs: list[tuple], workers: int) -> list[dict]:
    from dask.distributed import Client, LocalCluster  # pip install "dask[distributed]"

    with LocalCluster(n_workers=workers, threads_per_worker=1) as cluster, Client(cluster) as client:
        return client.gather(client.map(extract_shard, *zip(*jobs, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--engine", choices=["futures", "dask"], default="futures")
    parser.add_argument("--store", default=None, help="SPARQL endpoint instead of the embedded store")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    sources = discover([args.corpus])  # the names `kg build CORPUS` gives the documents
    shards = [sources[i :: args.shards] for i in range(args.shards)]
    folder = args.out / "shards"
    folder.mkdir(parents=True, exist_ok=True)
    pipeline = pipeline_fingerprint()
    jobs = [
        (i, [(str(s.path.resolve()), s.name) for s in shard], str(folder), pipeline)
        for i, shard in enumerate(shards)
        if shard
    ]
    results = (run_dask if args.engine == "dask" else run_futures)(jobs, args.workers)
    extracted = time.perf_counter()
    documents = sum(r["documents"] for r in results)
    print(f"extracted {documents:,} documents into {len(results)} shards in {extracted - started:.1f}s")
    for r in results:
        for error in r["errors"]:
            print(f"error: {error}", file=sys.stderr)

    store = open_store(args.out, args.store)
    for r in results:
        store.load_nquads_file(Path(r["shard"]))
    store.close()
    del store
    loaded = time.perf_counter()
    print(f"bulk-loaded the shards in {loaded - extracted:.1f}s")

    report = build([args.corpus], args.out, store_url=args.store)
    print(
        f"kg build: {len(report.built)} built, {len(report.unchanged)} already loaded; graded and exported "
        f"in {report.seconds:.1f}s; {report.triples:,} quads"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
