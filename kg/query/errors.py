"""The query layer's errors (all `QueryError`s, so callers can catch the family)."""

from __future__ import annotations

from kg.errors import QueryError


class QuerySyntaxError(QueryError):
    """The query is not valid SPARQL (the message gives line and column)."""


class QueryForbidden(QueryError):
    """The query would modify the store or contact a remote endpoint."""


class QueryTimeout(QueryError):
    """The query ran longer than its timeout and was stopped."""
