"""Per-core throughput of the extraction stage alone (`kg.extract.extract_document`).

Reads every document of the corpus first, extracts one as a warm-up (loading the vocabulary,
lexicon and gazetteer), then times extracting them all in CPU time, best of `--rounds`, and
prints MB/s next to a plain pyahocorasick scan of the same text with the vocabulary's labels
(the yardstick of the "Scale" issue); `--profile N` prints the N functions with the most own
time under cProfile instead.

    .venv/bin/python scripts/synth_corpus.py --scale 20 /tmp/syn20
    .venv/bin/python scripts/bench_extract.py /tmp/syn20 [--rounds 5] [--profile 25]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

import ahocorasick

from kg.extract import extract_document
from kg.ingest import discover, read_document
from kg.model import Document
from kg.vocab import load_vocabulary


def seconds(docs: list[Document], rounds: int) -> float:
    """The least CPU time that extracting all `docs` took in `rounds` runs."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for doc in docs:
            extract_document(doc)
        best = min(best, time.process_time() - start)
    return best


def scan_seconds(docs: list[Document], rounds: int) -> float:
    """The least CPU time that a plain Aho-Corasick scan of all `docs` for the vocabulary's
    labels took in `rounds` runs."""
    automaton = ahocorasick.Automaton()
    for key in load_vocabulary()._folded:
        automaton.add_word(key, len(key))
    automaton.make_automaton()
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        hits = 0
        for doc in docs:
            for _ in automaton.iter(doc.text.lower()):
                hits += 1
        best = min(best, time.process_time() - start)
    return best


def profile(docs: list[Document], top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for doc in docs:
        extract_document(doc)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, metavar="N", help="print the top N functions by own time")
    args = parser.parse_args()
    docs = [read_document(source) for source in discover([args.corpus])]
    if not docs:
        parser.error(f"no documents in {args.corpus}")
    extract_document(docs[0])
    if args.profile:
        profile(docs, args.profile)
        return
    mb = sum(len(d.text.encode()) for d in docs) / 1e6
    spent, scan = seconds(docs, args.rounds), scan_seconds(docs, args.rounds)
    print(
        f"{len(docs):,} documents, {mb:.2f} MB: {spent:.2f} s, {mb / spent:.2f} MB/s per core; "
        f"plain pyahocorasick scan {mb / scan:.1f} MB/s (extraction at 1/{spent / scan:.0f} of it)"
    )


if __name__ == "__main__":
    main()
