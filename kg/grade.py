"""Grade the store: read studies and claims back, grade and analyse them, write the analysis graph."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.analyse import (
    AnswerTokens,
    ClaimAnalysis,
    ClaimAssessment,
    ClaimRecord,
    DocRecord,
    Hierarchy,
    dominant,
)
from kg.grading import StudyGrade, StudyRecord, grade_study
from kg.lexicon import load_lexicon
from kg.namespaces import ANALYSIS_GRAPH, HCKG, PROV, RDF, RDFS, SKOS
from kg.paths import files_fingerprint, ontology_dir
from kg.rules import load_rules
from kg.store import GraphStore
from kg.stores import ntriples as nt
from kg.stores.groups import GroupCache


@dataclass
class GradingResult:
    studies: dict[str, StudyGrade]
    claims: int  # claims assessed (written as they were assessed, not kept)
    quads: int  # quads the analysis graph holds


def _v(row, name):
    term = row[name]
    return None if term is None else term.value


def _rows(store: GraphStore, query: str):
    return list(store.query(query))


def read_studies(store: GraphStore) -> list[StudyRecord]:
    q = f"""SELECT ?s ?doc ?kind ?quote ?design ?ident ?n ?year ?venue ?inv ?inst ?instRule ?ctrl ?rand
                   ?blind ?country ?self ?pre ?result ?ae WHERE {{
      ?s a <{HCKG}StudyMention> ; <{PROV}wasDerivedFrom> ?doc ; <{HCKG}quote> ?quote ;
         <{HCKG}design> ?design ; <{HCKG}identifiable> ?ident ; <{HCKG}selfReported> ?self ;
         <{HCKG}preprint> ?pre ; <{HCKG}resultDirection> ?result ; <{HCKG}adverseEvents> ?ae .
      ?doc <{HCKG}kind> ?kind .
      OPTIONAL {{ ?s <{HCKG}sampleSize> ?n }} OPTIONAL {{ ?s <{HCKG}year> ?year }}
      OPTIONAL {{ ?s <{HCKG}venue> ?venue }} OPTIONAL {{ ?s <{HCKG}investigator> ?inv }}
      OPTIONAL {{ ?s <{HCKG}institution> ?inst .
                  OPTIONAL {{ ?m <{HCKG}refersTo> ?inst ; <{PROV}wasDerivedFrom> ?doc ;
                                 <{HCKG}rule> ?instRule FILTER(?instRule = "org.provider-brand") }} }}
      OPTIONAL {{ ?s <{HCKG}controlled> ?ctrl }} OPTIONAL {{ ?s <{HCKG}randomised> ?rand }}
      OPTIONAL {{ ?s <{HCKG}blinded> ?blind }} OPTIONAL {{ ?s <{HCKG}country> ?country }}
    }} ORDER BY ?s"""
    studies: dict[str, StudyRecord] = {}
    for r in _rows(store, q):
        iri = _v(r, "s")
        if iri in studies:
            continue
        studies[iri] = StudyRecord(
            iri=iri,
            doc=_v(r, "doc"),
            doc_kind=_v(r, "kind"),
            quote=_v(r, "quote"),
            design=_v(r, "design"),
            identifiable=_v(r, "ident") == "true",
            n=int(_v(r, "n")) if _v(r, "n") else None,
            year=int(_v(r, "year")) if _v(r, "year") else None,
            venue=_v(r, "venue"),
            investigator=_v(r, "inv"),
            institution=_v(r, "inst"),
            institution_is_provider=_v(r, "instRule") is not None,
            controlled=_bool(_v(r, "ctrl")),
            randomised=_bool(_v(r, "rand")),
            blinded=_bool(_v(r, "blind")),
            self_reported=_v(r, "self") == "true",
            preprint=_v(r, "pre") == "true",
            result=_v(r, "result"),
            adverse_events=_v(r, "ae"),
        )
    for prop, attr in (
        ("cellSource", "cell_sources"),
        ("outcome", "outcomes"),
        ("condition", "conditions"),
        ("route", "routes"),
    ):
        q = f"SELECT ?s ?c WHERE {{ ?s a <{HCKG}StudyMention> ; <{HCKG}{prop}> ?c }} ORDER BY ?s ?c"
        for r in _rows(store, q):
            if _v(r, "s") in studies:
                getattr(studies[_v(r, "s")], attr).append(_v(r, "c"))
    return list(studies.values())


def read_claims(store: GraphStore) -> list[ClaimRecord]:
    q = f"""SELECT ?c ?doc ?quote ?type ?hedged ?rule ?vague ?anec ?polarity WHERE {{
      ?c a <{HCKG}Claim> ; <{PROV}wasDerivedFrom> ?doc ; <{HCKG}quote> ?quote ; <{HCKG}claimType> ?type ;
         <{HCKG}hedged> ?hedged ; <{HCKG}rule> ?rule ; <{HCKG}vagueCitation> ?vague ;
         <{HCKG}anecdotal> ?anec .
      OPTIONAL {{ ?c <{HCKG}polarity> ?polarity }} }} ORDER BY ?c"""
    claims = {
        _v(r, "c"): ClaimRecord(
            iri=_v(r, "c"),
            doc=_v(r, "doc"),
            quote=_v(r, "quote"),
            claim_type=_v(r, "type"),
            hedged=_v(r, "hedged") == "true",
            rule=_v(r, "rule"),
            vague_citation=_v(r, "vague") == "true",
            anecdotal=_v(r, "anec") == "true",
            polarity=_v(r, "polarity") or "positive",
        )
        for r in _rows(store, q)
    }
    for prop, attr in (
        ("strongCue", "strong_cues"),
        ("cites", "cites"),
        ("cellSource", "cell_sources"),
        ("outcome", "outcomes"),
        ("condition", "conditions"),
        ("route", "routes"),
    ):
        q = f"SELECT ?s ?c WHERE {{ ?s a <{HCKG}Claim> ; <{HCKG}{prop}> ?c }} ORDER BY ?s ?c"
        for r in _rows(store, q):
            if _v(r, "s") in claims:
                getattr(claims[_v(r, "s")], attr).append(_v(r, "c"))
    return list(claims.values())


def read_documents(store: GraphStore) -> dict[str, DocRecord]:
    q = f"""SELECT ?doc ?name ?kind WHERE {{ ?doc a <{HCKG}Document> ; <{HCKG}fileName> ?name ;
             <{HCKG}kind> ?kind }}"""
    docs = {_v(r, "doc"): DocRecord(_v(r, "doc"), _v(r, "name"), _v(r, "kind")) for r in _rows(store, q)}
    q = f"""SELECT ?doc ?concept ?type WHERE {{
      ?m a <{HCKG}ConceptMention> ; <{PROV}wasDerivedFrom> ?doc ; <{HCKG}concept> ?concept .
      ?concept <{SKOS}inScheme> ?scheme . ?scheme <{HCKG}conceptType> ?type .
      FILTER(?type IN ("cell_source", "condition")) }}"""
    cells: dict[str, list[str]] = defaultdict(list)
    conditions: dict[str, list[str]] = defaultdict(list)
    for r in _rows(store, q):
        if _v(r, "type") == "condition":
            conditions[_v(r, "doc")].append(_v(r, "concept"))
        else:
            cells[_v(r, "doc")].append(_v(r, "concept"))
    q = f"SELECT DISTINCT ?doc ?quote WHERE {{ ?i <{PROV}wasDerivedFrom> ?doc ; <{HCKG}quote> ?quote }}"
    for r in _rows(store, q):
        if _v(r, "doc") in docs:
            docs[_v(r, "doc")].sentences.append(_v(r, "quote"))
    for iri, d in docs.items():
        d.topic_cell = dominant(cells[iri])
        d.topic_condition = dominant(conditions[iri])
        d.sentences.sort()
    return docs


def read_hierarchy(store: GraphStore) -> tuple[Hierarchy, dict[str, str]]:
    pairs = [
        (_v(r, "c"), _v(r, "b"))
        for r in _rows(store, f"SELECT ?c ?b WHERE {{ ?c <{SKOS}broader> ?b }} ORDER BY ?c ?b")
    ]
    labels = {
        _v(r, "c"): _v(r, "l")
        for r in _rows(store, f"SELECT ?c ?l WHERE {{ ?c <{SKOS}prefLabel> ?l }} ORDER BY ?c ?l")
    }
    return Hierarchy(pairs), labels


def _bool(v: str | None) -> bool | None:
    return None if v is None else v == "true"


GradingInputs = tuple[list[StudyRecord], list[ClaimRecord], dict[str, DocRecord]]


def grade_store(store: GraphStore, inputs: GradingInputs | None = None) -> GradingResult:
    """Grade every study and claim in the store and replace the analysis graph with the results.

    `inputs` (studies, claims, documents as the readers below return them) saves reading the
    store; the build passes them from its cache. The analysis graph is written group by group
    (a study with its grade steps, a claim with its flag reasons): only changed groups are touched,
    and groups made from unchanged inputs are kept from the last write (`GroupCache`), not remade.
    """
    rules, lexicon = load_rules(), load_lexicon()
    if inputs is None:
        studies, claims, docs = read_studies(store), read_claims(store), read_documents(store)
    else:
        studies, claims, docs = inputs
    grades = {s.iri: grade_study(s, rules) for s in studies}
    hierarchy, labels = read_hierarchy(store)
    analysis = ClaimAnalysis(studies, grades, docs, hierarchy, labels, rules, lexicon)
    kept = GroupCache(store, ANALYSIS_GRAPH)
    context = _head(analysis_version(), analysis.context())
    groups = itertools.chain(
        _study_groups(grades, kept, context), _claim_groups(analysis, claims, kept, context)
    )
    quads = store.replace_graph_groups(ANALYSIS_GRAPH, groups)
    kept.save()
    return GradingResult(grades, len(claims), quads)


def analysis_version() -> str:
    """Hash of the code and data the analysis graph is made with (what a kept group was made with)."""
    package = Path(__file__).parent
    code = ("grade.py", "grading.py", "analyse.py", "rules.py", "lexicon.py", "vocab.py", "text.py")
    files = sorted(ontology_dir().glob("*.ttl")) + [package / n for n in code]
    return files_fingerprint([*files, package / "stores" / "ntriples.py"])


def _head(*parts: object) -> bytes:
    """Digest of what a group is made from, besides the answers it records."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


