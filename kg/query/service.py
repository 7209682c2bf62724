"""The query service: checks a query, binds its parameters, and runs it in a worker within
its timeout; `run_query` for one-off use."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from kg.errors import QueryError, StoreError
from kg.query.errors import QuerySyntaxError, QueryTimeout
from kg.query.named import NamedQuery, load_named_queries, resolve_query
from kg.query.params import Term, bind_parameters
from kg.query.results import QueryResult
from kg.query.safety import check_query
from kg.query.worker import _Request, _Worker
from kg.store import EMBEDDED, STORE_DIRNAME, recorded_store_url

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RESULT_BYTES = 512 * 1024 * 1024


class QueryService:
    """Runs read-only queries against the store of `out_dir`, each within `timeout` seconds: the
    embedded `<out_dir>/store`, or the SPARQL endpoint `store_url` (default: the one `kg build
    --store` recorded there).

    `workers` processes answer queries in parallel (for `kg serve`); each opens the store
    read-only when first needed. Use as a context manager, or call `close()`.
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: bool = False,
        workers: int = 1,
        max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
        query_dirs: Sequence[Path] = (),
        store_url: str | None = None,
    ):
        self.out_dir = Path(out_dir)
        if store_url in EMBEDDED:
            store_url = None
        has_store = (self.out_dir / STORE_DIRNAME).is_dir() or recorded_store_url(self.out_dir)
        if not store_url and not has_store:
            raise StoreError(f"{self.out_dir}: no graph built here (run `kg build` first)")
        if timeout is not None and timeout <= 0:
            raise QueryError("timeout must be positive")
        self.timeout = timeout
        self.allow_service = allow_service
        self.query_dirs = tuple(query_dirs)
        self._workers = [_Worker(self.out_dir, max_result_bytes, store_url) for _ in range(max(1, workers))]
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        for worker in self._workers:
            self._idle.put(worker)
        self._named: dict[str, NamedQuery] | None = None
        self._lock = threading.Lock()

    # -- named queries ----------------------------------------------------------------------
    @property
    def named_queries(self) -> dict[str, NamedQuery]:
        with self._lock:
            if self._named is None:
                self._named = load_named_queries(self.query_dirs)
            return self._named

    def run_named(self, name: str, params: Mapping[str, str | Term] | None = None) -> QueryResult:
        named = self.named_queries.get(name)
        if named is None:
            raise QueryError(f"unknown named query {name!r} (`kg query --list` shows them)")
        return self.run(named.text_for(params or ()), params, named=named)

    def run_spec(self, spec: str, params: Mapping[str, str | Term] | None = None) -> QueryResult:
        """Run a named query, a query file, or inline SPARQL (see `resolve_query`)."""
        text, named = resolve_query(spec, self.named_queries)
        if named is not None:
            text = named.text_for(params or ())
        return self.run(text, params, named=named)

    # -- any query ----------------------------------------------------------------------------
    def run(
        self,
        text: str,
        params: Mapping[str, str | Term] | None = None,
        *,
        named: NamedQuery | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Check and run one query. The default graph is the union of all graphs unless the
        query has FROM clauses or `default_graphs` is given."""
        where = f"{named.name}: " if named else ""
        try:
            check = check_query(text, self.allow_service)
            substitutions = bind_parameters(params, text, named)
        except QueryError as exc:
            raise type(exc)(f"{where}{exc}") from None
        request = _Request(
            text,
            substitutions,
            use_union=not check.has_dataset,
            default_graphs=tuple(default_graphs) if default_graphs else None,
            named_graphs=tuple(named_graphs) if named_graphs else None,
        )
        reply = self._execute(request)
        if reply[0] == "ok":
            _, form, payload, seconds = reply
            return QueryResult(form, payload, seconds, named)
        raise _reply_error(reply, text, where)

    def _execute(self, request: _Request) -> tuple:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(f"all query workers stayed busy for {self.timeout:g} s; try again") from None
        try:
            return worker.execute(request, self.timeout)
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()

    def __enter__(self) -> QueryService:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)
_NOT_PROJECTED = re.compile(r"does not contains? variable \?(\w+) in its SELECT projection")


def _reply_error(reply: tuple, text: str, where: str) -> QueryError:
    kind, detail = reply[0], reply[1]
    if kind == "syntax":
        m = _SYNTAX_POSITION.search(detail)
        if not m:
            return QuerySyntaxError(f"{where}SPARQL syntax error: {detail}")
        line_no, col = int(m.group(1)), int(m.group(2))
        lines = text.splitlines()
        line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
        near = line[max(0, col - 30) : col + 10].strip()
        expected = " ".join(m.group(3).split())
        if len(expected) > 100:
            expected = expected[:100].rsplit(",", 1)[0] + ", …"
        return QuerySyntaxError(
            f"{where}SPARQL syntax error at line {line_no}, column {col}"
            + (f" (near {near!r})" if near else "")
            + f": {expected}"
        )
    if kind == "too-large":
        return QueryError(f"{where}the result is larger than {detail // 2**20} MiB; add LIMIT or narrow it")
    m = _NOT_PROJECTED.search(detail)
    if m:
        return QueryError(f"{where}parameter {m.group(1)!r} must be a variable the query returns (SELECT)")
    return QueryError(f"{where}query failed: {detail}")


def run_query(
    out_dir: Path,
    query: str,
    params: Mapping[str, str | Term] | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: bool = False,
    query_dirs: Sequence[Path] = (),
    store_url: str | None = None,
) -> QueryResult:
    """Run one query — a named query's name, a `.rq` file, or SPARQL text — read-only."""
    service = QueryService(
        out_dir, timeout=timeout, allow_service=allow_service, query_dirs=query_dirs, store_url=store_url
    )
    with service:
        return service.run_spec(query, params)
