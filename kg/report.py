"""Reports over a graded graph: unsupported claims, claims, studies, documents, summary.

Each function returns plain rows (dicts) that the CLI formats as a table, Markdown or JSON.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError
from kg.lexicon import load_lexicon
from kg.namespaces import HCKG, OA, PROV, SKOS, VOC
from kg.store import GraphStore
from kg.text import squash

REPORTS = ("unsupported", "claims", "studies", "documents", "summary")
STATUSES = ("supported", "weakly-supported", "unsupported", "contradicted", "not-assessed")
REASONS = ("no-evidence", "vague-citation", "anecdote", "indirect", "overstated", "contradicted")


@dataclass(frozen=True)
class Filters:
    doc: str | None = None  # file name or document id
    cell_source: str | None = None  # concept key, e.g. uc-msc (narrower concepts included)
    outcome: str | None = None
    status: str | None = None
    reason: str | None = None


def _v(row, name: str):
    term = row[name]
    return None if term is None else term.value


def _narrower_keys(store: GraphStore, key: str) -> set[str]:
    """IRIs of the concept with notation `key` and every concept below it."""
    q = f"""SELECT DISTINCT ?c ?key WHERE {{ ?top <{SKOS}notation> ?key . ?c <{SKOS}broader>* ?top }}"""
    found = {_v(r, "c") for r in store.query(q, substitutions={ox.Variable("key"): ox.Literal(key)})}
    if not found:
        raise KGError(f"unknown concept key {key!r} (see skos:notation in ontology/vocabulary.ttl)")
    return found


def _documents(store: GraphStore, only: set[str] | None = None) -> dict[str, dict[str, str]]:
    """Name, id, kind, title and date of every document (or of the documents `only` names)."""
    scope = "" if only is None else _values(only)
    q = f"""SELECT ?doc ?name ?id ?kind ?title ?date WHERE {{ {scope}
        ?doc a <{HCKG}Document> ; <{HCKG}fileName> ?name ; <http://purl.org/dc/terms/identifier> ?id ;
             <{HCKG}kind> ?kind ; <http://purl.org/dc/terms/title> ?title .
        OPTIONAL {{ ?doc <http://purl.org/dc/terms/date> ?date }} }}"""
    return {
        _v(r, "doc"): {
            "name": _v(r, "name"),
            "id": _v(r, "id"),
            "kind": _v(r, "kind"),
            "title": _v(r, "title"),
            "date": _v(r, "date"),
        }
        for r in store.query(q)
    }


# documents by IRI, and the IRIs a `--doc` filter keeps (None: every document)
Documents = tuple[dict[str, dict[str, str]], set[str] | None]


def _report_documents(store: GraphStore, doc: str | None) -> Documents:
    """(documents by IRI, the IRIs a `--doc` filter keeps or None): a file name or document id
    is looked up in the index, a bare file name by scanning names only, so that a report on one
    document does not read every document's description."""
    if doc is None:
        return _documents(store), None
    literal = {ox.Variable("v"): ox.Literal(doc)}
    q = f"""SELECT DISTINCT ?doc ?v WHERE {{ ?doc a <{HCKG}Document> .
        {{ ?doc <{HCKG}fileName> ?v }} UNION {{ ?doc <http://purl.org/dc/terms/identifier> ?v }} }}"""
    match = {_v(r, "doc") for r in store.query(q, substitutions=literal)}
    if not match:
        q = f"SELECT ?doc ?name WHERE {{ ?doc a <{HCKG}Document> ; <{HCKG}fileName> ?name }}"
        match = {_v(r, "doc") for r in store.query(q) if Path(_v(r, "name")).name == doc}
    if not match:
        raise KGError(f"no document {doc!r} in the graph (use a file name or document id)")
    return _documents(store, match), match


def _values(docs: set[str]) -> str:
    """Binds ?doc to these document IRIs (they come from the store)."""
    return f"VALUES ?doc {{ {' '.join(str(ox.NamedNode(d)) for d in sorted(docs))} }}"


def _in_scope(subject: str, docs: set[str] | None) -> str:
    """Patterns that keep `subject` to the given documents (nothing for the whole graph): the
    document IRIs are bound first, so the engine starts from them."""
    if docs is None:
        return ""
    return f"{_values(docs)} {subject} <{PROV}wasDerivedFrom> ?doc . "


def _property(subject: str, prop: str, value: str, whole: bool) -> str:
    """`subject prop value`, as a whole-property scan to hash-join (`whole`: the right plan for
    the whole graph) or as a lookup per subject (for a few documents)."""
    if whole:
        return f"{{ SELECT {subject} {value} WHERE {{ {subject} {prop} {value} }} }}"
    return f"{subject} {prop} {value} ."


def _claims_query(docs: set[str] | None, flagged_only: bool) -> str:
    whole = docs is None
    first = _in_scope("?c", docs)
    if flagged_only:
        first += _property("?c", f"<{HCKG}flagged>", "true", whole=False)
    required = [
        (f"<{PROV}wasDerivedFrom>", "?doc"),
        (f"<{HCKG}quote>", "?quote"),
        (f"<{HCKG}claimType>", "?type"),
        (f"<{HCKG}hedged>", "?hedged"),
        (f"<{OA}hasSelector>", "?sel"),
    ]
    optional = [
        (f"<{HCKG}supportStatus>", "?status"),
        (f"<{HCKG}flagged>", "?flagged"),
        (f"<{HCKG}certainty>", "?cert"),
        (f"<{HCKG}bestEvidenceLevel>", "?level"),
        (f"<{HCKG}independentStudies>", "?indep"),
        (f"<{HCKG}evidenceMatch>", "?match"),
        ("<http://www.w3.org/2000/01/rdf-schema#comment>", "?note"),
    ]
    patterns = [first, f"?c a <{HCKG}Claim> ."]
    patterns += [_property("?c", p, v, whole) for p, v in required if not (v == "?doc" and docs)]
    patterns += [_property("?sel", f"<{OA}{p}>", f"?{p}", whole) for p in ("start", "end")]
    patterns += [f"OPTIONAL {{ {_property('?c', p, v, whole)} }}" for p, v in optional]
    variables = "?c ?doc ?quote ?type ?hedged ?start ?end ?status ?flagged ?cert ?level ?indep ?match ?note"
    return f"SELECT {variables} WHERE {{ {' '.join(patterns)} }}"


def claim_rows(
    store: GraphStore,
    filters: Filters = Filters(),
    flagged_only: bool = False,
    *,
    documents: Documents | None = None,
) -> list[dict[str, Any]]:
    """Every claim (or every flagged one) with its grade, reasons and evidence paths. A document
    filter is applied in the query, so one document's report reads only that document's claims
    (`documents`: the filter's documents, when the caller has looked them up already)."""
    docs, allowed_docs = documents or _report_documents(store, filters.doc)
    rows: dict[str, dict[str, Any]] = {}
    for r in store.query(_claims_query(allowed_docs, flagged_only)):
        iri, doc = _v(r, "c"), _v(r, "doc")
        rows[iri] = {
            "claim": iri,
            "document": docs.get(doc, {}).get("name", doc),
            "start": int(_v(r, "start")),
            "end": int(_v(r, "end")),
            "quote": squash(_v(r, "quote")),
            "type": _v(r, "type"),
            "hedged": _v(r, "hedged") == "true",
            "status": _v(r, "status") or "ungraded",
            "flagged": _v(r, "flagged") == "true",
            "certainty": _v(r, "cert"),
            "best_level": int(_v(r, "level")) if _v(r, "level") else None,
            "independent_studies": int(_v(r, "indep")) if _v(r, "indep") else 0,
            "evidence_match": _v(r, "match"),
            "note": _v(r, "note"),
            "reasons": [],
            "cell_sources": [],
            "outcomes": [],
        }
    scope = _in_scope("?c", allowed_docs)
    q = f"""SELECT ?c ?code ?rule ?expl ?path WHERE {{ {scope}
        ?c <{HCKG}flagReason> ?r . ?r <{HCKG}reasonCode> ?code ; <{HCKG}ruleId> ?rule ;
           <{HCKG}explanation> ?expl ; <{HCKG}evidencePath> ?path }}"""
    for r in store.query(q):
        if _v(r, "c") in rows:
            rows[_v(r, "c")]["reasons"].append(
                {
                    "code": _v(r, "code"),
                    "rule": _v(r, "rule"),
                    "explanation": _v(r, "expl"),
                    "evidence_path": _v(r, "path"),
                }
            )
    for prop, key in (("cellSource", "cell_sources"), ("outcome", "outcomes")):
        q = f"""SELECT ?c ?k WHERE {{ {scope}
            ?c a <{HCKG}Claim> ; <{HCKG}{prop}> ?x . ?x <{SKOS}notation> ?k }}"""
        for r in store.query(q):
            if _v(r, "c") in rows:
                rows[_v(r, "c")][key].append(_v(r, "k"))
    out = sorted(rows.values(), key=lambda x: (x["document"], x["start"]))
    for row in out:
        row["reasons"].sort(
            key=lambda x: (REASONS.index(x["code"]) if x["code"] in REASONS else 99, x["rule"])
        )
        row["cell_sources"].sort()
        row["outcomes"].sort()
    return _apply_filters(store, out, filters)


def _apply_filters(store: GraphStore, rows: list[dict[str, Any]], f: Filters) -> list[dict[str, Any]]:
    if f.status and f.status not in STATUSES:
        raise KGError(f"unknown status {f.status!r} (one of {', '.join(STATUSES)})")
    if f.reason and f.reason not in REASONS:
        raise KGError(f"unknown reason {f.reason!r} (one of {', '.join(REASONS)})")
    for key, field_name in ((f.cell_source, "cell_sources"), (f.outcome, "outcomes")):
        if key:
            keys = {iri.removeprefix(VOC) for iri in _narrower_keys(store, key)}
            rows = [r for r in rows if keys & set(r[field_name])]
    if f.status:
        rows = [r for r in rows if r["status"] == f.status]
    if f.reason:
        rows = [r for r in rows if any(x["code"] == f.reason for x in r["reasons"])]
    return rows


def unsupported_rows(store: GraphStore, filters: Filters = Filters()) -> list[dict[str, Any]]:
    """Flagged claims: the quote, its document, the reasons and the evidence path in words."""
    return claim_rows(store, filters, flagged_only=True)


def study_rows(
    store: GraphStore, filters: Filters = Filters(), *, documents: Documents | None = None
) -> list[dict[str, Any]]:
    """Every study mention with its design, size, identifiability, level, certainty and grading steps."""
    docs, allowed_docs = documents or _report_documents(store, filters.doc)
    scope = _in_scope("?s", allowed_docs)
    q = f"""SELECT ?s ?doc ?quote ?design ?n ?year ?venue ?ident ?by ?level ?label ?cert ?start WHERE {{
        {scope} ?s a <{HCKG}StudyMention> ; <{PROV}wasDerivedFrom> ?doc ; <{HCKG}quote> ?quote ;
           <{HCKG}design> ?design ; <{HCKG}identifiable> ?ident ; <{OA}hasSelector>/<{OA}start> ?start .
        OPTIONAL {{ ?s <{HCKG}sampleSize> ?n }} OPTIONAL {{ ?s <{HCKG}year> ?year }}
        OPTIONAL {{ ?s <{HCKG}venue> ?venue }} OPTIONAL {{ ?s <{HCKG}identifiableBy> ?by }}
        OPTIONAL {{ ?s <{HCKG}evidenceLevel> ?level }} OPTIONAL {{ ?s <{HCKG}evidenceLevelLabel> ?label }}
        OPTIONAL {{ ?s <{HCKG}certainty> ?cert }} }}"""
    rows: dict[str, dict[str, Any]] = {}
    for r in store.query(q):
        rows[_v(r, "s")] = {
            "study": _v(r, "s"),
            "document": docs.get(_v(r, "doc"), {}).get("name"),
            "start": int(_v(r, "start")),
            "quote": squash(_v(r, "quote")),
            "design": _v(r, "design"),
            "n": int(_v(r, "n")) if _v(r, "n") else None,
            "year": int(_v(r, "year")) if _v(r, "year") else None,
            "venue": _v(r, "venue"),
            "identifiable": _v(r, "ident") == "true",
            "identifiable_by": _v(r, "by"),
            "level": int(_v(r, "level")) if _v(r, "level") else None,
            "level_label": _v(r, "label"),
            "certainty": _v(r, "cert"),
            "steps": [],
            "cell_sources": [],
        }
    q = f"""SELECT ?s ?rule ?expl ?order WHERE {{ {scope} ?s <{HCKG}gradeStep> ?g . ?g <{HCKG}ruleId> ?rule ;
        <{HCKG}explanation> ?expl ; <{HCKG}order> ?order }}"""
    for r in store.query(q):
        if _v(r, "s") in rows:
            rows[_v(r, "s")]["steps"].append((int(_v(r, "order")), _v(r, "rule"), _v(r, "expl")))
    q = f"""SELECT ?s ?k WHERE {{ {scope}
        ?s a <{HCKG}StudyMention> ; <{HCKG}cellSource>/<{SKOS}notation> ?k }}"""
    for r in store.query(q):
        if _v(r, "s") in rows:
            rows[_v(r, "s")]["cell_sources"].append(_v(r, "k"))
    out = sorted(rows.values(), key=lambda x: (x["document"], x["start"]))
    for row in out:
        row["steps"] = [{"rule": rule, "explanation": expl} for _, rule, expl in sorted(row["steps"])]
        row["cell_sources"].sort()
    if filters.cell_source:
        keys = {iri.removeprefix(VOC) for iri in _narrower_keys(store, filters.cell_source)}
        out = [r for r in out if keys & set(r["cell_sources"])]
    return out


def document_rows(store: GraphStore, filters: Filters = Filters()) -> list[dict[str, Any]]:
    """A credibility profile per document, in the spirit of DISCERN and the JAMA benchmarks."""
    found = docs, allowed_docs = _report_documents(store, filters.doc)
    claims, studies = defaultdict(list), defaultdict(list)
    for c in claim_rows(store, documents=found):
        claims[c["document"]].append(c)
    for st in study_rows(store, documents=found):
        studies[st["document"]].append(st)
    lexicon = load_lexicon()
    sentences: dict[str, list[str]] = defaultdict(list)
    q = f"""SELECT DISTINCT ?doc ?q WHERE {{ {_in_scope("?i", allowed_docs)}
        ?i <{PROV}wasDerivedFrom> ?doc ; <{HCKG}quote> ?q }}"""
    for r in store.query(q):
        sentences[_v(r, "doc")].append(_v(r, "q"))
    providers = defaultdict(list)
    q = f"""SELECT DISTINCT ?doc ?label WHERE {{ {"" if allowed_docs is None else _values(allowed_docs)}
        ?m <{HCKG}rule> "org.provider-brand" ; <{PROV}wasDerivedFrom> ?doc ; <{HCKG}refersTo> ?org .
        ?org <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"""
    for r in store.query(q):
        providers[_v(r, "doc")].append(_v(r, "label"))
    out = []
    for iri, d in sorted(docs.items(), key=lambda x: x[1]["name"]):
        if allowed_docs is not None and iri not in allowed_docs:
            continue
        dc, ds = claims[d["name"]], studies[d["name"]]
        research = [s for s in ds if s["design"] != "testimonial"]
        text = " ".join(sentences[iri])
        risks = bool(lexicon["adverse-reported"].search(text)) or any(
            c["type"] == "safety" and c["hedged"] for c in dc
        )
        uncertainty = bool(lexicon["evidence-scarcity"].search(text)) or bool(lexicon["hedge"].search(text))
        costs = bool(lexicon["cost"].search(text))
        coi = d["kind"] == "clinic-marketing" or bool(providers[iri])
        flagged = [c for c in dc if c["flagged"]]
        criteria = {
            "cites_sources": bool(research),
            "sources_identifiable": bool(research) and all(s["identifiable"] for s in research),
            "mentions_risks": risks,
            "acknowledges_uncertainty": uncertainty,
            "states_costs": costs,
            "free_of_commercial_interest": not coi,
            "dated": bool(d["date"]),
        }
        out.append(
            {
                "document": d["name"],
                "id": d["id"],
                "title": d["title"],
                "kind": d["kind"],
                "claims": len(dc),
                "flagged": len(flagged),
                "flagged_share": round(len(flagged) / len(dc), 3) if dc else 0.0,
                "studies": len(research),
                "identifiable_studies": sum(1 for s in research if s["identifiable"]),
                "testimonials": sum(1 for s in ds if s["design"] == "testimonial"),
                "providers": sorted(providers[iri]),
                "criteria": criteria,
                "criteria_met": sum(criteria.values()),
                "criteria_total": len(criteria),
            }
        )
    return out


def summary(store: GraphStore, filters: Filters = Filters()) -> dict[str, Any]:
    """Counts across the corpus: claims by status and reason, studies by level."""
    found = _report_documents(store, filters.doc)
    claims = claim_rows(store, filters, documents=found)
    studies = study_rows(store, Filters(cell_source=filters.cell_source), documents=found)
    reasons = Counter(r["code"] for c in claims for r in c["reasons"])
    return {
        "documents": len({c["document"] for c in claims} | {s["document"] for s in studies}),
        "claims": len(claims),
        "flagged": sum(1 for c in claims if c["flagged"]),
        "by_status": {s: sum(1 for c in claims if c["status"] == s) for s in STATUSES},
        "by_reason": {r: reasons.get(r, 0) for r in REASONS},
        "by_type": dict(sorted(Counter(c["type"] for c in claims).items())),
        "studies": len(studies),
        "studies_by_level": dict(sorted(Counter(str(s["level"]) for s in studies).items())),
        "identifiable_studies": sum(1 for s in studies if s["identifiable"]),
    }


def run_report(out_dir: Path, name: str, filters: Filters = Filters(), store_url: str | None = None) -> Any:
    """The named report's rows (or the summary dict) for the graph built in `out_dir` (or held by
    the SPARQL endpoint `store_url`)."""
    store = GraphStore(out_dir, read_only=True, store_url=store_url)
    functions = {
        "unsupported": unsupported_rows,
        "claims": claim_rows,
        "studies": study_rows,
        "documents": document_rows,
        "summary": summary,
    }
    if name not in functions:
        raise KGError(f"unknown report {name!r} (one of {', '.join(REPORTS)})")
    return functions[name](store, filters)
