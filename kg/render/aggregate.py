"""The corpus overview past the node cap: groups instead of items.

One node per concept; per concept, one node per support status standing for the claims about
it and one per evidence level standing for the study mentions about it; one node per document
kind; the most-mentioned organizations and countries. Edge labels carry counts. Concepts with
the most claims and studies are kept first when even the groups exceed the cap.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from kg.render import style
from kg.render.data import (
    CLAIM,
    CLAIM_CONCEPT_PREDICATES,
    CONCEPT,
    DOCUMENT,
    STUDY,
    STUDY_CONCEPT_PREDICATES,
    Item,
)
from kg.render.spec import DEFAULT_NODE_CAP, ViewEdge, ViewNode, ViewSpec

MAX_ENTITIES = 60
NO_CONCEPT = "group:no-concept"


def _concepts_of(item: Item, predicates: Iterable[str], known: set[str]) -> set[str]:
    return {c for p in predicates for c in item.all(p) if c in known} or {NO_CONCEPT}


def _size(n: int) -> int:
    return 10 + min(30, int(n**0.5))


def aggregated_overview(src, cap: int = DEFAULT_NODE_CAP) -> ViewSpec:
    """Claims grouped per (concept, support status), studies per (concept, evidence level),
    documents per kind, plus concepts and the most-mentioned organizations and countries."""
    data, g = src.data, src.graph
    known = {n for n, k in g.nodes(data="kind") if k == CONCEPT}
    doc_kind = {iri: d.get("kind") or "other" for iri, d in data.documents.items()}
    groups: dict[tuple[str, str, object], Counter] = defaultdict(Counter)  # -> document kinds
    for kind, table, predicates, grade in (
        (CLAIM, data.claims, CLAIM_CONCEPT_PREDICATES, style.support_status),
        (STUDY, data.studies, STUDY_CONCEPT_PREDICATES, style.evidence_level),
    ):
        for item in table.values():
            dkind = doc_kind.get(item.get("wasDerivedFrom"), "other")
            for c in _concepts_of(item, predicates, known):
                groups[(kind, c, grade(item))][dkind] += 1
    totals: Counter = Counter()
    for (_, c, _), by_kind in groups.items():
        totals[c] += sum(by_kind.values())
    kinds = Counter(doc_kind.values())
    mentions: Counter = Counter()
    entity_docs: Counter = Counter()
    for iri, doc in data.documents.items():
        for target in doc.all("mentions"):
            if target in g:
                mentions[(doc_kind[iri], target)] += 1
                if target not in data.concepts:
                    entity_docs[target] += 1

    # Budget: document kinds, then concepts (most items first) each with its largest group, then
    # the other groups (largest first), then organizations and countries.
    reserve = min(MAX_ENTITIES, len(entity_docs), cap // 10)
    budget = cap - len(kinds) - reserve
    by_concept: dict[str, list[tuple]] = defaultdict(list)
    for key, _ in sorted(groups.items(), key=lambda kv: -sum(kv[1].values())):
        by_concept[key[1]].append(key)
    concepts: list[str] = []
    chosen: list[tuple] = []
    for c, _ in totals.most_common():
        if budget < 2:
            break
        concepts.append(c)
        chosen.append(by_concept[c][0])
        budget -= 2
    rest = sorted((k for c in concepts for k in by_concept[c][1:]), key=lambda k: -sum(groups[k].values()))
    chosen += rest[: max(0, budget)]
    budget -= len(rest[: max(0, budget)])
    entities = [e for e, _ in entity_docs.most_common(min(MAX_ENTITIES, reserve + max(0, budget)))]
    left_out = len(groups) - len(chosen)

    nodes: list[ViewNode] = []
    ids: dict[str, str] = {}

    def add(key: str, node: ViewNode) -> None:
        ids[key] = node.id = f"n{len(nodes)}"
        nodes.append(node)

    for dkind, n in sorted(kinds.items()):
        tip = {"h": f"{n:,} {dkind} documents", "rows": [["Group", "documents of this kind"]]}
        label = f"{dkind} ({n:,})"
        add(
            dkind,
            ViewNode(
                "",
                f"group:documents/{dkind}",
                DOCUMENT,
                label,
                style.DOCUMENT_COLOUR,
                "box",
                tip,
                22,
                count=n,
            ),
        )
    for c in sorted(concepts):
        item = data.concepts.get(c) or Item(NO_CONCEPT, CONCEPT, {"prefLabel": ["(no concept)"]})
        tip = style.tooltip(CONCEPT, item, data)
        tip["rows"].insert(
            0, ["Claims and studies", f"{totals[c]:,} (an item about several concepts counts under each)"]
        )
        node = style.view_node("", item, data)
        node.tip, node.size = tip, 12 + min(30, int(totals[c] ** 0.5))
        add(c, node)
    edges: list[ViewEdge] = []
    for key in sorted(chosen, key=lambda k: (k[0], k[1], str(k[2]))):
        kind, c, grade = key
        n = sum(groups[key].values())
        split = ", ".join(f"{k} {m:,}" for k, m in groups[key].most_common())
        about = data.concepts[c].get("prefLabel") if c in data.concepts else "no concept"
        if kind == CLAIM:
            tip = {"h": f"{n:,} {grade} claims about {about}", "rows": [["By document kind", split]]}
            colour, shape, label = style.SUPPORT_COLOURS[grade], "dot", f"{n:,} {grade}"
        else:
            level = style.LEVEL_NAMES[grade]
            tip = {"h": f"{n:,} study mentions on {about}: {level}", "rows": [["By document kind", split]]}
            colour, shape, label = style.LEVEL_COLOURS[grade], "square", f"{n:,} × {level.split(' (')[0]}"
        iri = f"group:{kind}/{c}/{grade}"
        add(iri, ViewNode("", iri, kind, label, colour, shape, tip, _size(n), status=str(grade), count=n))
        edges.append(ViewEdge(ids[iri], ids[c], ["about"], count=n))
    for e in entities:
        add(e, style.view_node("", data.item(e), data))
    for c in concepts:
        for b in data.concepts[c].all("broader") if c in data.concepts else []:
            if b in ids:
                edges.append(ViewEdge(ids[c], ids[b], ["broader"]))
    for (dkind, target), n in sorted(mentions.items()):
        if target in ids:
            edges.append(ViewEdge(ids[dkind], ids[target], ["mentions"], count=n))

    notes = [
        f"Aggregated: the full graph has {g.number_of_nodes():,} nodes ({len(data.documents):,} documents, "
        f"{len(data.claims):,} claims, {len(data.studies):,} study mentions), more than the node cap of "
        f"{cap:,}. Each claim or study node here stands for a group (per concept and support status or "
        "evidence level) and edge labels give counts. Use --claims, --doc or --concept for item-level views."
    ]
    if left_out:
        notes.append(
            f"{left_out:,} of {len(groups):,} groups (the smallest) are left out to stay within the cap."
        )
    if len(entity_docs) > len(entities):
        notes.append(
            f"Showing the {len(entities)} most-mentioned of {len(entity_docs):,} organizations and countries."
        )
    return ViewSpec(
        name="overview",
        title="Corpus overview (aggregated)",
        summary=style.summary(
            Counter(
                {
                    DOCUMENT: len(data.documents),
                    CLAIM: len(data.claims),
                    STUDY: len(data.studies),
                    CONCEPT: len(concepts),
                }
            ),
            Counter(style.support_status(c) for c in data.claims.values()),
            len(edges),
            data.graded,
            suffix=f" (drawn as {len(nodes):,} group nodes)",
        ),
        nodes=nodes,
        edges=edges,
        legend=style.legend({n.kind for n in nodes}, aggregated=True),
        notes=notes,
        cap=cap,
        aggregated=True,
        truncated=bool(left_out),
    )
