"""Read-only SPARQL over the graph: named queries, safe parameters, timeouts, result formats.

Queries run in a worker process that holds the store open read-only. Oxigraph cannot cancel a
running query, so a query that outlives its timeout is stopped by terminating the worker, which
is restarted for the next query. Before a query reaches the worker it is parsed: SPARQL Update is
refused and so is `SERVICE` (Oxigraph would fetch it over HTTP) unless explicitly allowed.

Library use:

    with QueryService(Path("out"), timeout=10) as service:
        result = service.run_named("unsupported-claims", {"reason": "anecdote"})
        for record in result.records():
            ...
"""

from kg.errors import QueryError
from kg.query.errors import QueryForbidden, QuerySyntaxError, QueryTimeout
from kg.query.named import (
    PARAM_KINDS,
    QUERY_SUFFIXES,
    NamedQuery,
    QueryParameter,
    default_query_dir,
    list_named_queries,
    load_named_queries,
    parse_named_query,
    render_named_queries,
    resolve_query,
)
from kg.query.params import Term, bind_parameters, parse_assignments, parse_term, query_prefixes
from kg.query.results import (
    GRAPH_FORMATS,
    OUTPUT_FORMATS,
    RESULT_FORMATS,
    QueryResult,
    compact,
    render,
    render_markdown,
    render_table,
    to_python,
)
from kg.query.safety import UPDATE_KEYWORDS, QueryCheck, check_query
from kg.query.service import DEFAULT_MAX_RESULT_BYTES, DEFAULT_TIMEOUT, QueryService, run_query
from kg.query.worker import WORKER_START_TIMEOUT, worker_main

__all__ = [
    "DEFAULT_MAX_RESULT_BYTES",
    "DEFAULT_TIMEOUT",
    "GRAPH_FORMATS",
    "OUTPUT_FORMATS",
    "PARAM_KINDS",
    "QUERY_SUFFIXES",
    "RESULT_FORMATS",
    "UPDATE_KEYWORDS",
    "WORKER_START_TIMEOUT",
    "NamedQuery",
    "QueryCheck",
    "QueryError",
    "QueryForbidden",
    "QueryParameter",
    "QueryResult",
    "QueryService",
    "QuerySyntaxError",
    "QueryTimeout",
    "Term",
    "bind_parameters",
    "check_query",
    "compact",
    "default_query_dir",
    "list_named_queries",
    "load_named_queries",
    "parse_assignments",
    "parse_named_query",
    "parse_term",
    "query_prefixes",
    "render",
    "render_markdown",
    "render_named_queries",
    "render_table",
    "resolve_query",
    "run_query",
    "to_python",
    "worker_main",
]
