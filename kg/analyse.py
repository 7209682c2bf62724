"""Analyse claims with networkx: what evidence bears on each claim, its support status, and why.

The graph holds claims, study mentions, findings and vocabulary concepts (with the SKOS
hierarchy). For every claim the analysis collects the studies it cites in its own document and
the studies anywhere in the corpus with findings on the same cell source and outcome (following
skos:broader both ways and recording how the match was made), counts independent studies, and
applies the claim rules of `ontology/grading.ttl`.

At corpus scale the evidence is not listed claim by claim: studies that the filters treat alike
are grouped (`StudyClass`), the evidence for each distinct claim signature is summarised once
(`EvidencePool`), and `ClaimEvidence` answers each rule's question (strongest study, first
negative finding, independent studies, ...) exactly as a scan of the claim's evidence list
would. Only the cited studies and the strongest others are kept per claim
(`MAX_BEARING_EVIDENCE`). Studies repeated across documents are clustered once for the corpus.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import networkx as nx

from kg.grading import StudyGrade, StudyRecord
from kg.lexicon import Lexicon
from kg.rules import Rules, certainty_rank, shift_certainty
from kg.text import negated, squash

T = TypeVar("T")
RESULT_REPORT_RULES = {"claim.study-result", "claim.reported-outcome"}
ADVERSE = "https://w3id.org/hckg/vocab/adverse-events"


@dataclass(slots=True)
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
    polarity: str = "positive"  # negative: says it does not work, or warns of harm
    cell_sources: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DocRecord:
    iri: str
    name: str
    kind: str
    topic_cell: str | None = None  # the specific cell source the document is mostly about
    topic_condition: str | None = None
    sentences: list[str] = field(default_factory=list)


@dataclass(slots=True)
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
        return _certainty(self.grade.certainty, self.relation)


@functools.cache
def _certainty(graded: str, relation: str) -> str:
    """A study's certainty as evidence for a claim: a step lower unless the match is direct."""
    return shift_certainty(graded, -1 if relation != "direct" else 0)


@functools.cache
def _certainty_rank(value: str | None) -> int:
    """`certainty_rank`, memoised: asked several times per claim."""
    return certainty_rank(value)


@dataclass(slots=True)
class FlagReason:
    code: str
    rule_id: str
    explanation: str
    path: str
    nodes: list[str]


@dataclass(slots=True)
class ClaimAssessment:
    claim: ClaimRecord
    status: str
    certainty: str | None
    flagged: bool
    reasons: list[FlagReason]
    evidence: list[Evidence]  # cited studies, then the strongest others (MAX_BEARING_EVIDENCE in all)
    best_level: int | None
    independent_studies: int
    match: str
    contradicted_by: list[str]
    note: str = ""


class Hierarchy:
    """The SKOS broader/narrower hierarchy as a networkx DiGraph (edges child -> parent).

    Lookups are memoised: the analysis asks the same questions about a few dozen concepts
    millions of times on a large corpus.
    """

    def __init__(self, broader: list[tuple[str, str]]):
        self.graph = nx.DiGraph()
        self.graph.add_edges_from(broader)
        self._up: dict[str, frozenset[str]] = {}
        self._down: dict[str, frozenset[str]] = {}
        self._relation: dict[tuple[str, str], str | None] = {}

    def ancestors(self, c: str) -> frozenset[str]:
        if c not in self._up:
            self._up[c] = frozenset(nx.descendants(self.graph, c)) if c in self.graph else frozenset()
        return self._up[c]

    def descendants(self, c: str) -> frozenset[str]:
        if c not in self._down:
            self._down[c] = frozenset(nx.ancestors(self.graph, c)) if c in self.graph else frozenset()
        return self._down[c]

    def parents(self, c: str) -> set[str]:
        return set(self.graph.successors(c)) if c in self.graph else set()

    def relation(self, claim_concept: str, evidence_concept: str) -> str | None:
        """How evidence on one concept bears on a claim about another."""
        key = (claim_concept, evidence_concept)
        if key not in self._relation:
            self._relation[key] = self._relate(claim_concept, evidence_concept)
        return self._relation[key]

    def _relate(self, claim_concept: str, evidence_concept: str) -> str | None:
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

    def kin(self, a: str) -> frozenset[str]:
        """`a` and every concept broader or narrower than it (those `related` to it)."""
        return frozenset({a}) | self.ancestors(a) | self.descendants(a)


_RANK = {"direct": 0, "narrower": 1, "broader": 2, "sibling": 3, "related": 4}
STATEMENT_CUES = ("evidence-scarcity", "adverse-reported")  # lexicon cue sets of corpus statements
DIRECT = ("direct", "narrower")
MAX_BEARING_EVIDENCE = 10  # bearing studies written per claim: the cited ones, then the strongest
_POOL_TOP = 32  # strongest corpus studies kept per claim signature (the rest only when needed)


def _best_relation(h: Hierarchy, claim_cells: list[str], study_cells: list[str]) -> str | None:
    best = None
    for c in claim_cells:
        for s in study_cells:
            r = h.relation(c, s)
            if r and (best is None or _RANK[r] < _RANK[best]):
                best = r
    return best


def iter_assessments(
    claims: list[ClaimRecord],
    studies: list[StudyRecord],
    grades: dict[str, StudyGrade],
    docs: dict[str, DocRecord],
    hierarchy: Hierarchy,
    labels: dict[str, str],
    rules: Rules,
    lexicon: Lexicon,
) -> Iterator[ClaimAssessment]:
    """Support status, certainty and flag reasons of every claim, one claim at a time and in order
    (grading writes each as it comes, so the assessments of a large corpus are never all in
    memory)."""
    analysis = ClaimAnalysis(studies, grades, docs, hierarchy, labels, rules, lexicon)
    for c in claims:
        cells, evidence = analysis.evidence(c)
        yield analysis.assess(c, cells, evidence)


