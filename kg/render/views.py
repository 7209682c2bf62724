"""The four views: corpus overview, claim audit, one document, one concept.

Each view picks IRIs from the knowledge graph (`kg.render.data.knowledge_graph`): a ranked list
of focus items (claims, studies) plus the context each brings (its document, the concepts and
studies it links to). Items are taken in rank order until the node cap would be passed, so a
large view shows its most relevant part and says so; the corpus overview instead aggregates
(one node per concept, claim groups per support status, study groups per evidence level).
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

import networkx as nx

from kg.errors import KGError
from kg.render import style
from kg.render.aggregate import aggregated_overview
from kg.render.data import (
    CLAIM,
    CONCEPT,
    COUNTRY,
    DOCUMENT,
    ORGANIZATION,
    STUDY,
    GraphData,
    Item,
    knowledge_graph,
    load_graph_data,
)
from kg.render.spec import DEFAULT_NODE_CAP, ViewEdge, ViewNode, ViewSpec
from kg.store import GraphStore

log = logging.getLogger(__name__)

CLAIM_FILTERS = ("unsupported", "all")
_KIND_ORDER = {k: i for i, k in enumerate((DOCUMENT, CLAIM, STUDY, CONCEPT, ORGANIZATION, COUNTRY))}
_SPAN = re.compile(r"/(\d+)-(\d+)$")


class ViewError(KGError):
    """A view was asked for something the graph does not have."""


@dataclass
class ViewSource:
    """The loaded graph a view is cut from (load once, cut many views)."""

    data: GraphData
    graph: nx.DiGraph

    @classmethod
    def from_store(cls, store: GraphStore) -> ViewSource:
        data = load_graph_data(store)
        return cls(data, knowledge_graph(data))

    @classmethod
    def open(cls, out_dir: Path, store_url: str | None = None) -> ViewSource:
        store = GraphStore(out_dir, read_only=True, store_url=store_url)
        return cls.from_store(store)

    def kind(self, iri: str) -> str:
        if iri in self.graph:
            return self.graph.nodes[iri]["kind"]
        item = self.data.item(iri)
        return item.kind if item else ""


# -- ranking ------------------------------------------------------------------------------------
def _offset(iri: str) -> int:
    m = _SPAN.search(iri)
    return int(m.group(1)) if m else 0


def _claim_rank(claim: Item) -> tuple:
    """Worst first: support status, flagged, strong unhedged wording, then document order."""
    return (
        style.SUPPORT_SEVERITY[style.support_status(claim)],
        not claim.get("flagged", False),
        not (claim.get("strongCue") and not claim.get("hedged")),
        claim.get("wasDerivedFrom") or "",
        _offset(claim.iri),
    )


def _study_rank(study: Item) -> tuple:
    """Best evidence first (ungraded last), then document order."""
    level = style.evidence_level(study)
    return (level if isinstance(level, int) else 99, study.get("wasDerivedFrom") or "", _offset(study.iri))


def is_unsupported(claim: Item) -> bool:
    """Unsupported or contradicted, or flagged by grading."""
    return style.support_status(claim) in ("unsupported", "contradicted") or claim.get("flagged") is True


# -- selection ----------------------------------------------------------------------------------
def _select(
    focus: Iterable[str], context: Callable[[str], Iterable[str]], cap: int, base: Iterable[str] = ()
) -> tuple[list[str], int, int]:
    """Take focus items (with their context) in order while the node count stays within `cap`.

    Returns (chosen IRIs, focus items shown, focus items offered).
    """
    chosen = dict.fromkeys(base)
    shown = offered = 0
    full = False
    for iri in focus:
        offered += 1
        if full:
            continue
        extra = [n for n in dict.fromkeys([iri, *context(iri)]) if n not in chosen]
        if len(chosen) + len(extra) > cap:
            full = True
            continue
        chosen.update(dict.fromkeys(extra))
        shown += 1
    return list(chosen), shown, offered


def _keep_all(u_kind: str, relation: str, v_kind: str) -> bool:
    return True


def _no_concept_mentions(u_kind: str, relation: str, v_kind: str) -> bool:
    return not (relation == "mentions" and v_kind == CONCEPT)


def _build_nodes_edges(
    src: ViewSource, iris: Iterable[str], keep: Callable[[str, str, str], bool] = _no_concept_mentions
) -> tuple[list[ViewNode], list[ViewEdge]]:
    """Nodes for `iris` (opaque ids in a stable order) and the graph's edges among them."""
    data, g = src.data, src.graph
    iris = list(dict.fromkeys(iris))
    data.load_details(iris)
    items = []
    for iri in dict.fromkeys(iris):
        item = g.nodes[iri]["item"] if iri in g else data.item(iri)
        if item is not None:
            items.append(item)
    items.sort(key=lambda it: (_KIND_ORDER[it.kind], it.iri))
    ids = {it.iri: f"n{i}" for i, it in enumerate(items)}
    nodes = [style.view_node(ids[it.iri], it, data) for it in items]
    edges: list[ViewEdge] = []
    seen: set[tuple[str, str]] = set()
    for it in items:
        u = it.iri
        successors = list(g.successors(u)) if u in g else []
        if it.kind == CONCEPT:  # hierarchy among shown concepts, even ones nothing refers to
            successors += [b for b in it.all("broader") if b not in successors]
        for v in successors:
            if v not in ids or (u, v) in seen:
                continue
            rels = g.edges[u, v]["relations"] if g.has_edge(u, v) else ["broader"]
            rels = [r for r in rels if keep(it.kind, r, src.kind(v))]
            if rels:
                seen.add((u, v))
                edges.append(ViewEdge(ids[u], ids[v], list(rels)))
    return nodes, edges


