"""Load what the views draw from the store, and link it into one networkx graph.

`load_graph_data` reads every document, claim, study mention, organization, country and
vocabulary concept with a handful of SPARQL queries (grading results in the analysis graph
merge in because the store queries the union of all graphs). `knowledge_graph` links them
into a `networkx.DiGraph` whose nodes are IRIs and whose edges carry the relation names; the
views are selections of that graph.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.namespaces import DCT, HCKG, PROV, RDFS, SCHEMA, SKOS, XSD
from kg.store import GraphStore

log = logging.getLogger(__name__)

# Node kinds, in drawing order.
DOCUMENT, CLAIM, STUDY, CONCEPT, ORGANIZATION, COUNTRY = (
    "document",
    "claim",
    "study",
    "concept",
    "organization",
    "country",
)

_CLASSES = {
    DOCUMENT: HCKG + "Document",
    CLAIM: HCKG + "Claim",
    STUDY: HCKG + "StudyMention",
    ORGANIZATION: HCKG + "Organization",
    COUNTRY: HCKG + "Country",
}

# Predicates whose values are nodes of the view graph, by relation name.
# A claim's cellSource, route, outcome and condition are all also under hckg:about.
CLAIM_CONCEPT_PREDICATES = ("about",)
STUDY_CONCEPT_PREDICATES = ("cellSource", "route", "outcome")

_INT = XSD + "integer"
_BOOL = XSD + "boolean"
_NUMERIC = {_INT, XSD + "int", XSD + "long", XSD + "nonNegativeInteger", XSD + "positiveInteger"}


def local_name(iri: str) -> str:
    """The part of an IRI after its last `#` or `/` (the relation names the views show)."""
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


def _value(term: Any) -> Any:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt in _NUMERIC:
            try:
                return int(term.value)
            except ValueError:
                return term.value
        if dt == _BOOL:
            return term.value in ("true", "1")
        return term.value
    return term.value


@dataclass
class Item:
    """One resource with its properties by local name (values in store order, no duplicates)."""

    iri: str
    kind: str
    props: dict[str, list[Any]] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        values = self.props.get(key)
        return values[0] if values else default

    def all(self, key: str) -> list[Any]:
        return self.props.get(key, [])

    def add(self, key: str, value: Any) -> None:
        values = self.props.setdefault(key, [])
        if value not in values:
            values.append(value)


@dataclass
class Detail:
    """A flag reason or grade step attached to a claim or study."""

    code: str
    rule: str
    explanation: str
    path: str = ""
    effect: int | None = None


# What every item needs before a view is cut (ranking, linking, grouping); everything else
# (quotes, rules, grade steps, flag reasons) is read only for the items a view shows.
_OUTLINE_SINGLE = {
    DOCUMENT: ("identifier", "fileName", "title", "kind"),
    CLAIM: ("wasDerivedFrom", "supportStatus", "flagged", "strongCue", "hedged"),
    STUDY: ("wasDerivedFrom", "evidenceLevel", "design"),
}
_OUTLINE_MULTI = {
    DOCUMENT: ("mentions",),
    CLAIM: ("about", "cites", "bearingEvidence", "contradictedBy"),
    STUDY: (*STUDY_CONCEPT_PREDICATES, "institution", "country"),
}
_PREDICATES = {
    "wasDerivedFrom": PROV + "wasDerivedFrom",
    "identifier": DCT + "identifier",
    "title": DCT + "title",
    "mentions": SCHEMA + "mentions",
    "label": RDFS + "label",
}
_DETAIL_CHUNK = 400


def _predicate(name: str) -> str:
    return _PREDICATES.get(name, HCKG + name)


@dataclass
class GraphData:
    """Everything the views draw, by IRI.

    Claims, studies and documents are loaded in outline (what ranking, linking and grouping
    need); `load_details` reads the rest for the items a view is about to show.
    """

    documents: dict[str, Item]
    claims: dict[str, Item]
    studies: dict[str, Item]
    organizations: dict[str, Item]
    countries: dict[str, Item]
    concepts: dict[str, Item]
    flag_reasons: dict[str, list[Detail]] = field(default_factory=dict)
    grade_steps: dict[str, list[Detail]] = field(default_factory=dict)
    store: GraphStore | None = None
    _detailed: set[str] = field(default_factory=set)

    @property
    def graded(self) -> bool:
        """True once grading has written support statuses or evidence levels."""
        return any("supportStatus" in c.props for c in self.claims.values()) or any(
            "evidenceLevel" in s.props for s in self.studies.values()
        )

    def item(self, iri: str) -> Item | None:
        for table in (
            self.claims,
            self.studies,
            self.documents,
            self.concepts,
            self.organizations,
            self.countries,
        ):
            if iri in table:
                return table[iri]
        return None

    def concept_by_key(self) -> dict[str, Item]:
        return {c.get("notation"): c for c in self.concepts.values()}

    def narrower(self) -> dict[str, list[str]]:
        """Concept IRI -> IRIs of its direct narrower concepts."""
        out: dict[str, list[str]] = defaultdict(list)
        for c in self.concepts.values():
            for parent in c.all("broader"):
                out[parent].append(c.iri)
        return out

    def load_details(self, iris: Iterable[str]) -> None:
        """Read every property, flag reason and grade step of these claims, studies and documents."""
        todo = []
        for iri in dict.fromkeys(iris):
            if iri in self._detailed:
                continue
            item = self.claims.get(iri) or self.studies.get(iri) or self.documents.get(iri)
            if item is not None:
                todo.append(item)
            self._detailed.add(iri)
        if not todo or self.store is None:
            return
        by_iri = {it.iri: it for it in todo}
        for i in range(0, len(todo), _DETAIL_CHUNK):
            chunk = todo[i : i + _DETAIL_CHUNK]
            values = " ".join(f"<{it.iri}>" for it in chunk)
            for s, p, o in self.store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"):
                by_iri[s.value].add(local_name(p.value), _value(o))
            self.flag_reasons.update(_details(self.store, "flagReason", values))
            self.grade_steps.update(_details(self.store, "gradeStep", values))


def _outline(store: GraphStore) -> dict[str, dict[str, Item]]:
    """Documents, claims and study mentions with their outline properties, by kind.

    One query per predicate, without joining on the class (much faster on large stores);
    values of subjects that are not of a kind that wants the predicate are dropped.
    """
    kinds = tuple(_OUTLINE_SINGLE)
    tables: dict[str, dict[str, Item]] = {kind: {} for kind in kinds}
    classes = " ".join(f"<{_CLASSES[k]}>" for k in kinds)
    kind_of = {_CLASSES[k]: k for k in kinds}
    for s, t in store.query(f"SELECT ?s ?t WHERE {{ VALUES ?t {{ {classes} }} ?s a ?t }}"):
        kind = kind_of[t.value]
        tables[kind].setdefault(s.value, Item(s.value, kind))
    wanted: dict[str, list[str]] = defaultdict(list)
    for kind in kinds:
        for name in (*_OUTLINE_SINGLE[kind], *_OUTLINE_MULTI.get(kind, ())):
            wanted[name].append(kind)
    for name, for_kinds in wanted.items():
        targets = [tables[k] for k in for_kinds]
        # every extracted item has prov:wasDerivedFrom: join on the class to skip the mentions
        typed = f"VALUES ?t {{ {classes} }} ?s a ?t ." if name == "wasDerivedFrom" else ""
        for s, o in store.query(f"SELECT ?s ?o WHERE {{ {typed} ?s <{_predicate(name)}> ?o }}"):
            for table in targets:
                item = table.get(s.value)
                if item is not None:
                    item.add(name, _value(o))
    return tables


def _items(store: GraphStore, kind: str) -> dict[str, Item]:
    """Every property of every resource of a class (for the few organizations and countries)."""
    out: dict[str, Item] = {}
    subjects = f"SELECT DISTINCT ?s WHERE {{ ?s a <{_CLASSES[kind]}> }}"
    q = f"SELECT DISTINCT ?s ?p ?o WHERE {{ {{ {subjects} }} ?s ?p ?o }}"
    for s, p, o in store.query(q):
        item = out.get(s.value)
        if item is None:
            item = out[s.value] = Item(s.value, kind)
        item.add(local_name(p.value), _value(o))
    return out


def _details(store: GraphStore, link: str, values: str) -> dict[str, list[Detail]]:
    q = f"""
    SELECT ?s ?d ?code ?rule ?why ?path ?effect WHERE {{
      VALUES ?s {{ {values} }}
      ?s <{HCKG}{link}> ?d .
      OPTIONAL {{ ?d <{HCKG}reasonCode> ?code }}
      OPTIONAL {{ ?d <{HCKG}ruleId> ?rule }}
      OPTIONAL {{ ?d <{HCKG}explanation> ?why }}
      OPTIONAL {{ ?d <{HCKG}evidencePath> ?path }}
      OPTIONAL {{ ?d <{HCKG}effect> ?effect }}
      OPTIONAL {{ ?d <{HCKG}order> ?order }}
    }} ORDER BY ?s ?order ?d"""
    out: dict[str, dict[str, Detail]] = defaultdict(dict)
    for row in store.query(q):
        s, d = row["s"].value, row["d"].value
        if d in out[s]:
            continue

        def text(name: str, row=row) -> str:
            return row[name].value if row[name] is not None else ""

        effect = _value(row["effect"]) if row["effect"] is not None else None
        out[s][d] = Detail(
            text("code"),
            text("rule"),
            text("why"),
            text("path"),
            effect if isinstance(effect, int) else None,
        )
    return {s: list(ds.values()) for s, ds in out.items()}


def _concepts(store: GraphStore) -> dict[str, Item]:
    q = f"""
    SELECT ?c ?key ?label ?type ?broader WHERE {{
      ?c a <{SKOS}Concept> .
      OPTIONAL {{ ?c <{SKOS}notation> ?key }}
      OPTIONAL {{ ?c <{SKOS}prefLabel> ?label }}
      OPTIONAL {{ ?c <{SKOS}inScheme> ?scheme . ?scheme <{HCKG}conceptType> ?type }}
      OPTIONAL {{ ?c <{SKOS}broader> ?broader }}
    }}"""
    out: dict[str, Item] = {}
    for row in store.query(q):
        iri = row["c"].value
        item = out.get(iri)
        if item is None:
            item = out[iri] = Item(iri, CONCEPT)
        for name in ("key", "label", "type", "broader"):
            if row[name] is not None:
                key = {"key": "notation", "label": "prefLabel", "type": "conceptType"}.get(name, name)
                item.add(key, row[name].value)
    for item in out.values():
        if "notation" not in item.props:
            item.add("notation", local_name(item.iri))
        if "prefLabel" not in item.props:
            item.add("prefLabel", item.get("notation"))
    return out


def load_graph_data(store: GraphStore) -> GraphData:
    """Read documents, claims, studies (in outline), entities and concepts from a store."""
    outline = _outline(store)
    data = GraphData(
        documents=outline[DOCUMENT],
        claims=outline[CLAIM],
        studies=outline[STUDY],
        organizations=_items(store, ORGANIZATION),
        countries=_items(store, COUNTRY),
        concepts=_concepts(store),
        store=store,
    )
    log.debug(
        "view data: %d documents, %d claims, %d studies",
        len(data.documents),
        len(data.claims),
        len(data.studies),
    )
    return data


def _ancestors(data: GraphData, iris: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = [i for i in iris if i in data.concepts]
    while todo:
        iri = todo.pop()
        if iri in seen:
            continue
        seen.add(iri)
        todo.extend(b for b in data.concepts[iri].all("broader") if b in data.concepts)
    return seen


def knowledge_graph(data: GraphData) -> nx.DiGraph:
    """Link documents, claims, studies, concepts, organizations and countries.

    Nodes are IRIs with attributes `kind` and `item`; every edge has `relations`, the local
    names of the predicates it stands for (a claim that both cites and is graded against a
    study gets one edge with two relations). Concepts appear when something refers to them,
    together with their broader concepts.
    """
    g = nx.DiGraph()
    for table in (data.documents, data.claims, data.studies, data.organizations, data.countries):
        for iri, item in table.items():
            g.add_node(iri, kind=item.kind, item=item)
    used = set()
    for claim in data.claims.values():
        for p in CLAIM_CONCEPT_PREDICATES:
            used.update(claim.all(p))
    for study in data.studies.values():
        for p in STUDY_CONCEPT_PREDICATES:
            used.update(study.all(p))
    for doc in data.documents.values():
        used.update(v for v in doc.all("mentions") if v in data.concepts)
    for iri in sorted(_ancestors(data, used)):
        g.add_node(iri, kind=CONCEPT, item=data.concepts[iri])

    links: dict[tuple[str, str], list[str]] = {}

    def link(u: str, targets: Iterable[str], relation: str) -> None:
        for v in targets:
            if v != u and v in g:
                rels = links.setdefault((u, v), [])
                if relation not in rels:
                    rels.append(relation)

    for iri, claim in data.claims.items():
        link(iri, claim.all("wasDerivedFrom"), "wasDerivedFrom")
        for p in CLAIM_CONCEPT_PREDICATES:
            link(iri, claim.all(p), "about")
        for p in ("cites", "bearingEvidence", "contradictedBy"):
            link(iri, claim.all(p), p)
    for iri, study in data.studies.items():
        link(iri, study.all("wasDerivedFrom"), "wasDerivedFrom")
        for p in (*STUDY_CONCEPT_PREDICATES, "institution", "country"):
            link(iri, study.all(p), p)
    for iri, doc in data.documents.items():
        link(iri, doc.all("mentions"), "mentions")
    for iri, org in data.organizations.items():
        link(iri, org.all("operatesIn"), "operatesIn")
    for iri in [n for n, k in g.nodes(data="kind") if k == CONCEPT]:
        link(iri, data.concepts[iri].all("broader"), "broader")
    g.add_edges_from((u, v, {"relations": rels}) for (u, v), rels in links.items())
    return g