class ClaimAnalysis:
    """What the assessment of any claim reads besides the claim and its evidence, prepared once
    for the corpus: the corpus evidence, the statements about the evidence, the hierarchy,
    labels, rules and cue sets. Normalises the studies' cell sources (most specific only)."""

    def __init__(
        self,
        studies: list[StudyRecord],
        grades: dict[str, StudyGrade],
        docs: dict[str, DocRecord],
        hierarchy: Hierarchy,
        labels: dict[str, str],
        rules: Rules,
        lexicon: Lexicon,
    ):
        for s in studies:
            s.cell_sources = hierarchy.most_specific(s.cell_sources)
        self.corpus = CorpusEvidence(studies, grades, docs, hierarchy)
        self.scarcity = _statements(docs, lexicon[STATEMENT_CUES[0]])
        self.adverse = _statements(docs, lexicon[STATEMENT_CUES[1]])
        self.adverse += [(s.iri, s.quote) for s in studies if s.adverse_events == "reported"]
        self.h, self.labels, self.rules, self.lexicon = hierarchy, labels, rules, lexicon
        self._shared: dict[object, str] = {}  # answer tokens by (pool, question) or question
        self._replayed: dict[tuple[int, str], bytes] = {}  # answer digests by (pool, questions)

    def evidence(self, c: ClaimRecord) -> tuple[list[str], ClaimEvidence]:
        """(cell sources, evidence) of a claim, as `_assess` takes them."""
        cells, _, evidence = self.corpus.for_claim(c)
        return cells, evidence

    def assess(self, c: ClaimRecord, cells: list[str], evidence: ClaimEvidence) -> ClaimAssessment:
        return _assess(
            c, evidence, cells, self.scarcity, self.adverse, self.h, self.labels, self.rules, self.lexicon
        )

    def assess_recorded(
        self, c: ClaimRecord, cells: list[str], evidence: ClaimEvidence, tokens: AnswerTokens
    ) -> tuple[ClaimAssessment, tuple[str, bytes]]:
        """The assessment, and what it asked of the claim's evidence and the corpus statements
        (`Recording.record`)."""
        recording = Recording(tokens, self._shared, None if evidence.cited else id(evidence.pool))
        scarcity, adverse = (
            RecordedStatements(getattr(self, n), k, recording) for k, n in _STATEMENTS.items()
        )
        a = _assess(
            c,
            RecordedEvidence(evidence, recording),
            cells,
            scarcity,
            adverse,
            self.h,
            self.labels,
            self.rules,
            self.lexicon,
        )
        return a, recording.record()

    def replay(self, evidence: ClaimEvidence, questions: str, tokens: AnswerTokens) -> bytes:
        """The digest of the answers to recorded `questions` now (`Recording.record`); for a
        claim citing no study, worked out once per pool and questions."""
        if evidence.cited:
            return tokens.digest(self._token(evidence, q, tokens) for q in questions.split())
        key = (id(evidence.pool), questions)
        digest = self._replayed.get(key)
        if digest is None:
            digest = self._replayed[key] = tokens.digest(
                self._token(evidence, q, tokens) for q in questions.split()
            )
        return digest

    def _token(self, evidence: ClaimEvidence, question: str, tokens: AnswerTokens) -> str:
        """The token of an answer; answers from shared inputs only (the corpus statements, or
        the evidence of a claim citing no study, which is its pool's) are worked out once."""
        if question in _QUESTIONS and evidence.cited:
            return tokens.of(_QUESTIONS[question](evidence))
        key = (id(evidence.pool), question) if question in _QUESTIONS else question
        token = self._shared.get(key)
        if token is None:
            token = self._shared[key] = tokens.of(self._answer(evidence, question))
        return token

    def _answer(self, evidence: ClaimEvidence, question: str) -> object:
        if question in _QUESTIONS:
            return _QUESTIONS[question](evidence)
        items = getattr(self, _STATEMENTS[question[0]])
        if question[1:] == "?":
            return bool(items)
        i = int(question[1:])
        return items[i] if i < len(items) else None

    def context(self) -> str:
        """What an assessment reads besides its claim, cell sources and recorded questions (the
        rules and cue sets are data files, versioned with the code by the caller)."""
        return repr((sorted(self.h.graph.edges), sorted(self.labels.items())))


def _cited_relation(h: Hierarchy, c: ClaimRecord, s: StudyRecord) -> str:
    """How a study the claim cites bears on it; a claim naming no cell source is about the study's."""
    if not c.cell_sources or not s.cell_sources:
        return "direct"
    return _best_relation(h, c.cell_sources, s.cell_sources) or "related"


def statement_sentences(sentences: list[str], lexicon: Lexicon) -> list[str]:
    """The sentences of a document the analysis can use as statements about the evidence: only
    these need keeping in a `DocRecord` (the build keeps no others)."""
    cues = [lexicon[name] for name in STATEMENT_CUES]
    return [s for s in sentences if any(cue.search(s) for cue in cues)]


def _statements(docs: dict[str, DocRecord], cue_set) -> list[tuple[str, str]]:
    """(document, sentence) pairs anywhere in the corpus that match a cue set."""
    found = []
    for d in docs.values():
        for sentence in d.sentences:
            if cue_set.search(sentence):
                found.append((d.iri, sentence))
    return found


def _score(e: Evidence) -> tuple[int, int, int]:
    """What makes evidence the strongest: certainty, then closeness of the match, then level."""
    return (_certainty_rank(e.certainty), -_RANK[e.relation], -e.grade.level)


@dataclass
class StudyClass:
    """Usable studies (identifiable, not testimonials) that every corpus-evidence test treats
    alike: same cell sources, conditions, outcomes and whether results and adverse events are
    reported. Members are study indices in corpus order."""

    cells: tuple[str, ...]
    conditions: tuple[str, ...]
    outcomes: tuple[str, ...]  # without adverse events
    result_reported: bool
    adverse_reported: bool
    members: list[int] = field(default_factory=list)
    min_level: int = 0
    top: dict[bool, list[tuple[tuple, int]]] = field(default_factory=dict)  # indirect? -> strongest
    negatives: list[int] = field(default_factory=list)
    clusters: int = 0  # bit mask of its members' clusters (`study_clusters`)