def _spec(
    src: ViewSource,
    name: str,
    title: str,
    iris: list[str],
    cap: int,
    notes: list[str],
    keep: Callable[[str, str, str], bool] = _no_concept_mentions,
    truncated: bool = False,
) -> ViewSpec:
    nodes, edges = _build_nodes_edges(src, iris, keep)
    return ViewSpec(
        name=name,
        title=title,
        summary=style.summarize(nodes, edges, src.data.graded),
        nodes=nodes,
        edges=edges,
        legend=style.legend({n.kind for n in nodes}),
        notes=notes,
        cap=cap,
        truncated=truncated,
    )


def _cut_note(shown: int, offered: int, what: str, order: str, cap: int) -> list[str]:
    if shown >= offered:
        return []
    return [
        f"Showing {shown:,} of {offered:,} {what} (the node cap is {cap:,}); {order} come first. "
        "Narrow the view with --doc or --concept, or raise --max-nodes."
    ]


# -- the views ----------------------------------------------------------------------------------
def overview(src: ViewSource, cap: int = DEFAULT_NODE_CAP) -> ViewSpec:
    """The whole corpus: every document, claim, study, concept and entity (aggregated past the cap)."""
    g = src.graph
    # Concepts that only documents mention (no claim or study is about them) stay out.
    hierarchy = g.subgraph(n for n, kind in g.nodes(data="kind") if kind == CONCEPT)
    linked: set[str] = set()
    for c in hierarchy:
        if any(src.kind(u) in (CLAIM, STUDY) for u in g.pred[c]):
            linked |= {c} | nx.descendants(hierarchy, c)
    iris = [n for n, kind in g.nodes(data="kind") if kind != CONCEPT or n in linked]
    if len(iris) > cap:
        return aggregated_overview(src, cap)
    return _spec(src, "overview", "Corpus overview", iris, cap, [])


def claim_audit(src: ViewSource, which: str = "unsupported", cap: int = DEFAULT_NODE_CAP) -> ViewSpec:
    """Claims (all, or unsupported/contradicted/flagged) with the studies and concepts bearing on them."""
    if which not in CLAIM_FILTERS:
        raise ViewError(f"unknown claim filter {which!r} (use one of: {', '.join(CLAIM_FILTERS)})")
    g, data = src.graph, src.data
    claims = [c for c in data.claims.values() if which == "all" or is_unsupported(c)]
    claims.sort(key=_claim_rank)
    iris, shown, offered = _select((c.iri for c in claims), g.successors, cap)
    notes = _cut_note(shown, offered, "claims", "the worst-supported and most strongly worded", cap)
    if which == "unsupported" and not data.graded:
        notes.append(
            "The graph has not been graded yet, so no claim has a support status and none is listed "
            "as unsupported. `kg view --claims all` shows every claim."
        )
    elif not claims:
        notes.append("No claim matches.")
    title = (
        "Claim audit: unsupported, contradicted and flagged claims"
        if which == "unsupported"
        else "Claim audit: all claims"
    )
    return _spec(src, f"claims-{which}", title, iris, cap, notes, truncated=shown < offered)