# The analysis graph is written as N-Triples lines (a few per claim, millions on a large corpus).
_q = nt.line
_lit = nt.literal


def _study_groups(
    grades: dict[str, StudyGrade], kept: GroupCache, context: bytes
) -> Iterator[tuple[str, list[str] | bytes]]:
    """(study IRI, its lines): the grade and the numbered grade steps; kept when the grade is."""
    for iri, g in sorted(grades.items()):
        head = _head(context, iri, g)
        block = kept.reusable(iri, head, _no_questions)
        if block is not None:
            yield iri, block
            continue
        kept.made(iri, head)
        yield iri, _study_lines(iri, g)


def _no_questions(questions: str) -> bytes:
    return b""


def _study_lines(iri: str, g: StudyGrade) -> list[str]:
    lines = [
        _q(iri, HCKG + "evidenceLevel", _lit(g.level)),
        _q(iri, HCKG + "evidenceLevelLabel", _lit(g.level_label)),
        _q(iri, HCKG + "certainty", _lit(g.certainty)),
    ]
    if g.steps:
        lines.append(_q(iri, HCKG + "gradeSummary", _lit(grade_summary(g))))
    for i, step in enumerate(g.steps, 1):
        node = f"{iri}#grade-{i}"
        lines += [
            _q(iri, HCKG + "gradeStep", node),
            _q(node, RDF + "type", HCKG + "GradeStep"),
            _q(node, HCKG + "ruleId", _lit(step.rule_id)),
            _q(node, HCKG + "explanation", _lit(step.explanation)),
            _q(node, HCKG + "effect", _lit(step.effect)),
            _q(node, HCKG + "order", _lit(i)),
        ]
    return lines