class CorpusEvidence:
    """Studies anywhere in the corpus with findings on a claim's cell source and outcome.

    The usable studies are grouped into `StudyClass`es; the evidence for a claim signature (type,
    cell sources, outcomes, conditions) is found by intersecting sets of classes (bit masks)
    indexed by cell source, outcome and condition, and summarised (`EvidencePool`) once per
    distinct set, merging the classes' own summaries only as far as needed; so the cost grows
    with the number of distinct signatures, not claims × studies.
    """

    def __init__(
        self,
        studies: list[StudyRecord],
        grades: dict[str, StudyGrade],
        docs: dict[str, DocRecord],
        h: Hierarchy,
    ):
        self.studies, self.grades, self.docs, self.h = studies, grades, docs, h
        self.index = {s.iri: i for i, s in enumerate(studies)}
        groups: dict[tuple, StudyClass] = {}
        for i, s in enumerate(studies):
            if s.design == "testimonial" or not s.identifiable:
                continue
            topic = docs[s.doc].topic_condition
            signature = (
                tuple(s.cell_sources),
                tuple(s.conditions or ([topic] if topic else [])),
                tuple(o for o in s.outcomes if o != ADVERSE),
                s.result != "unreported",
                s.adverse_events != "unreported",
            )
            groups.setdefault(signature, StudyClass(*signature)).members.append(i)
        self.classes = list(groups.values())
        self.class_of = {i: k for k, cl in enumerate(self.classes) for i in cl.members}
        self.cluster = study_clusters([studies[i] for i in self.class_of])
        for cl in self.classes:
            self._prepare(cl)
        self._by_cells: dict[tuple[str, ...], list[int]] = {}
        self._cells_mask: dict[tuple[str, ...], int] = {}
        # sets of classes are bit masks (bit k: class k): a claim signature's classes are a few
        # integer ANDs
        self._by_outcome: dict[str, int] = {}
        self._by_condition: dict[str, int] = {}
        self._unconditioned = self._adverse = self._with_results = 0
        for k, cl in enumerate(self.classes):
            bit = 1 << k
            self._by_cells.setdefault(cl.cells, []).append(k)
            self._cells_mask[cl.cells] = self._cells_mask.get(cl.cells, 0) | bit
            if cl.result_reported:
                for o in cl.outcomes:
                    self._by_outcome[o] = self._by_outcome.get(o, 0) | bit
                if cl.outcomes:
                    self._with_results |= bit
            for cond in cl.conditions:
                self._by_condition[cond] = self._by_condition.get(cond, 0) | bit
            if not cl.conditions:
                self._unconditioned |= bit
            if cl.adverse_reported:
                self._adverse |= bit
        self.class_size = [len(cl.members) for cl in self.classes]
        self.class_head = [cl.members[0] for cl in self.classes]
        self.class_level = [cl.min_level for cl in self.classes]
        self.class_clusters = [cl.clusters for cl in self.classes]
        # (certainty rank, level, study) of each class's strongest study, by indirect match
        self.class_best = {
            indirect: [cl.top[indirect][0][0] for cl in self.classes] for indirect in (False, True)
        }
        self._bearings: dict[tuple[str, ...], Bearing] = {}
        self._empty = EvidencePool(self, Bearing(), 0)
        self._memo: dict[tuple, int] = {}
        self._pools: dict[tuple[tuple[str, ...], int], EvidencePool] = {}
        self._signatures: dict[tuple, EvidencePool] = {}
        self._evidence: dict[tuple[int, str], Evidence] = {}

    def _prepare(self, cl: StudyClass) -> None:
        levels = {i: self.grades[self.studies[i].iri].level for i in cl.members}
        cl.min_level = min(levels.values())
        for indirect in (False, True):
            ranked = sorted(
                (
                    (
                        -certainty_rank(
                            shift_certainty(self.grades[self.studies[i].iri].certainty, -indirect)
                        ),
                        levels[i],
                        i,
                    ),
                    i,
                )
                for i in cl.members
            )
            cl.top[indirect] = ranked[:_POOL_TOP]
        cl.negatives = [i for i in cl.members if self.studies[i].result == "negative"][:_POOL_TOP]
        for i in cl.members:
            cl.clusters |= 1 << self.cluster[self.studies[i].iri]

    def for_claim(self, c: ClaimRecord) -> tuple[list[str], list[str], ClaimEvidence]:
        """(cell sources, conditions, evidence) of a claim: its own cell sources and conditions or
        its document's topic, the studies it cites, and the corpus evidence for its signature."""
        doc = self.docs[c.doc]
        cells = c.cell_sources or ([doc.topic_cell] if doc.topic_cell else [])
        conditions = c.conditions or ([doc.topic_condition] if doc.topic_condition else [])
        pool = self.pool(c.claim_type, tuple(cells), tuple(sorted(c.outcomes)), tuple(sorted(conditions)))
        cited = []
        for iri in c.cites:
            if iri in self.index:
                s = self.studies[self.index[iri]]
                cited.append(Evidence(s, self.grades[iri], _cited_relation(self.h, c, s), True))
        return cells, conditions, ClaimEvidence(cited, pool, self)

    def evidence(self, i: int, relation: str) -> Evidence:
        """Corpus study `i` as evidence bearing on a claim by `relation` (shared, never changed)."""
        found = self._evidence.get((i, relation))
        if found is None:
            s = self.studies[i]
            found = self._evidence[i, relation] = Evidence(s, self.grades[s.iri], relation, False)
        return found

    def in_pool(self, iri: str, pool: EvidencePool) -> bool:
        k = self.class_of.get(self.index.get(iri, -1))
        return k is not None and pool.holds(k)

    def pool(
        self,
        claim_type: str,
        cells: tuple[str, ...],
        outcomes: tuple[str, ...],
        conditions: tuple[str, ...],
    ) -> EvidencePool:
        """The corpus evidence for a claim signature (memoised)."""
        signature = (claim_type, cells, outcomes, conditions)
        if signature not in self._signatures:
            self._signatures[signature] = self._pool(claim_type, cells, outcomes, conditions)
        return self._signatures[signature]

    def _pool(self, claim_type, cells, outcomes, conditions) -> EvidencePool:
        if claim_type in {"mechanism", "property", "access"}:
            return self._empty
        bearing = self._bearing(cells)
        matched = bearing.classes
        if conditions:
            matched &= self._classes_for_conditions(conditions)
        if claim_type == "safety":
            matched &= self._adverse
        elif claim_type == "efficacy":
            matched &= self._classes_for_outcomes(tuple(o for o in outcomes if o != ADVERSE))
        key = (cells, matched)
        if key not in self._pools:
            self._pools[key] = EvidencePool(self, bearing, matched)
        return self._pools[key]

    def _bearing(self, cells: tuple[str, ...]) -> Bearing:
        """The classes whose cell sources bear on `cells` (not merely 'related') (memoised)."""
        if cells not in self._bearings:
            relation: dict[int, str] = {}
            classes = direct = 0
            for class_cells, ks in self._by_cells.items():
                r = _best_relation(self.h, list(cells), list(class_cells)) if cells else "direct"
                if r is not None and r != "related":
                    relation.update(dict.fromkeys(ks, r))
                    classes |= self._cells_mask[class_cells]
                    direct |= self._cells_mask[class_cells] if r in DIRECT else 0
            self._bearings[cells] = Bearing(
                relation,
                classes,
                direct,
                sorted(relation, key=self.class_head.__getitem__),
                self._strongest_heads(relation),
                sorted(
                    (self.classes[k].negatives[0], k)
                    for k, r in relation.items()
                    if r in DIRECT and self.classes[k].negatives
                ),
            )
        return self._bearings[cells]

    def _strongest_heads(self, relation: dict[int, str]) -> list[tuple[tuple[int, int, int, int], int]]:
        """(`strength` of its strongest study, class) of the classes in `relation`, ascending."""
        heads = []
        for k, r in relation.items():
            rank, level, i = self.class_best[r != "direct"][k]
            heads.append(((rank, _RANK[r], level, i), k))
        heads.sort()
        return heads

    def strength(self, k: int, relation: str, pos: int) -> tuple[int, int, int, int] | None:
        """The rank key (certainty, closeness, level, study) of the `pos`-th strongest study of
        class `k` bearing on a claim by `relation`; None past the class's summary."""
        ranked = self.classes[k].top[relation != "direct"]
        if pos >= len(ranked):
            return None
        (rank, level, i), _ = ranked[pos]
        return (rank, _RANK[relation], level, i)

    def _classes_for_conditions(self, conditions: tuple[str, ...]) -> int:
        key = ("conditions", conditions)
        if key not in self._memo:
            found = self._unconditioned
            for c in conditions:
                for kin in self.h.kin(c):
                    found |= self._by_condition.get(kin, 0)
            self._memo[key] = found
        return self._memo[key]

    def _classes_for_outcomes(self, outcomes: tuple[str, ...]) -> int:
        """Classes with a reported result on an outcome (related to one of `outcomes`, if any)."""
        key = ("outcomes", outcomes)
        if key not in self._memo:
            found = 0 if outcomes else self._with_results
            for o in outcomes:
                for kin in self.h.kin(o):
                    found |= self._by_outcome.get(kin, 0)
            self._memo[key] = found
        return self._memo[key]


