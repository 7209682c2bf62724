"""Analyse claims with networkx: what evidence bears on each claim, its support status, and why.

The graph holds claims, study mentions, findings and vocabulary concepts (with the SKOS
hierarchy). For every claim the analysis collects the studies it cites in its own document and
the studies anywhere in the corpus with findings on the same cell source and outcome (following
skos:broader both ways and recording how the match was made), counts independent studies, and
applies the claim rules of `ontology/grading.ttl`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from kg.grading import StudyGrade, StudyRecord
from kg.lexicon import Lexicon
from kg.rules import Rules, certainty_rank, shift_certainty
from kg.text import squash

RESULT_REPORT_RULES = {"claim.study-result", "claim.reported-outcome"}
ADVERSE = "https://w3id.org/hckg/vocab/adverse-events"


@dataclass
class ClaimRecord:
    """A claim as read back from the graph."""

    iri: str
    doc: str
    quote: str
    claim_type: str
    hedged: bool
    rule: str
    vague_citation: bool
    anecdotal: bool
    strong_cues: list[str] = field(default_factory=list)
    cites: list[str] = field(default_factory=list)
    cell_sources: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)


@dataclass
class DocRecord:
    iri: str
    name: str
    kind: str
    topic_cell: str | None = None  # the specific cell source the document is mostly about
    topic_condition: str | None = None
    sentences: list[str] = field(default_factory=list)


@dataclass
class Evidence:
    study: StudyRecord
    grade: StudyGrade
    relation: str  # direct | narrower | broader | sibling | related
    cited: bool

    @property
    def usable(self) -> bool:
        """Counts towards support: identifiable research, not a testimonial."""
        return self.study.identifiable and self.study.design != "testimonial"

    @property
    def vague(self) -> bool:
        """Cannot be identified and gives fewer than two specifics (design, size, place, year)."""
        s = self.study
        if s.identifiable or s.design == "testimonial":
            return False
        specifics = sum(
            bool(x) for x in (s.design != "unspecified", s.n, s.year, s.venue, s.institution, s.country)
        )
        return specifics < 2

    @property
    def certainty(self) -> str:
        steps = -1 if self.relation != "direct" else 0
        return shift_certainty(self.grade.certainty, steps)


@dataclass
class FlagReason:
    code: str
    rule_id: str
    explanation: str
    path: str
    nodes: list[str]


@dataclass
class ClaimAssessment:
    claim: ClaimRecord
    status: str
    certainty: str | None
    flagged: bool
    reasons: list[FlagReason]
    evidence: list[Evidence]
    best_level: int | None
    independent_studies: int
    match: str
    contradicted_by: list[str]
    note: str = ""


class Hierarchy:
    """The SKOS broader/narrower hierarchy as a networkx DiGraph (edges child -> parent)."""

    def __init__(self, broader: list[tuple[str, str]]):
        self.graph = nx.DiGraph()
        self.graph.add_edges_from(broader)

    def ancestors(self, c: str) -> set[str]:
        return nx.descendants(self.graph, c) if c in self.graph else set()

    def descendants(self, c: str) -> set[str]:
        return nx.ancestors(self.graph, c) if c in self.graph else set()

    def parents(self, c: str) -> set[str]:
        return set(self.graph.successors(c)) if c in self.graph else set()

    def relation(self, claim_concept: str, evidence_concept: str) -> str | None:
        """How evidence on one concept bears on a claim about another."""
        if claim_concept == evidence_concept:
            return "direct"
        if evidence_concept in self.descendants(claim_concept):
            return "narrower"
        if evidence_concept in self.ancestors(claim_concept):
            return "broader"
        if self.parents(claim_concept) & self.parents(evidence_concept):
            return "sibling"
        shared = self.ancestors(claim_concept) & self.ancestors(evidence_concept)
        return "related" if shared else None

    def most_specific(self, concepts: list[str]) -> list[str]:
        """Drop concepts that are broader than another in the list ('stem cells' next to 'UC-MSC')."""
        return [c for c in concepts if not any(c in self.ancestors(o) for o in concepts if o != c)]

    def related(self, a: str, b: str) -> bool:
        return a == b or b in self.ancestors(a) or b in self.descendants(a)


_RANK = {"direct": 0, "narrower": 1, "broader": 2, "sibling": 3, "related": 4}


def _best_relation(h: Hierarchy, claim_cells: list[str], study_cells: list[str]) -> str | None:
    best = None
    for c in claim_cells:
        for s in study_cells:
            r = h.relation(c, s)
            if r and (best is None or _RANK[r] < _RANK[best]):
                best = r
    return best


def analyse_claims(
    claims: list[ClaimRecord],
    studies: list[StudyRecord],
    grades: dict[str, StudyGrade],
    docs: dict[str, DocRecord],
    hierarchy: Hierarchy,
    labels: dict[str, str],
    rules: Rules,
    lexicon: Lexicon,
) -> list[ClaimAssessment]:
    """Support status, certainty and flag reasons for every claim."""
    for s in studies:
        s.cell_sources = hierarchy.most_specific(s.cell_sources)
    by_iri = {s.iri: s for s in studies}
    graph = evidence_graph(claims, studies, hierarchy)
    scarcity = _statements(docs, lexicon["evidence-scarcity"])
    adverse = _statements(docs, lexicon["adverse-reported"])
    adverse += [(s.iri, s.quote) for s in studies if s.adverse_events == "reported"]
    cache: dict[tuple, list[Evidence]] = {}
    out = []
    for c in claims:
        doc = docs[c.doc]
        cells = c.cell_sources or ([doc.topic_cell] if doc.topic_cell else [])
        conditions = c.conditions or ([doc.topic_condition] if doc.topic_condition else [])
        key = (c.claim_type, tuple(cells), tuple(sorted(c.outcomes)), tuple(sorted(conditions)))
        if key not in cache:
            cache[key] = _corpus_evidence(c, cells, conditions, studies, grades, docs, hierarchy)
        evidence = [
            Evidence(by_iri[i], grades[i], _cited_relation(hierarchy, c, by_iri[i]), True)
            for i in c.cites
            if i in by_iri
        ]
        cited = {e.study.iri for e in evidence}
        evidence += [e for e in cache[key] if e.study.iri not in cited]
        out.append(_assess(c, evidence, cells, scarcity, adverse, graph, labels, rules, lexicon))
    return out


def _cited_relation(h: Hierarchy, c: ClaimRecord, s: StudyRecord) -> str:
    """How a study the claim cites bears on it; a claim naming no cell source is about the study's."""
    if not c.cell_sources or not s.cell_sources:
        return "direct"
    return _best_relation(h, c.cell_sources, s.cell_sources) or "related"