def grade_summary(g: StudyGrade) -> str:
    """The grade steps in order on one line: "1. rule (effect): explanation | 2. …"."""
    return " | ".join(f"{i}. {s.rule_id} ({s.effect}): {s.explanation}" for i, s in enumerate(g.steps, 1))


def _claim_groups(
    analysis: ClaimAnalysis, claims: list[ClaimRecord], kept: GroupCache, context: bytes
) -> Iterator[tuple[str, list[str] | bytes]]:
    """(claim IRI, its lines) in order. A claim whose record and cell sources are unchanged and
    whose evidence and corpus statements answer its assessment's questions as before
    (`ClaimAnalysis.assess_recorded`) keeps its lines, with its independent-study count written
    afresh (the one figure not recorded)."""
    tokens = AnswerTokens()
    fields = operator.attrgetter(*(f.name for f in dataclasses.fields(ClaimRecord)))
    for c in claims:
        cells, evidence = analysis.evidence(c)
        head = _head(context, fields(c), cells)
        block = kept.reusable(c.iri, head, functools.partial(analysis.replay, evidence, tokens=tokens))
        if block is not None:
            yield c.iri, _with_independent(block, c.iri, evidence.independent())
            continue
        a, (questions, answers) = analysis.assess_recorded(c, cells, evidence, tokens)
        kept.made(c.iri, head, questions, answers)
        yield c.iri, _claim_lines(a)