def _bits(mask: int) -> list[int]:
    """The positions of the bits set in `mask`, ascending."""
    return [k for k, digit in enumerate(reversed(bin(mask))) if digit == "1"]


@dataclass(slots=True)
class Bearing:
    """The classes whose cell sources bear on a claim's cell sources, with the relation, and
    what the pool summaries merge: each class's strongest study and first negative finding
    (on a direct or narrower cell source), in ascending order."""

    relation: dict[int, str] = field(default_factory=dict)
    classes: int = 0  # bit mask
    direct: int = 0  # bit mask of the classes on a direct or narrower cell source
    by_head: list[int] = field(default_factory=list)  # classes by first study (corpus order)
    strongest: list[tuple[tuple[int, int, int, int], int]] = field(default_factory=list)  # (strength, class)
    negatives: list[tuple[int, int]] = field(default_factory=list)  # (study, class)


class EvidencePool:
    """The corpus evidence for one claim signature (a set of the classes bearing on its cell
    sources), summarised: how many studies, the first in corpus order, the strongest, the negative
    findings, the lowest level, independent studies."""

    def __init__(self, corpus: CorpusEvidence, bearing: Bearing, classes: int):
        self.corpus, self.bearing, self.classes = corpus, bearing, classes
        self.members = _bits(classes)
        self.size = sum(map(corpus.class_size.__getitem__, self.members))
        self.first = self._first(classes)
        self.first_direct = self._first(classes & bearing.direct)
        self.min_level = min(map(corpus.class_level.__getitem__, self.members), default=None)
        self._top: list[tuple[int, str]] | None = None
        self._negatives: list[tuple[int, str]] | None = None
        self._clusters: int | None = None
        self._leading: list[Evidence] | None = None
        self._first_negative: tuple[Evidence | None] | None = None

    def holds(self, k: int) -> bool:
        """Whether class `k` is in the pool."""
        return bool(self.classes >> k & 1)

    def _first(self, classes: int) -> tuple[int, str] | None:
        """(first study in corpus order, relation) of the `classes` (a bit mask)."""
        if not classes:
            return None
        k = next(k for k in self.bearing.by_head if classes >> k & 1)
        return self.corpus.class_head[k], self.bearing.relation[k]

    @property
    def top(self) -> list[tuple[int, str]]:
        """Up to `_POOL_TOP` (study, relation), strongest first, ties in corpus order."""
        if self._top is None:
            corpus, relation = self.corpus, self.bearing.relation
            merged = _smallest(
                self.bearing.strongest, self.classes, lambda k, pos: corpus.strength(k, relation[k], pos)
            )
            self._top = [(key[-1], relation[k]) for key, k in merged]
        return self._top

    @property
    def negatives(self) -> list[tuple[int, str]]:
        """Up to `_POOL_TOP` studies reporting no benefit on a direct or narrower cell source,
        in corpus order."""
        if self._negatives is None:
            classes, relation = self.corpus.classes, self.bearing.relation

            def negative(k: int, pos: int) -> int | None:
                found = classes[k].negatives
                return found[pos] if pos < len(found) else None

            merged = _smallest(self.bearing.negatives, self.classes, negative)
            self._negatives = [(i, relation[k]) for i, k in merged]
        return self._negatives

    @property
    def clusters(self) -> int:
        """The clusters (`study_clusters`) of the pool's studies, as a bit mask."""
        if self._clusters is None:
            self._clusters = functools.reduce(
                operator.or_, map(self.corpus.class_clusters.__getitem__, self.members), 0
            )
        return self._clusters

    @property
    def leading(self) -> list[Evidence]:
        """The strongest `MAX_BEARING_EVIDENCE` studies as evidence: what a claim citing none of
        the pool's studies is shown."""
        if self._leading is None:
            picked = itertools.islice(self.strongest(), MAX_BEARING_EVIDENCE)
            self._leading = [self.corpus.evidence(i, r) for i, r in picked]
        return self._leading

    @property
    def first_negative(self) -> Evidence | None:
        """The first study of `negative_findings` as evidence."""
        if self._first_negative is None:
            found = next(self.negative_findings(), None)
            self._first_negative = (None if found is None else self.corpus.evidence(*found),)
        return self._first_negative[0]

    def strongest(self) -> Iterator[tuple[int, str]]:
        """Every (study, relation), strongest first (ties in corpus order): the summary, then the
        rest ranked when it runs out."""
        top = self.top
        yield from top
        if len(top) < self.size:
            yield from sorted(self.scan(), key=lambda ir: self._rank(*ir))[len(top) :]

    def negative_findings(self) -> Iterator[tuple[int, str]]:
        """Every study reporting no benefit on a direct or narrower cell source, in corpus order:
        the summary, then a scan when it may have run out."""
        negatives = self.negatives
        yield from negatives
        if len(negatives) >= _POOL_TOP:
            studies, last = self.corpus.studies, negatives[-1]
            yield from (
                (i, r)
                for i, r in self.scan()
                if (i, r) > last and r in DIRECT and studies[i].result == "negative"
            )

    def _rank(self, i: int, r: str) -> tuple:
        e = self.corpus.evidence(i, r)
        return (-_certainty_rank(e.certainty), _RANK[r], e.grade.level, i)

    def scan(self) -> Iterator[tuple[int, str]]:
        """Every (study, relation), in corpus order (the slow path, when the summaries run out)."""
        classes, relation = self.corpus.classes, self.bearing.relation
        return iter(sorted((i, relation[k]) for k in self.members for i in classes[k].members))