def _statements(docs: dict[str, DocRecord], cue_set) -> list[tuple[str, str]]:
    """(document, sentence) pairs anywhere in the corpus that match a cue set."""
    found = []
    for d in docs.values():
        for sentence in d.sentences:
            if cue_set.search(sentence):
                found.append((d.iri, sentence))
    return found


def _corpus_evidence(c, cells, conditions, studies, grades, docs, hierarchy) -> list[Evidence]:
    """Studies anywhere in the corpus with findings on the claim's cell source and outcome."""
    if c.claim_type in {"mechanism", "property", "access"}:
        return []
    found = []
    for s in studies:
        if s.design == "testimonial" or not s.identifiable:
            continue
        study_conditions = s.conditions or (
            [docs[s.doc].topic_condition] if docs[s.doc].topic_condition else []
        )
        if (
            conditions
            and study_conditions
            and not any(hierarchy.related(a, b) for a in conditions for b in study_conditions)
        ):
            continue
        relation = _best_relation(hierarchy, cells, s.cell_sources) if cells else "direct"
        if relation is None or relation == "related":
            continue
        if c.claim_type == "safety":
            if s.adverse_events == "unreported":
                continue
        elif c.claim_type == "efficacy":
            claim_outcomes = [o for o in c.outcomes if o != ADVERSE]
            study_outcomes = [o for o in s.outcomes if o != ADVERSE]
            if not study_outcomes or s.result == "unreported":
                continue
            if claim_outcomes and not any(
                hierarchy.related(a, b) for a in claim_outcomes for b in study_outcomes
            ):
                continue
        found.append(Evidence(s, grades[s.iri], relation, False))
    return found


def evidence_graph(claims: list[ClaimRecord], studies: list[StudyRecord], h: Hierarchy) -> nx.Graph:
    """Claims, studies, findings and concepts as one graph, for explaining evidence paths."""
    g = nx.Graph()
    g.add_edges_from(h.graph.edges, relation="skos:broader")
    for s in studies:
        g.add_node(s.iri, kind="study")
        for o in s.outcomes:
            finding = f"{s.iri}/finding/{o.rsplit('/', 1)[-1]}"
            g.add_edge(s.iri, finding, relation="hckg:hasFinding")
            g.add_edge(finding, o, relation="hckg:outcome")
            for cell in s.cell_sources:
                g.add_edge(finding, cell, relation="hckg:cellSource")
    for c in claims:
        g.add_node(c.iri, kind="claim")
        for s in c.cites:
            g.add_edge(c.iri, s, relation="hckg:cites")
        for concept in c.cell_sources + c.outcomes:
            g.add_edge(c.iri, concept, relation="hckg:about")
    return g