def find_document(data: GraphData, ref: str) -> Item:
    """A document by id, file name or IRI."""
    for doc in data.documents.values():
        if ref in (doc.get("identifier"), doc.get("fileName"), doc.iri):
            return doc
    names = sorted(str(d.get("fileName")) for d in data.documents.values())
    hint = difflib.get_close_matches(ref, names, n=3)
    shown = ", ".join(hint or names[:5]) + (" …" if not hint and len(names) > 5 else "")
    raise ViewError(f"no document {ref!r} in the graph (try: {shown})")


def document_view(src: ViewSource, ref: str, cap: int = DEFAULT_NODE_CAP) -> ViewSpec:
    """One document's claims, studies, organizations and countries, with what they link to."""
    g, data = src.graph, src.data
    doc = find_document(data, ref)
    members = [u for u in g.predecessors(doc.iri) if "wasDerivedFrom" in g.edges[u, doc.iri]["relations"]]
    claims = sorted((data.claims[u] for u in members if u in data.claims), key=_claim_rank)
    studies = sorted((data.studies[u] for u in members if u in data.studies), key=_study_rank)
    entities = [v for v in g.successors(doc.iri) if src.kind(v) in (ORGANIZATION, COUNTRY)]
    focus = [c.iri for c in claims] + [s.iri for s in studies] + sorted(entities)
    iris, shown, offered = _select(focus, g.successors, cap, base=[doc.iri])
    notes = _cut_note(shown, offered, "items", "the worst-supported claims", cap)
    title = f"Document: {style.short(doc.get('title') or doc.get('fileName'), 100)}"
    return _spec(src, f"doc-{doc.get('identifier')}", title, iris, cap, notes, truncated=shown < offered)


def find_concept(data: GraphData, key: str) -> Item:
    """A concept by its skos:notation key (or IRI)."""
    by_key = data.concept_by_key()
    if key in by_key:
        return by_key[key]
    if key in data.concepts:
        return data.concepts[key]
    hint = difflib.get_close_matches(key, sorted(by_key), n=3)
    raise ViewError(
        f"no concept {key!r} in the vocabulary" + (f" (did you mean: {', '.join(hint)}?)" if hint else "")
    )


def concept_view(src: ViewSource, key: str, cap: int = DEFAULT_NODE_CAP) -> ViewSpec:
    """Everything about one concept and its narrower concepts, with its broader chain for context."""
    g, data = src.graph, src.data
    concept = find_concept(data, key)
    narrower = data.narrower()
    scope: dict[str, None] = {}
    todo = [concept.iri]
    while todo:
        iri = todo.pop(0)
        if iri not in scope:
            scope[iri] = None
            todo.extend(sorted(narrower.get(iri, [])))
    chain, parent = [], concept
    while (
        parent.all("broader")
        and parent.get("broader") in data.concepts
        and parent.get("broader") not in chain
    ):
        chain.append(parent.get("broader"))
        parent = data.concepts[chain[-1]]
    items: set[str] = set()
    docs: set[str] = set()
    for c in scope:
        if c in g:
            for u in g.predecessors(c):
                kind = src.kind(u)
                if kind in (CLAIM, STUDY):
                    items.add(u)
                elif kind == DOCUMENT:
                    docs.add(u)
    studies = sorted((data.studies[i] for i in items if i in data.studies), key=_study_rank)
    claims = sorted((data.claims[i] for i in items if i in data.claims), key=_claim_rank)

    def context(iri: str) -> list[str]:
        return [v for v in g.successors(iri) if v in scope or src.kind(v) == DOCUMENT]

    # studies (best evidence first) and claims (worst supported first) take turns
    turns = zip_longest([s.iri for s in studies], [c.iri for c in claims])
    focus = [iri for pair in turns for iri in pair if iri] + sorted(docs)
    iris, shown, offered = _select(focus, context, cap, base=[*scope, *chain])
    notes = _cut_note(
        shown, offered, "items", "studies with the best evidence and the worst-supported claims", cap
    )
    if not items:
        notes.append("No claim or study in the graph is about this concept or a narrower one.")
    label = concept.get("prefLabel")
    title = f"Concept: {label} ({concept.get('notation')})"
    return _spec(
        src,
        f"concept-{concept.get('notation')}",
        title,
        iris,
        cap,
        notes,
        keep=_keep_all,
        truncated=shown < offered,
    )
