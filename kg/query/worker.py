"""Running queries in a worker process that holds the store open read-only; a query that
outlives its timeout is stopped by killing the worker, which restarts on next use."""

from __future__ import annotations

import contextlib
import io
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, QueryError, StoreError
from kg.namespaces import PREFIXES
from kg.pipes import child_pipes, spawn
from kg.query.errors import QueryTimeout
from kg.query.params import Term
from kg.query.safety import _keywords

WORKER_START_TIMEOUT = 120.0


@dataclass(frozen=True)
class _Request:
    query: str
    substitutions: dict[str, Term]
    use_union: bool
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


class _ResultTooLarge(Exception):
    pass


class _CappedBuffer(io.RawIOBase):
    """Collects serialized results; raises once they pass `limit` bytes."""

    def __init__(self, limit: int):
        self.data = bytearray()
        self.limit = limit
        self.exceeded = False

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.data += chunk
        if len(self.data) > self.limit:
            self.exceeded = True
            raise _ResultTooLarge
        return len(chunk)


def _answer(store, request: _Request, max_bytes: int) -> tuple:
    """Run one request in the worker; the reply is plain data for the pipe."""
    kwargs: dict[str, Any] = {"prefixes": PREFIXES}
    if request.substitutions:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in request.substitutions.items()}
    if request.default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = request.use_union
    if request.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    started = time.perf_counter()
    buffer = _CappedBuffer(max_bytes)
    try:
        result = store.store.query(request.query, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            form = "boolean"
            result.serialize(buffer, format=ox.QueryResultsFormat.JSON)
        elif isinstance(result, ox.QuerySolutions):
            form = "solutions"
            result.serialize(buffer, format=ox.QueryResultsFormat.JSON)
        else:
            form = "graph"
            result.serialize(buffer, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        return ("syntax", str(exc))
    except Exception as exc:
        if buffer.exceeded:
            return ("too-large", max_bytes)
        if store.is_remote:
            syntax = _local_syntax_error(request.query)
            if syntax:
                return ("syntax", syntax)
        return ("error", str(exc) or type(exc).__name__)
    return ("ok", form, bytes(buffer.data), time.perf_counter() - started)


def _local_syntax_error(query: str) -> str | None:
    """Oxigraph's syntax error (with line and column) for a query an endpoint refused, if it is
    one: the query is run on an empty in-memory store (never when it has SERVICE, which would
    make requests)."""
    if "SERVICE" in _keywords(query):
        return None
    try:
        ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        return str(exc)
    except Exception:
        return None
    return None


def worker_main(out_dir: str, max_bytes: str, store_url: str = "") -> None:
    """Worker process (`python -c`): open the store read-only, answer requests from stdin on stdout.

    The store is the embedded one or the SPARQL endpoint recorded in (or given for) `out_dir`;
    an endpoint gets the same checked query, parameters as a trailing VALUES clause."""
    from kg.store import GraphStore, store_files

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    requests, replies = child_pipes()
    try:
        store = GraphStore(Path(out_dir), read_only=True, store_url=store_url or None)
    except KGError as exc:
        replies.send(("store-error", str(exc)))
        return
    version = store_files(store.path)
    replies.send(("ready",))
    while True:
        try:
            request = requests.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        current = store_files(store.path)
        if current != version:  # `kg build` wrote since: a read-only store sees a snapshot
            try:
                store = GraphStore(Path(out_dir), read_only=True, store_url=store_url or None)
                version = current
            except KGError as exc:
                replies.send(("error", f"cannot reopen the store after a rebuild ({exc})"))
                continue
        replies.send(_answer(store, request, int(max_bytes)))


_WORKER_CODE = "import sys; from kg.query.worker import worker_main; worker_main(*sys.argv[1:])"


class _Worker:
    """One worker process; started on first use, killed on timeout and restarted on next use.

    A plain subprocess (not multiprocessing) so that callers need no `if __name__ == "__main__"`
    guard and threads in the parent (kg serve) are no concern.
    """

    def __init__(self, out_dir: Path, max_bytes: int, store_url: str | None = None):
        self.out_dir = out_dir
        self.max_bytes = max_bytes
        self.store_url = store_url
        self._process: subprocess.Popen | None = None
        self._requests = None
        self._replies = None

    def _start(self) -> None:
        self._process, self._requests, self._replies = spawn(
            _WORKER_CODE, str(self.out_dir), str(self.max_bytes), self.store_url or ""
        )
        try:
            if self._replies.poll(WORKER_START_TIMEOUT):
                ready = self._replies.recv()
            else:
                ready = ("store-error", f"{self.out_dir}: the query worker did not start")
        except (EOFError, OSError):
            ready = ("store-error", f"{self.out_dir}: the query worker exited while opening the store")
        if ready[0] != "ready":
            self.stop(kill=True)
            raise StoreError(ready[1])

    def execute(self, request: _Request, timeout: float | None) -> tuple:
        if self._process is None or self._process.poll() is not None:
            self.stop(kill=True)
            self._start()
        assert self._requests is not None and self._replies is not None
        try:
            self._requests.send(request)
            answered = self._replies.poll(timeout)
        except (OSError, EOFError):
            self.stop(kill=True)
            raise QueryError("the query worker stopped unexpectedly; try again") from None
        if not answered:
            self.stop(kill=True)
            raise QueryTimeout(
                f"query stopped after {timeout:g} s (timeout); narrow it (LIMIT, more selective "
                "patterns) or raise --timeout"
            )
        try:
            return self._replies.recv()
        except (EOFError, OSError):
            self.stop(kill=True)
            raise QueryError("the query worker died while answering (out of memory?)") from None

    def stop(self, kill: bool = False) -> None:
        process, requests, replies = self._process, self._requests, self._replies
        self._process = self._requests = self._replies = None
        if requests is not None:
            if not kill:
                with contextlib.suppress(OSError, ValueError):
                    requests.send(None)
            requests.close()
        if replies is not None:
            replies.close()
        if process is not None:
            if kill:
                process.kill()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