def _path(graph: nx.Graph, source: str, target: str) -> list[str]:
    try:
        return nx.shortest_path(graph, source, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return [source, target]


def _describe(e: Evidence, labels: dict[str, str]) -> str:
    s = e.study
    what = {
        "case-series": "case series",
        "case-report": "case report",
        "rct": "randomised trial",
        "controlled-trial": "controlled trial",
        "unspecified": "study",
    }.get(s.design, s.design)
    size = f" of {s.n}" if s.n else ""
    where = f" ({s.venue} {s.year})" if s.venue and s.year else (f" ({s.year})" if s.year else "")
    cells = ", ".join(labels.get(x, x.rsplit("/", 1)[-1]) for x in s.cell_sources[:2])
    match = "" if e.relation == "direct" else f", {e.relation} cell source"
    return (
        f"{what}{size}{where} on {cells or 'unspecified cells'}, level {e.grade.level}, "
        f"{e.certainty.replace('-', ' ')} certainty{match}"
    )


def _assess(c, evidence, cells, scarcity, adverse, graph, labels, rules, lexicon) -> ClaimAssessment:
    reasons: list[FlagReason] = []
    usable = [e for e in evidence if e.usable]
    cited = [e for e in evidence if e.cited]
    cited_vague = [e for e in cited if e.vague]
    cited_anecdote = [e for e in cited if e.study.design == "testimonial"]
    cited_usable = [e for e in cited if e.usable]
    best = max(
        usable, key=lambda e: (certainty_rank(e.certainty), -_RANK[e.relation], -e.grade.level), default=None
    )
    contradicted_by: list[str] = []
    note = ""

    def add(rule_id: str, explanation: str, path: str, nodes: list[str]) -> None:
        rule = rules[rule_id]
        reasons.append(FlagReason(rule.reason_code or rule_id, rule_id, explanation, path, nodes))

    nearest = f"nearest evidence: {_describe(best, labels)}" if best else "no usable study in the corpus"
    exempt = c.claim_type in rules["claim.exempt-type"].claim_types
    if exempt:
        note = "access claim: not graded for clinical evidence"
    reports_study = any(e.cited and squash(e.study.quote) == squash(c.quote) for e in evidence)
    general = c.rule not in RESULT_REPORT_RULES and not reports_study
    if not exempt:
        research_words = lexicon["research-activity"].search(c.quote)
        limitation = c.hedged or bool(lexicon["evidence-scarcity"].search(c.quote))
        vague = bool(cited_vague) or (
            c.vague_citation and (c.claim_type != "evidence" or (bool(research_words) and not limitation))
        )
        if vague and not cited_usable:
            if cited_vague:
                e = cited_vague[0]
                path = f"cites '{_excerpt(e.study.quote)}' — unidentifiable; {nearest}"
                nodes = [c.iri, e.study.iri]
            else:
                path = f"appeals to unnamed research ('{_excerpt(c.quote)}'); {nearest}"
                nodes = [c.iri]
            add("claim.vague-citation", "leans on research that cannot be identified", path, nodes)
        if (cited_anecdote or c.anecdotal) and not cited_usable and not cited_vague:
            e = cited_anecdote[0] if cited_anecdote else None
            path = (
                f"rests on testimonial '{_excerpt(e.study.quote)}'"
                if e
                else "rests on parents' or patients' reports"
            ) + f"; {nearest}"
            add(
                "claim.anecdote",
                "only testimonials or single cases support it",
                path,
                [c.iri, e.study.iri] if e else [c.iri],
            )
        bearing = bool(evidence)
        needs_evidence = c.claim_type != "evidence" or bool(c.strong_cues)
        if not bearing and not reasons and needs_evidence and not c.hedged:
            what = ", ".join(labels.get(x, x.rsplit("/", 1)[-1]) for x in (cells + c.outcomes)[:4])
            add(
                "claim.no-evidence",
                "nothing in the corpus bears on it",
                f"no cited study and no finding in the corpus on {what or 'this claim'}",
                [c.iri],
            )
        pool = cited_usable if cited else usable
        direct = [e for e in pool if e.relation in {"direct", "narrower"}]
        if pool and not direct and not c.hedged and not reasons:
            e = pool[0]
            add(
                "claim.indirect",
                "the evidence is about another cell source",
                f"evidence is on a {e.relation} cell source: {_describe(e, labels)}",
                _path(graph, c.iri, e.study.iri),
            )
        threshold = rules["claim.overstated"].minimum_certainty or "moderate"
        hedges = [h for h in lexicon["hedge"].find(c.quote) if not any(h in cue for cue in c.strong_cues)]
        if (
            c.strong_cues
            and not hedges
            and general
            and not any(r.code == "no-evidence" for r in reasons)
            and (best is None or certainty_rank(best.certainty) < certainty_rank(threshold))
        ):
            cues = ", ".join(f"'{x}'" for x in c.strong_cues[:3])
            add(
                "claim.overstated",
                f"wording {cues} is stronger than the evidence allows",
                f"says {cues}; {nearest}",
                [c.iri] + ([best.study.iri] if best else []),
            )
        if lexicon["evidence-abundance"].search(c.quote):
            others = [(d, s) for d, s in scarcity if s.strip() != c.quote.strip()]
            if others:
                d, s = others[0]
                contradicted_by.append(d)
                add(
                    "claim.contradicted.evidence-scarcity",
                    "another document says the evidence is scarce",
                    f"says the evidence is abundant; '{_excerpt(s)}' says otherwise",
                    [c.iri, d],
                )
        if lexicon["safety-absolute"].search(c.quote) and adverse:
            target, text = adverse[0]
            contradicted_by.append(target)
            add(
                "claim.contradicted.adverse-events",
                "adverse events are reported elsewhere",
                f"says there are no side effects; '{_excerpt(text)}' reports adverse events",
                [c.iri, target],
            )
        negative = [
            e for e in usable if e.study.result == "negative" and e.relation in {"direct", "narrower"}
        ]
        if negative and c.claim_type == "efficacy" and not c.hedged:
            e = negative[0]
            contradicted_by.append(e.study.iri)
            add(
                "claim.contradicted.negative-finding",
                "a study reports no benefit",
                f"{_describe(e, labels)} reports no benefit",
                _path(graph, c.iri, e.study.iri),
            )
    flagged = bool(reasons)
    codes = {r.code for r in reasons}
    if exempt:
        status = "not-assessed"
    elif "contradicted" in codes:
        status = "contradicted"
    elif codes & {"no-evidence", "vague-citation", "anecdote"} or not usable:
        status = "unsupported"
        if not flagged and c.hedged:
            note = "hedged: asserts only a possibility, so not flagged"
    elif (
        codes
        or best is None
        or certainty_rank(best.certainty)
        < certainty_rank(rules["claim.supported"].minimum_certainty or "moderate")
    ):
        status = "weakly-supported"
    else:
        status = "supported"
    match = best.relation if best else ("none" if not evidence else evidence[0].relation)
    return ClaimAssessment(
        claim=c,
        status=status,
        certainty=best.certainty if best else None,
        flagged=flagged,
        reasons=reasons,
        evidence=evidence,
        best_level=min((e.grade.level for e in usable), default=None),
        independent_studies=independent_count(usable),
        match=match,
        contradicted_by=contradicted_by,
        note=note,
    )


def independent_count(evidence: list[Evidence]) -> int:
    """Distinct studies: mentions that share a venue and year, an investigator, an institution and
    year, or a design, size and cell source are one study repeated, not independent evidence."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    owner: dict[tuple, str] = {}
    for e in evidence:
        s = e.study
        find(s.iri)
        keys = []
        if s.venue and s.year:
            keys.append(("venue", s.venue.lower(), s.year))
        if s.investigator:
            keys.append(("investigator", s.investigator.split()[-1].lower()))
        if s.institution and (s.year or s.n):
            keys.append(("institution", s.institution, s.year or s.n))
        if s.n and s.design != "unspecified":
            keys.append(("size", s.design, s.n, tuple(sorted(s.cell_sources))))
        for key in keys:
            if key in owner:
                parent[find(s.iri)] = find(owner[key])
            else:
                owner[key] = s.iri
    return len({find(e.study.iri) for e in evidence})


def _excerpt(text: str, limit: int = 80) -> str:
    text = squash(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def dominant(values: list[str]) -> str | None:
    """Most frequent value (ties broken by name), or None."""
    if not values:
        return None
    counts = Counter(values)
    return sorted(counts, key=lambda v: (-counts[v], v))[0]