def _with_independent(block: bytes, iri: str, count: int) -> bytes:
    """A claim's N-Triples block with its independent-study count replaced (the line keeps its
    place: no other line of the block starts as it does)."""
    start = (b"\n" + block).index(f"\n<{iri}> <{HCKG}independentStudies> ".encode())
    end = block.index(b"\n", start)
    return block[:start] + _q(iri, HCKG + "independentStudies", _lit(count)).encode() + block[end:]


def _claim_lines(a: ClaimAssessment) -> list[str]:
    """Status, evidence and the flag reasons with their paths."""
    iri = a.claim.iri
    lines: list[str] = []
    add = lines.append
    add(_q(iri, HCKG + "supportStatus", _lit(a.status)))
    add(_q(iri, HCKG + "flagged", _lit(a.flagged)))
    add(_q(iri, HCKG + "evidenceMatch", _lit(a.match)))
    add(_q(iri, HCKG + "independentStudies", _lit(a.independent_studies)))
    if a.certainty:
        add(_q(iri, HCKG + "certainty", _lit(a.certainty)))
    if a.best_level is not None:
        add(_q(iri, HCKG + "bestEvidenceLevel", _lit(a.best_level)))
    if a.note:
        add(_q(iri, RDFS + "comment", _lit(a.note)))
    for e in a.evidence:
        add(_q(iri, HCKG + "bearingEvidence", e.study.iri))
    for target in a.contradicted_by:
        add(_q(iri, HCKG + "contradictedBy", target))
    for r in a.reasons:
        node = f"{iri}#reason-{r.rule_id.rsplit('.', 1)[-1] if r.code == 'contradicted' else r.code}"
        add(_q(iri, HCKG + "flagReason", node))
        add(_q(node, RDF + "type", HCKG + "FlagReason"))
        add(_q(node, HCKG + "reasonCode", _lit(r.code)))
        add(_q(node, HCKG + "ruleId", _lit(r.rule_id)))
        add(_q(node, HCKG + "explanation", _lit(r.explanation)))
        add(_q(node, HCKG + "evidencePath", _lit(r.path)))
        add(_q(node, PROV + "wasDerivedFrom", iri))
        for n in dict.fromkeys(r.nodes):
            add(_q(node, HCKG + "pathNode", n))
    return lines
