"""The data behind a view: nodes, edges, legend and notes, independent of any HTML."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULT_NODE_CAP = 1500


@dataclass
class ViewNode:
    """One drawn node. `id` is opaque (n0, n1, ...); `iri` is what it stands for."""

    id: str
    iri: str
    kind: str
    label: str
    colour: str
    shape: str
    tip: dict[str, Any]
    size: int = 12
    status: str = ""
    flagged: bool = False
    count: int | None = None


@dataclass
class ViewEdge:
    """A directed link; `relations` are the predicate local names it stands for."""

    source: str
    target: str
    relations: list[str]
    count: int | None = None

    @property
    def label(self) -> str:
        text = ", ".join(self.relations)
        return f"{text} ({self.count:,})" if self.count is not None else text


@dataclass
class ViewSpec:
    """A view ready to be written: what to draw and what to say about it."""

    name: str
    title: str
    summary: str
    nodes: list[ViewNode]
    edges: list[ViewEdge]
    legend: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cap: int = DEFAULT_NODE_CAP
    aggregated: bool = False
    truncated: bool = False

    def kind_counts(self) -> Counter[str]:
        return Counter(n.kind for n in self.nodes)

    def node(self, iri: str) -> ViewNode | None:
        return next((n for n in self.nodes if n.iri == iri), None)

    def neighbours(self, node_id: str) -> set[str]:
        out = {e.target for e in self.edges if e.source == node_id}
        return out | {e.source for e in self.edges if e.target == node_id}

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for edge, raw in zip(self.edges, out["edges"], strict=True):
            raw["label"] = edge.label
        return out
