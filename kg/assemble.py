"""Assemble: an Extraction becomes RDF triples in the document's own named graph.

The triples are written as N-Triples text directly (`kg.stores.ntriples`, byte-for-byte as
pyoxigraph writes them): building a pyoxigraph term object per triple and serialising them cost
more than extracting the document.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox

from kg.extract.entities import slug
from kg.model import Claim, ConceptMention, EntityMention, Evidence, Extraction, StudyMention
from kg.namespaces import DCT, HCKG, ID, OA, PROV, RDF, RDFS, SCHEMA, VOC, XSD
from kg.stores.ntriples import literal, nquads

_ORG_CLASSES = {
    "Hospital": SCHEMA + "Hospital",
    "MedicalClinic": SCHEMA + "MedicalClinic",
    "CollegeOrUniversity": SCHEMA + "CollegeOrUniversity",
    "Corporation": SCHEMA + "Corporation",
    "GovernmentOrganization": SCHEMA + "GovernmentOrganization",
    "ResearchOrganization": SCHEMA + "ResearchOrganization",
    "MedicalOrganization": SCHEMA + "MedicalOrganization",
}


ADVERSE_EVENTS = VOC + "adverse-events"


def doc_iri(doc_id: str) -> str:
    return f"{ID}doc/{doc_id}"


def graph_iri(doc_id: str) -> str:
    return f"{ID}graph/{doc_id}"


def org_iri(slug: str) -> str:
    return f"{ID}org/{slug}"


def country_iri(code: str) -> str:
    return f"{ID}country/{code}"


def item_iri(doc_id: str, kind: str, start: int, end: int) -> str:
    return f"{doc_iri(doc_id)}/{kind}/{start}-{end}"


def _str(v: str) -> str:
    return literal(str(v))


_quote = lru_cache(maxsize=1024)(_str)  # a sentence is quoted by every item found in it


def _int(v: int) -> str:
    return literal(int(v))


def _bool(v: bool) -> str:
    return literal(bool(v))


class _Writer:
    """Collects triples as N-Triples statements without the closing " ." (see `nquads`)."""

    def __init__(self):
        self.triples: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        """A triple; `o` is an IRI, or a literal term (starts with a quote)."""
        self.triples.append(f"<{s}> <{p}> {o}" if o[0] == '"' else f"<{s}> <{p}> <{o}>")

    def provenance(self, node: str, doc: str, ev: Evidence, exact: str) -> None:
        """Document, character offsets, the quoted sentence and the rule, on every item."""
        selector = f"{node}#selector"
        self.add(node, PROV + "wasDerivedFrom", doc)
        self.add(node, HCKG + "quote", _quote(ev.sentence.text))
        self.add(node, HCKG + "rule", _str(ev.rule))
        self.add(node, OA + "hasSelector", selector)
        self.add(selector, RDF + "type", OA + "TextPositionSelector")
        self.add(selector, RDF + "type", OA + "TextQuoteSelector")
        self.add(selector, OA + "start", _int(ev.span.start))
        self.add(selector, OA + "end", _int(ev.span.end))
        self.add(selector, OA + "exact", _str(exact))


def assemble(extraction: Extraction, pipeline: str = "") -> list[ox.Quad]:
    """All quads for one document, in its named graph; IRIs depend only on content."""
    graph = graph_iri(extraction.document.doc_id)
    return list(ox.parse(nquads(assemble_triples(extraction, pipeline), graph), format=ox.RdfFormat.N_QUADS))


def assemble_triples(extraction: Extraction, pipeline: str = "") -> list[str]:
    """The triples of `assemble` in the same order, as N-Triples statements without the closing
    " ." (`kg.stores.ntriples.nquads` writes them into the document's graph)."""
    d = extraction.document
    w = _Writer()
    doc = doc_iri(d.doc_id)
    w.add(doc, RDF + "type", HCKG + "Document")
    w.add(doc, RDF + "type", SCHEMA + "Article")
    w.add(doc, DCT + "identifier", _str(d.doc_id))
    w.add(doc, DCT + "title", _str(d.title))
    w.add(doc, DCT + "format", _str(d.media_type))
    w.add(doc, HCKG + "fileName", _str(d.name))
    w.add(doc, HCKG + "kind", _str(d.kind))
    w.add(doc, HCKG + "kindReason", _str(d.kind_reason))
    w.add(doc, HCKG + "sha256", _str(d.sha256))
    w.add(doc, HCKG + "charCount", _int(len(d.text)))
    w.add(doc, HCKG + "sentenceCount", _int(len(extraction.sentences)))
    if pipeline:
        w.add(doc, HCKG + "pipelineVersion", _str(pipeline))
    if d.date:
        w.add(doc, DCT + "date", f"{literal(d.date)}^^<{XSD}date>")
    for e in extraction.entities:
        if e.evidence.rule == "org.provider-brand":
            w.add(doc, HCKG + "provider", org_iri(e.code))
    text = d.text
    for m in extraction.concepts:
        _concept(w, doc, d.doc_id, m, text)
    for e in extraction.entities:
        _entity(w, doc, d.doc_id, e, text)
    _org_countries(w, extraction)
    study_iris = [
        item_iri(d.doc_id, "study", s.evidence.span.start, s.evidence.span.end) for s in extraction.studies
    ]
    for node, s in zip(study_iris, extraction.studies, strict=True):
        _study(w, doc, node, s, text)
    for c in extraction.claims:
        _claim(w, doc, d.doc_id, c, study_iris, text)
    return w.triples


def _concept(w: _Writer, doc: str, doc_id: str, m: ConceptMention, text: str) -> None:
    node = item_iri(doc_id, "mention", m.evidence.span.start, m.evidence.span.end)
    w.add(node, RDF + "type", HCKG + "ConceptMention")
    w.add(node, HCKG + "concept", m.concept)
    w.provenance(node, doc, m.evidence, text[m.evidence.span.start : m.evidence.span.end])
    w.add(doc, SCHEMA + "mentions", m.concept)


def _entity(w: _Writer, doc: str, doc_id: str, e: EntityMention, text: str) -> None:
    node = item_iri(doc_id, "mention", e.evidence.span.start, e.evidence.span.end)
    target = org_iri(e.code) if e.kind == "organization" else country_iri(e.code)
    w.add(node, RDF + "type", HCKG + "EntityMention")
    w.add(node, HCKG + "refersTo", target)
    w.provenance(node, doc, e.evidence, text[e.evidence.span.start : e.evidence.span.end])
    w.add(doc, SCHEMA + "mentions", target)
    w.add(target, RDFS + "label", _str(e.name))
    if e.kind == "organization":
        w.add(target, RDF + "type", SCHEMA + "Organization")
        w.add(target, RDF + "type", HCKG + "Organization")
        if e.org_type in _ORG_CLASSES:
            w.add(target, RDF + "type", _ORG_CLASSES[e.org_type])
        w.add(target, HCKG + "alias", _str(e.surface))
    else:
        w.add(target, RDF + "type", SCHEMA + "Country")
        w.add(target, RDF + "type", HCKG + "Country")
        w.add(target, HCKG + "iso3166", _str(e.code))


_LOCATED_AFTER = re.compile(r"\s*(?:,|\(|(?:(?:is |are )?(?:based |located )?in))?\s*(?:the\s+)?")
_LOCATED_BEFORE = re.compile(r"\s*(?:['’]s)?\s*")


def _org_countries(w: _Writer, x: Extraction) -> None:
    """Where an organization operates: 'X Hospital in Vietnam', 'X Clinic (Mexico)', "Panama's X"."""
    text = x.document.text
    orgs = [e for e in x.entities if e.kind == "organization"]
    countries = [e for e in x.entities if e.kind == "country"]
    for o in orgs:
        for c in countries:
            o_span, c_span = o.evidence.span, c.evidence.span
            after = text[o_span.end : c_span.start] if c_span.start >= o_span.end else None
            before = text[c_span.end : o_span.start] if o_span.start >= c_span.end else None
            if (
                (after is not None and len(after) <= 30 and _LOCATED_AFTER.fullmatch(after))
                or (before is not None and len(before) <= 4 and _LOCATED_BEFORE.fullmatch(before))
                or o.evidence.span.start <= c.evidence.span.start < o.evidence.span.end
            ):
                w.add(org_iri(o.code), HCKG + "operatesIn", country_iri(c.code))


def _study(w: _Writer, doc: str, node: str, s: StudyMention, text: str) -> None:
    w.add(node, RDF + "type", HCKG + "StudyMention")
    w.add(node, RDF + "type", SCHEMA + "MedicalStudy")
    w.provenance(node, doc, s.evidence, s.evidence.sentence.text)
    w.add(node, HCKG + "contextStart", _int(s.context.start))
    w.add(node, HCKG + "contextEnd", _int(s.context.end))
    w.add(node, HCKG + "design", _str(s.design))
    if s.design_rule:
        w.add(node, HCKG + "designRule", _str(s.design_rule))
    if s.n is not None:
        w.add(node, HCKG + "sampleSize", _int(s.n))
    if s.year is not None:
        w.add(node, HCKG + "year", _int(s.year))
    if s.venue:
        w.add(node, HCKG + "venue", _str(s.venue))
    if s.investigator:
        w.add(node, HCKG + "investigator", _str(s.investigator))
    if s.institution:
        w.add(node, HCKG + "institution", org_iri(slug(s.institution)))
    for code in s.countries:
        w.add(node, HCKG + "country", country_iri(code))
    for prop, values in (
        ("cellSource", s.cell_sources),
        ("route", s.routes),
        ("outcome", s.outcomes),
        ("condition", s.conditions),
    ):
        for v in values:
            w.add(node, HCKG + prop, v)
    for prop, value in (("controlled", s.controlled), ("randomised", s.randomised), ("blinded", s.blinded)):
        if value is not None:
            w.add(node, HCKG + prop, _bool(value))
    w.add(node, HCKG + "resultDirection", _str(s.result))
    w.add(node, HCKG + "adverseEvents", _str(s.adverse_events))
    w.add(node, HCKG + "identifiable", _bool(s.identifiable))
    if s.identifiable_by:
        w.add(node, HCKG + "identifiableBy", _str(s.identifiable_by))
    w.add(node, HCKG + "selfReported", _bool(s.self_report))
    w.add(node, HCKG + "preprint", _bool(s.preprint))
    for outcome in s.outcomes:
        if outcome == ADVERSE_EVENTS:
            continue  # the adverse-events finding below carries what the study says of safety
        finding = f"{node}/finding/{outcome.rsplit('/', 1)[-1]}"
        w.add(finding, RDF + "type", HCKG + "Finding")
        w.add(node, HCKG + "hasFinding", finding)
        w.add(finding, HCKG + "outcome", outcome)
        w.add(finding, HCKG + "direction", _str(s.result))
        for cell in s.cell_sources:
            w.add(finding, HCKG + "cellSource", cell)
    if s.adverse_events != "unreported":
        finding = f"{node}/finding/adverse-events"
        w.add(finding, RDF + "type", HCKG + "Finding")
        w.add(node, HCKG + "hasFinding", finding)
        w.add(finding, HCKG + "outcome", ADVERSE_EVENTS)
        w.add(finding, HCKG + "direction", _str(s.adverse_events))
        for cell in s.cell_sources:
            w.add(finding, HCKG + "cellSource", cell)


def _claim(w: _Writer, doc: str, doc_id: str, c: Claim, study_iris: list[str], text: str) -> None:
    node = item_iri(doc_id, "claim", c.evidence.span.start, c.evidence.span.end)
    w.add(node, RDF + "type", HCKG + "Claim")
    w.add(node, RDF + "type", SCHEMA + "Claim")
    w.provenance(node, doc, c.evidence, c.evidence.sentence.text)
    w.add(node, HCKG + "claimType", _str(c.claim_type))
    w.add(node, HCKG + "typeRule", _str(c.type_rule))
    w.add(node, HCKG + "hedged", _bool(c.hedged))
    for cue in c.hedge_cues:
        w.add(node, HCKG + "hedgeCue", _str(cue))
    for cue in c.strong_cues:
        w.add(node, HCKG + "strongCue", _str(cue))
    w.add(node, HCKG + "polarity", _str(c.polarity))
    for prop, values in (
        ("cellSource", c.cell_sources),
        ("route", c.routes),
        ("outcome", c.outcomes),
        ("condition", c.conditions),
    ):
        for v in values:
            w.add(node, HCKG + prop, v)
            w.add(node, HCKG + "about", v)
    for i in c.cites:
        w.add(node, HCKG + "cites", study_iris[i])
    w.add(node, HCKG + "vagueCitation", _bool(c.vague_citation))
    w.add(node, HCKG + "anecdotal", _bool(c.anecdotal))