def _smallest(
    heads: list[tuple[T, int]], chosen: int, run: Callable[[int, int], T | None]
) -> list[tuple[T, int]]:
    """The `_POOL_TOP` smallest (key, class) of the ascending runs of keys of the `chosen`
    classes (a bit mask): `heads` holds each class with the first key of its run, ascending; `run(k, pos)`
    is the key at `pos` in class k's run (None past its end). Keys are distinct. Reads `heads`
    only as far as needed."""
    out: list[tuple[T, int]] = []
    started: list[tuple[T, int, int]] = []  # (next key, class, position) of runs begun
    unstarted = ((key, k) for key, k in heads if chosen >> k & 1)
    head = next(unstarted, None)
    while len(out) < _POOL_TOP:
        if started and (head is None or started[0][0] < head[0]):
            key, k, pos = heapq.heappop(started)
        elif head is not None:
            (key, k), pos = head, 0
            head = next(unstarted, None)
        else:
            break
        out.append((key, k))
        following = run(k, pos + 1)
        if following is not None:
            heapq.heappush(started, (following, k, pos + 1))
    return out


class ClaimEvidence:
    """The evidence bearing on one claim: the studies it cites, then the corpus evidence for its
    signature minus the cited studies, in corpus order. Answers the questions the rules ask of
    that list from the pool's summaries, exactly as a scan of the list would."""

    def __init__(self, cited: list[Evidence], pool: EvidencePool, corpus: CorpusEvidence):
        self.cited = cited
        self.pool = pool
        self.corpus = corpus
        self.cited_iris = {e.study.iri for e in cited}
        self.cited_usable = [e for e in cited if e.usable]
        in_pool = sum(1 for iri in self.cited_iris if corpus.in_pool(iri, pool))
        self.rest = pool.size - in_pool  # corpus evidence not cited

    def __bool__(self) -> bool:
        return bool(self.cited) or self.rest > 0

    @property
    def usable(self) -> bool:
        return bool(self.cited_usable) or self.rest > 0

    def _not_cited(self, candidates: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        studies, cited = self.corpus.studies, self.cited_iris
        return ((i, r) for i, r in candidates if studies[i].iri not in cited)

    def _strongest_rest(self, n: int) -> list[Evidence]:
        """Up to `n` corpus evidence not cited, strongest first (ties in corpus order)."""
        overlap = self.pool.size - self.rest  # cited studies in the pool
        leading = self.pool.leading
        if not overlap:
            return leading[:n]
        if n + overlap <= len(leading) or len(leading) == self.pool.size:
            return [e for e in leading if e.study.iri not in self.cited_iris][:n]
        picked = itertools.islice(self._not_cited(self.pool.strongest()), n)
        return [self.corpus.evidence(i, r) for i, r in picked]

    def best(self) -> Evidence | None:
        """The strongest usable evidence; of equals the first (cited before corpus evidence)."""
        best = max(self.cited_usable, key=_score, default=None)
        if self.rest > 0:
            for e in self._strongest_rest(1):
                if best is None or _score(e) > _score(best):
                    best = e
        return best

    def first_negative(self) -> Evidence | None:
        """The first usable study reporting no benefit on a direct or narrower cell source."""
        for e in self.cited_usable:
            if e.study.result == "negative" and e.relation in DIRECT:
                return e
        if self.rest == self.pool.size:
            return self.pool.first_negative
        if self.rest > 0:
            found = next(self._not_cited(self.pool.negative_findings()), None)
            if found is not None:
                return self.corpus.evidence(*found)
        return None

    def indirect_candidate(self) -> tuple[Evidence | None, bool]:
        """(first evidence, whether any is on a direct or narrower cell source) of the list the
        'indirect' rule looks at: the usable cited studies when the claim cites any, else the
        corpus evidence."""
        if self.cited:
            head = self.cited_usable[0] if self.cited_usable else None
            return head, any(e.relation in DIRECT for e in self.cited_usable)
        if self.pool.first is None:
            return None, False
        return self.corpus.evidence(*self.pool.first), self.pool.first_direct is not None

    def best_level(self) -> int | None:
        levels = [e.grade.level for e in self.cited_usable]
        if self.pool.min_level is not None:
            levels.append(self.pool.min_level)  # cited corpus studies are among the cited ones
        return min(levels, default=None)

    def independent(self) -> int:
        """Independent studies among the usable evidence (clusters of `study_clusters`)."""
        cluster, pooled = self.corpus.cluster, self.pool.clusters
        cited = {cluster[e.study.iri] for e in self.cited_usable}
        return pooled.bit_count() + sum(1 for k in cited if not pooled >> k & 1)

    def bearing(self) -> list[Evidence]:
        """The cited studies, then the strongest corpus evidence, `MAX_BEARING_EVIDENCE` in all."""
        out = list(self.cited)
        if self.rest > 0 and len(out) < MAX_BEARING_EVIDENCE:
            out += self._strongest_rest(MAX_BEARING_EVIDENCE - len(out))
        return out


# Questions `_assess` asks of a claim's evidence (`RecordedEvidence`), by code.
_QUESTIONS: dict[str, Callable[[ClaimEvidence], object]] = {
    "c": operator.attrgetter("cited"),
    "u": operator.attrgetter("cited_usable"),
    "?": bool,
    "U": operator.attrgetter("usable"),
    "b": ClaimEvidence.best,
    "n": ClaimEvidence.first_negative,
    "i": ClaimEvidence.indirect_candidate,
    "l": ClaimEvidence.best_level,
    "B": ClaimEvidence.bearing,
}
_STATEMENTS = {"S": "scarcity", "A": "adverse"}  # question codes of the corpus statement lists


class AnswerTokens:
    """Tokens of the answers to questions about a claim's shared inputs: equal tokens, equal
    answers (an evidence item stands for its study record, grade, relation and whether it is
    cited)."""

    def __init__(self) -> None:
        self._studies: dict[str, str] = {}

    def of(self, answer: object) -> str:
        if isinstance(answer, Evidence):
            study = self._studies.get(answer.study.iri)
            if study is None:
                content = repr((answer.study, answer.grade)).encode()
                study = self._studies[answer.study.iri] = hashlib.blake2b(content, digest_size=12).hexdigest()
            return f"{study}:{answer.relation}:{answer.cited:d}"
        if isinstance(answer, list | tuple):
            return "[" + ",".join(map(self.of, answer)) + "]"
        return repr(answer)

    def digest(self, answers: Iterable[str]) -> bytes:
        return hashlib.blake2b("\n".join(answers).encode(), digest_size=16).digest()


class Recording:
    """The questions an assessment asked of a claim's shared inputs (its evidence, the corpus
    statements) and tokens of the answers. An assessment depends on them only through these
    answers, so the same questions answered alike (`ClaimAnalysis.replay`) give the same
    assessment."""

    __slots__ = ("answers", "pool", "questions", "shared", "tokens")

    def __init__(self, tokens: AnswerTokens, shared: dict[object, str], pool: int | None):
        """`shared` holds tokens of answers from shared inputs only (keyed as in
        `ClaimAnalysis._token`); `pool` is the claim's pool when its evidence is its pool's."""
        self.tokens, self.shared, self.pool = tokens, shared, pool
        self.questions: list[str] = []
        self.answers: list[str] = []

    def note(self, question: str, answer: T) -> T:
        self.questions.append(question)
        key = question if question[0] in _STATEMENTS else None if self.pool is None else (self.pool, question)
        token = None if key is None else self.shared.get(key)
        if token is None:
            token = self.tokens.of(answer)
            if key is not None:
                self.shared[key] = token
        self.answers.append(token)
        return answer

    def record(self) -> tuple[str, bytes]:
        """(questions asked, space-separated; digest of the answers)."""
        return " ".join(self.questions), self.tokens.digest(self.answers)


class RecordedEvidence:
    """A claim's evidence as `_assess` sees it, noting each question in a `Recording`.
    `independent()` is answered without noting: the count is only written out (the caller
    writes it afresh)."""

    __slots__ = ("evidence", "recording")

    def __init__(self, evidence: ClaimEvidence, recording: Recording):
        self.evidence, self.recording = evidence, recording

    def _ask(self, question: str):
        return self.recording.note(question, _QUESTIONS[question](self.evidence))

    cited = property(lambda self: self._ask("c"))
    cited_usable = property(lambda self: self._ask("u"))
    usable = property(lambda self: self._ask("U"))

    def __bool__(self) -> bool:
        return self._ask("?")

    def best(self) -> Evidence | None:
        return self._ask("b")

    def first_negative(self) -> Evidence | None:
        return self._ask("n")

    def indirect_candidate(self) -> tuple[Evidence | None, bool]:
        return self._ask("i")

    def best_level(self) -> int | None:
        return self._ask("l")

    def bearing(self) -> list[Evidence]:
        return self._ask("B")

    def independent(self) -> int:
        return self.evidence.independent()


class RecordedStatements:
    """A list of corpus statements as `_assess` reads it (truth, items by index, iteration),
    noting each read in a `Recording` (an item past the end reads as None)."""

    __slots__ = ("code", "items", "recording")

    def __init__(self, items: list[tuple[str, str]], code: str, recording: Recording):
        self.items, self.code, self.recording = items, code, recording

    def __bool__(self) -> bool:
        return self.recording.note(f"{self.code}?", bool(self.items))

    def __getitem__(self, i: int) -> tuple[str, str]:
        if not isinstance(i, int) or i < 0:
            raise TypeError(f"statements are read by position from the start, not {i!r}")
        return self.recording.note(f"{self.code}{i}", self.items[i])

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for i, item in enumerate(self.items):
            yield self.recording.note(f"{self.code}{i}", item)
        self.recording.note(f"{self.code}{len(self.items)}", None)


def study_clusters(studies: list[StudyRecord]) -> dict[str, int]:
    """Study mentions grouped into studies: mentions that share a venue and year, an investigator,
    an institution and year, or a design, size and cell source are one study repeated, not
    independent evidence. Returns a cluster number per mention."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[tuple, str] = {}
    for s in studies:
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
    roots: dict[str, int] = {}
    return {s.iri: roots.setdefault(find(s.iri), len(roots)) for s in studies}


def _local_graph(c: ClaimRecord, s: StudyRecord, h: Hierarchy) -> nx.Graph:
    """The claim, the study with its findings and the concept hierarchy: the graph in which an
    evidence path is explained (claim → concept → finding → study, or claim → cites → study)."""
    g = nx.Graph()
    g.add_edges_from(h.graph.edges, relation="skos:broader")
    g.add_node(s.iri, kind="study")
    for o in s.outcomes:
        finding = f"{s.iri}/finding/{o.rsplit('/', 1)[-1]}"
        g.add_edge(s.iri, finding, relation="hckg:hasFinding")
        g.add_edge(finding, o, relation="hckg:outcome")
        for cell in s.cell_sources:
            g.add_edge(finding, cell, relation="hckg:cellSource")
    g.add_node(c.iri, kind="claim")
    for cited in c.cites:
        g.add_edge(c.iri, cited, relation="hckg:cites")
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


def _assess(
    c: ClaimRecord, evidence: ClaimEvidence, cells, scarcity, adverse, h: Hierarchy, labels, rules, lexicon
) -> ClaimAssessment:
    reasons: list[FlagReason] = []
    cited = evidence.cited
    cited_vague = [e for e in cited if e.vague]
    cited_anecdote = [e for e in cited if _single_case(e.study)]
    cited_usable = evidence.cited_usable
    best = evidence.best()
    bearing_evidence = evidence.bearing()
    other_route = _other_route(c, best, bearing_evidence, h)
    certainty = best.certainty if best else None
    if other_route:  # GRADE indirectness of the intervention: rated down
        certainty = shift_certainty(certainty, rules["claim.indirect.route"].effect)
    contradicted_by: list[str] = []
    note = ""

    def add(rule_id: str, explanation: str, path: str, nodes: list[str]) -> None:
        rule = rules[rule_id]
        reasons.append(FlagReason(rule.reason_code or rule_id, rule_id, explanation, path, nodes))

    def nearest() -> str:
        return f"nearest evidence: {_describe(best, labels)}" if best else "no usable study in the corpus"

    exempt = c.claim_type in rules["claim.exempt-type"].claim_types
    if exempt:
        note = "access claim: not graded for clinical evidence"
    elif c.polarity == "negative":  # a caution or a null result promises nothing to support
        exempt = True
        note = "negative claim (no benefit, a warning of harm, or missing evidence): not graded as a promise"
    if not exempt:
        # "in trials, serious side effects have been rare": a modest report of unnamed research
        # is neither a vague citation nor a claim without evidence
        modest_report = (bool(cited_vague) or c.vague_citation) and _modest(c, lexicon)
        vague = (bool(cited_vague) or c.vague_citation) and not modest_report
        if vague and not cited_vague and c.claim_type == "evidence":
            vague = _cites_research_unhedged(c, lexicon)
        if vague and not cited_usable:
            if cited_vague:
                e = cited_vague[0]
                path = f"cites '{_excerpt(e.study.quote)}' — unidentifiable; {nearest()}"
                nodes = [c.iri, e.study.iri]
            else:
                path = f"appeals to unnamed research ('{_excerpt(c.quote)}'); {nearest()}"
                nodes = [c.iri]
            add("claim.vague-citation", "leans on research that cannot be identified", path, nodes)
        if (cited_anecdote or c.anecdotal) and not cited_usable and not cited_vague:
            e = cited_anecdote[0] if cited_anecdote else None
            path = (
                f"rests on testimonial '{_excerpt(e.study.quote)}'"
                if e
                else "rests on parents' or patients' reports"
            ) + f"; {nearest()}"
            add(
                "claim.anecdote",
                "only testimonials or single cases support it",
                path,
                [c.iri, e.study.iri] if e else [c.iri],
            )
        bearing = bool(evidence)
        needs_evidence = (c.claim_type != "evidence" or bool(c.strong_cues)) and not modest_report
        if not bearing and not reasons and needs_evidence and not c.hedged:
            add(
                "claim.no-evidence",
                "nothing in the corpus bears on it",
                f"no cited study and no finding in the corpus on {_subject(cells, c, labels)}",
                [c.iri],
            )
        head, has_direct = evidence.indirect_candidate()
        indirect_only = head is not None and not has_direct and not c.hedged and not reasons
        if indirect_only and not c.cell_sources and needs_evidence:
            # the claim names no cell source (it is the page's "our therapy has helped hundreds"):
            # evidence on a cousin of the page's topic does not bear on what it promises
            add(
                "claim.no-evidence",
                "nothing in the corpus bears on it",
                f"no study on {_subject(cells, c, labels)}; the nearest is on a {head.relation} cell source: "
                f"{_describe(head, labels)}",
                [c.iri],
            )
        elif indirect_only and c.cell_sources:
            e = head
            add(
                "claim.indirect",
                "the evidence is about another cell source",
                f"evidence is on a {e.relation} cell source: {_describe(e, labels)}",
                _path(_local_graph(c, e.study, h), c.iri, e.study.iri),
            )
        if other_route and not c.hedged and not reasons and needs_evidence:
            add(
                "claim.indirect.route",
                "the evidence is about another route of administration",
                f"says {_labelled(c.routes, labels)}; the evidence gives the cells "
                f"{_labelled(best.study.routes, labels)}: {_describe(best, labels)}",
                [c.iri, best.study.iri],
            )
        threshold = rules["claim.overstated"].minimum_certainty or "moderate"
        if (
            c.strong_cues
            and not _hedged_elsewhere(c, lexicon)
            # a result report already flagged (a vague or anecdotal source) is not also overstated
            and not (_reports_results(c, cited, lexicon) and (reasons or _findable(cited)))
            and not any(r.code == "no-evidence" for r in reasons)
            and (best is None or _certainty_rank(certainty) < _certainty_rank(threshold))
        ):
            cues = ", ".join(f"'{x}'" for x in c.strong_cues[:3])
            add(
                "claim.overstated",
                f"wording {cues} is stronger than the evidence allows",
                f"says {cues}; {nearest()}",
                [c.iri] + ([best.study.iri] if best else []),
            )
        weak = rules["claim.overstated.weak-basis"]
        weak_basis = (
            c.claim_type in weak.claim_types
            and needs_evidence
            and not c.hedged
            and not reasons
            and best is not None
            and best.study.design != "testimonial"  # testimonials alone: the anecdote rule's case
            and _certainty_rank(certainty) < _certainty_rank(weak.minimum_certainty or "low")
            and not _denies_strong_effect(c, lexicon)
            and not (_reports_results(c, cited, lexicon) and _findable(cited))
            # an abstract's plain statements about its own study report it ("74% of survivors had
            # normal development"); its strong words are the overstated rule's to judge
            and not any(e.study.self_reported for e in cited)
        )
        if weak_basis and (c.cell_sources or cited):
            add(
                "claim.overstated.weak-basis",
                "states as fact what only weak evidence suggests",
                f"unhedged; {nearest()}",
                [c.iri, best.study.iri],
            )
        elif weak_basis:  # the page's "improves muscle tone" names no cells and cites nothing
            add(
                "claim.no-evidence",
                "nothing in the corpus bears on it",
                f"no study on {_subject(cells, c, labels)}; {nearest()}",
                [c.iri],
            )
        if lexicon["evidence-abundance"].search(c.quote):
            quote = c.quote.strip()
            other = next(((d, s) for d, s in scarcity if s.strip() != quote), None)
            if other:
                d, s = other
                contradicted_by.append(d)
                add(
                    "claim.contradicted.evidence-scarcity",
                    "another document says the evidence is scarce",
                    f"says the evidence is abundant; '{_excerpt(s)}' says otherwise",
                    [c.iri, d],
                )
        if adverse and lexicon["safety-absolute"].search(c.quote):
            target, text = adverse[0]
            contradicted_by.append(target)
            add(
                "claim.contradicted.adverse-events",
                "adverse events are reported elsewhere",
                f"says there are no side effects; '{_excerpt(text)}' reports adverse events",
                [c.iri, target],
            )
        negative = evidence.first_negative() if c.claim_type == "efficacy" and not c.hedged else None
        if negative is not None:
            e = negative
            contradicted_by.append(e.study.iri)
            add(
                "claim.contradicted.negative-finding",
                "a study reports no benefit",
                f"{_describe(e, labels)} reports no benefit",
                _path(_local_graph(c, e.study, h), c.iri, e.study.iri),
            )
    flagged = bool(reasons)
    codes = {r.code for r in reasons}
    if exempt:
        status = "not-assessed"
    elif "contradicted" in codes:
        status = "contradicted"
    elif codes & {"no-evidence", "vague-citation", "anecdote"} or not evidence.usable:
        status = "unsupported"
        if not flagged and c.hedged:
            note = "hedged: asserts only a possibility, so not flagged"
    elif (
        codes
        or best is None
        or _certainty_rank(certainty)
        < _certainty_rank(rules["claim.supported"].minimum_certainty or "moderate")
    ):
        status = "weakly-supported"
    else:
        status = "supported"
    match = best.relation if best else (cited[0].relation if cited else "none")
    return ClaimAssessment(
        claim=c,
        status=status,
        certainty=certainty,
        flagged=flagged,
        reasons=reasons,
        evidence=bearing_evidence,
        best_level=evidence.best_level(),
        independent_studies=evidence.independent(),
        match=match,
        contradicted_by=contradicted_by,
        note=note,
    )


def _other_route(c: ClaimRecord, best: Evidence | None, bearing: list[Evidence], h: Hierarchy) -> bool:
    """The claim says how the cells are given, its best evidence gives them another way, and no
    usable study bearing on it names the claim's route (a study naming no route is no mismatch)."""
    if not c.routes or best is None or not best.study.routes:
        return False

    def shares_route(s: StudyRecord) -> bool:
        return any(h.related(a, b) for a in c.routes for b in s.routes)

    return not shares_route(best.study) and not any(e.usable and shares_route(e.study) for e in bearing)


def _labelled(concepts: list[str], labels: dict[str, str]) -> str:
    return " or ".join(labels.get(x, x.rsplit("/", 1)[-1]) for x in concepts)


def _cites_research_unhedged(c: ClaimRecord, lexicon: Lexicon) -> bool:
    """Whether an evidence claim names research activity without hedging or admitting it is scarce."""
    if not lexicon["research-activity"].search(c.quote):
        return False
    return not (c.hedged or lexicon["evidence-scarcity"].search(c.quote))


def _single_case(s: StudyRecord) -> bool:
    """A testimonial, or a clinic's own case that cannot be looked up ("Case study: a 7-year-old girl")."""
    own_case = s.design == "case-report" and not s.identifiable and s.doc_kind == "clinic-marketing"
    return s.design == "testimonial" or own_case


def _modest(c: ClaimRecord, lexicon: Lexicon) -> bool:
    """Whether the claim reports only a small or limited effect, names its evidence's limits, or
    hedges and admits in the same sentence that the evidence is missing, with no strong wording
    ("some trials have reported modest gains"; "… but these reports lack control groups"; "pilot
    work suggests they may reduce inflammation, but their benefit has not been established"): it
    overstates nothing by leaning on them."""
    if c.strong_cues:
        return False
    if lexicon["modest-effect"].search(c.quote) or lexicon["type-evidence-limitation"].search(c.quote):
        return True  # (or it names its evidence's limits: "… but these reports lack control groups")
    return c.hedged and lexicon["evidence-scarcity"].search(c.quote) is not None


def _hedged_elsewhere(c: ClaimRecord, lexicon: Lexicon) -> bool:
    """Whether the claim hedges outside its strong cues ('may' next to 'proven')."""
    return any(not any(h in cue for cue in c.strong_cues) for h in lexicon["hedge"].find(c.quote))


def _subject(cells: list[str], c: ClaimRecord, labels: dict[str, str]) -> str:
    """What the claim is about, in words: its cell sources and outcomes."""
    what = ", ".join(labels.get(x, x.rsplit("/", 1)[-1]) for x in (cells + c.outcomes)[:4])
    return what or "this claim"


def _reports_results(c: ClaimRecord, cited: list[Evidence], lexicon: Lexicon) -> bool:
    """Whether the claim reports a study's results ("91% showed improvement", "GMFM improved",
    "children given higher doses improved more, the authors reported")."""
    return (
        c.rule in RESULT_REPORT_RULES
        or (c.rule == "claim.patient-outcome" and bool(cited))  # "91% of patients showed..."
        or _reports_cited_study(c, cited)
        or bool(lexicon["result-attribution"].search(c.quote))
    )


def _findable(cited: list[Evidence]) -> bool:
    """Whether a study the claim cites can be found (an abstract's own trial, a named published
    study): reporting its results is not overstating. Results nobody can check ("our follow-up
    data of 1,200 patients: 87.5% effective") are held to their evidence."""
    return any(e.study.identifiable for e in cited)


def _denies_strong_effect(c: ClaimRecord, lexicon: Lexicon) -> bool:
    """Whether the claim negates a strong cue and affirms none ("is not a cure"): it does not say
    the treatment works."""
    cues = lexicon["strong"].find(c.quote)
    return bool(cues) and all(negated(c.quote, cue) for cue in cues)


def _reports_cited_study(c: ClaimRecord, cited: list[Evidence]) -> bool:
    """Whether the claim is the very sentence that reports a study it cites."""
    if not cited:
        return False
    quote = squash(c.quote)
    return any(squash(e.study.quote) == quote for e in cited)


def _excerpt(text: str, limit: int = 80) -> str:
    text = squash(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def dominant(values: list[str]) -> str | None:
    """Most frequent value (ties broken by name), or None."""
    if not values:
        return None
    counts = Counter(values)
    return sorted(counts, key=lambda v: (-counts[v], v))[0]
