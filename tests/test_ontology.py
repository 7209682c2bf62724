"""The OWL ontology (ontology/kg.ttl), the SHACL shapes (ontology/shapes.ttl) and `kg validate`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import owlrl
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS

from kg.build import build
from kg.cli import main
from kg.namespaces import ID, ONTOLOGY_GRAPH
from kg.paths import ontology_dir
from kg.store import GraphStore
from kg.validate import (
    ValidationResult,
    compact,
    core_violations,
    load_shapes,
    read_store,
    sparql_violations,
    undeclared_terms,
    validate_graph,
    validate_store,
    validate_vocabulary,
)

HCKG = Namespace("https://w3id.org/hckg/ontology#")
VOC = Namespace("https://w3id.org/hckg/vocab/")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
OWLRL_ERROR_TEXT = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")

# One small page: a date, a provider, hedged and anecdotal claims, a randomised trial at a named
# university, a testimonial.
SMALL_DOC = """Stem Cell Therapy for Cerebral Palsy

Published on 2021-03-04

At Cellara, umbilical cord stem cells may improve motor function in children with cerebral palsy.

A 2019 randomised controlled trial of 40 children at Duke University in the United States found that \
cord blood infusions improved gross motor function.

Many parents say their child walked better after Cellara treatment.
"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_dir() / "kg.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def small_out(tmp_path_factory) -> Path:
    """A built graph of SMALL_DOC (read-only use)."""
    folder = tmp_path_factory.mktemp("small-docs")
    (folder / "clinic.txt").write_text(SMALL_DOC, encoding="utf-8")
    out = tmp_path_factory.mktemp("small-out")
    report = build([folder], out, exports=())
    assert report.built == ["clinic.txt"]
    return out


@pytest.fixture(scope="module")
def small_graph(small_out) -> Graph:
    data, _, _ = read_store(GraphStore(small_out, read_only=True))
    return data


@pytest.fixture
def graph(small_graph) -> Graph:
    """A fresh copy of the small graph to break."""
    copy = Graph()
    copy += small_graph
    return copy


@pytest.fixture(scope="module")
def bundled_result(built_out) -> ValidationResult:
    return validate_store(built_out)


def _first(g: Graph, cls: URIRef, where: Callable[[URIRef], bool] = lambda node: True) -> URIRef:
    return next(node for node in sorted(g.subjects(RDF.type, cls)) if where(node))


def _errors(result: ValidationResult, focus, path: str | None = None, check: str | None = None):
    return [
        v
        for v in result.errors
        if v.focus == compact(focus)
        and (path is None or v.path == path)
        and (check is None or v.check == check)
    ]


# -- the bundled corpus ------------------------------------------------------------------------------
def test_bundled_corpus_conforms(bundled_result):
    assert bundled_result.errors == []
    assert bundled_result.conforms


def test_ontology_declares_every_term_the_build_writes(bundled_result):
    undeclared = [v.focus for v in bundled_result.violations if v.check == "ontology.undeclared-term"]
    assert undeclared == []


def test_small_build_conforms(small_out, small_graph):
    result = validate_store(small_out)
    assert result.errors == []
    assert result.conforms
    assert result.triples > 1000
    assert [v.focus for v in result.violations if v.check == "ontology.undeclared-term"] == []
    # the page's date and provider are among what was checked
    doc = _first(small_graph, HCKG.Document)
    assert small_graph.value(doc, DCTERMS.date) == Literal("2021-03-04", datatype=URIRef(XSD_DATE))
    assert small_graph.value(doc, HCKG.provider) == URIRef(ID + "org/cellara")


def test_ontology_is_loaded_into_the_ontology_graph(built_out):
    store = GraphStore(built_out, read_only=True)
    ask = f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <https://w3id.org/hckg/ontology> a <{OWL.Ontology}> }} }}"
    assert store.store.query(ask)


# -- broken graphs ------------------------------------------------------------------------------------
def test_claim_without_quote(graph):
    claim = _first(graph, HCKG.Claim)
    graph.remove((claim, HCKG.quote, None))
    result = validate_graph(graph)
    assert not result.conforms
    [v] = _errors(result, claim, "hckg:quote")
    assert v.check == "MinCountConstraintComponent"
    assert "exactly one non-empty hckg:quote" in v.message


def test_study_with_unknown_design(graph):
    study = _first(graph, HCKG.StudyMention)
    graph.set((study, HCKG.design, Literal("foo")))
    result = validate_graph(graph)
    [v] = _errors(result, study, "hckg:design")
    assert (v.check, v.value) == ("InConstraintComponent", "foo")


def test_selector_start_after_end(graph):
    claim = _first(graph, HCKG.Claim)
    selector = graph.value(claim, OA.hasSelector)
    start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
    graph.set((selector, OA.start, end))
    graph.set((selector, OA.end, start))
    result = validate_graph(graph)
    checks = {v.check for v in _errors(result, selector)}
    assert "LessThanConstraintComponent" in checks  # sh:lessThan oa:end
    assert "SPARQLConstraintComponent" in checks  # oa:exact no longer spans end - start
    [v] = _errors(result, selector, "oa:start", "LessThanConstraintComponent")
    assert v.value == str(end.toPython())


def test_wrong_datatype_and_missing_type(graph):
    doc = _first(graph, HCKG.Document)
    graph.set((doc, HCKG.charCount, Literal("many")))
    claim = _first(graph, HCKG.Claim)
    graph.remove((claim, RDF.type, SCHEMA.Claim))
    result = validate_graph(graph)
    assert _errors(result, doc, "hckg:charCount", "DatatypeConstraintComponent")
    assert _errors(result, claim, "rdf:type", "HasValueConstraintComponent")


def test_concept_outside_its_scheme(graph):
    claim = _first(graph, HCKG.Claim, lambda c: graph.value(c, HCKG.cellSource) is not None)
    graph.add((claim, HCKG.cellSource, VOC.iv))  # a route, not a cell source
    graph.add((claim, HCKG.about, VOC.iv))
    result = validate_graph(graph)
    [v] = _errors(result, claim, "hckg:cellSource")
    assert (v.check, v.value) == ("NodeConstraintComponent", "voc:iv")


def _sparql_breakages(g: Graph) -> dict[str, tuple[URIRef, str | None]]:
    """Break one SPARQL-checked rule each; returns {rule: (focus node, value)}."""
    claims = sorted(g.subjects(RDF.type, HCKG.Claim))
    doc = _first(g, HCKG.Document)
    out: dict[str, tuple[URIRef, str | None]] = {}

    other_doc = URIRef(ID + "doc/0000000000000000")
    other_study = URIRef(f"{other_doc}/study/0-9")
    g.add((claims[0], HCKG.cites, other_study))
    g.add((other_study, RDF.type, HCKG.StudyMention))
    g.add((other_study, PROV.wasDerivedFrom, other_doc))
    out["cites another document's study"] = (claims[0], compact(other_study))

    about_claim = next(c for c in claims if g.value(c, HCKG.about) is not None)
    concept = sorted(g.objects(about_claim, HCKG.about))[0]
    g.remove((about_claim, HCKG.about, concept))
    out["hckg:about incomplete"] = (about_claim, compact(concept))

    plain = next(c for c in claims if g.value(c, HCKG.hedged).toPython() is False)
    g.set((plain, HCKG.hedged, Literal(True)))
    out["hedged without cues"] = (plain, compact(plain))

    g.set((doc, DCTERMS.identifier, Literal("ffffffffffffffff")))
    out["document IRI"] = (doc, "ffffffffffffffff")

    mention = _first(g, HCKG.ConceptMention)
    selector = g.value(mention, OA.hasSelector)
    exact = str(g.value(selector, OA.exact))
    g.set((selector, OA.exact, Literal("#" * len(exact))))
    out["exact not in quote"] = (mention, "#" * len(exact))

    flagged = next(c for c in claims if g.value(c, HCKG.flagged) == Literal(True))
    g.remove((flagged, HCKG.flagReason, None))
    out["flagged without reason"] = (flagged, compact(flagged))

    testimonial = _first(g, HCKG.StudyMention, lambda s: g.value(s, HCKG.design) == Literal("testimonial"))
    g.set((testimonial, HCKG.evidenceLevel, Literal(2)))
    out["testimonial level"] = (testimonial, "2")

    rct = _first(g, HCKG.StudyMention, lambda s: g.value(s, HCKG.design) == Literal("rct"))
    g.set((rct, HCKG.controlled, Literal(False)))
    out["uncontrolled rct"] = (rct, "false")

    country = _first(g, HCKG.Country)
    g.set((country, HCKG.iso3166, Literal("XX")))
    out["country IRI"] = (country, "XX")
    return out


def test_sparql_constraints_name_node_and_value(graph):
    breakages = _sparql_breakages(graph)
    result = validate_graph(graph)
    sparql = {(v.focus, v.value) for v in result.errors if v.check == "SPARQLConstraintComponent"}
    for rule, (focus, value) in breakages.items():
        assert (compact(focus), value) in sparql, rule


@pytest.mark.slow
def test_sparql_constraints_agree_with_pyshacl(graph, shapes):
    """Oxigraph's whole-graph evaluation finds exactly what pyshacl's per-node evaluation finds."""
    _sparql_breakages(graph)
    reference = core_violations(graph, shapes, include_sparql=True)
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    fast = sparql_violations(store.query, shapes)

    def key(vs):
        return {(v.focus, v.value, v.severity) for v in vs if v.check == "SPARQLConstraintComponent"}

    assert key(fast) == key(reference)
    assert len(key(fast)) >= 9


# -- vocabulary checks ---------------------------------------------------------------------------------
VOCAB_HEAD = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix hckg: <https://w3id.org/hckg/ontology#> .
@prefix voc:  <https://w3id.org/hckg/vocab/> .
voc:s a skos:ConceptScheme ; skos:prefLabel "Cells"@en ; hckg:conceptType "cell_source" .
voc:t a skos:ConceptScheme ; skos:prefLabel "Routes"@en ; hckg:conceptType "route" .
"""
CLEAN_VOCAB = (
    VOCAB_HEAD
    + """
voc:a a skos:Concept ; skos:inScheme voc:s ; skos:notation "a" ; skos:prefLabel "alpha cells"@en .
voc:b a skos:Concept ; skos:inScheme voc:s ; skos:notation "b" ; skos:prefLabel "beta cells"@en ;
    skos:broader voc:a .
voc:c a skos:Concept ; skos:inScheme voc:t ; skos:notation "c" ; skos:prefLabel "intravenous"@en ;
    hckg:caseSensitiveLabel "IV" .
"""
)


def _vocab(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "vocabulary.ttl"
    path.write_text(VOCAB_HEAD + body, encoding="utf-8")
    return path


def test_clean_vocabulary_has_no_results(tmp_path):
    path = tmp_path / "clean.ttl"
    path.write_text(CLEAN_VOCAB, encoding="utf-8")
    result = validate_vocabulary(path)
    assert result.violations == []
    assert result.conforms


def test_project_vocabulary_conforms():
    result = validate_vocabulary(ontology_dir() / "vocabulary.ttl")
    assert result.errors == []


def test_duplicated_notation(tmp_path):
    path = _vocab(
        tmp_path,
        """voc:a a skos:Concept ; skos:inScheme voc:s ; skos:notation "msc" ; skos:prefLabel "alpha"@en .
voc:b a skos:Concept ; skos:inScheme voc:s ; skos:notation "msc" ; skos:prefLabel "beta"@en .""",
    )
    result = validate_vocabulary(path)
    assert not result.conforms
    found = {(v.focus, v.value, v.message) for v in result.errors}
    assert found == {
        ("voc:a", "msc", 'skos:notation "msc" is also the notation of voc:b.'),
        ("voc:b", "msc", 'skos:notation "msc" is also the notation of voc:a.'),
    }


def test_broader_cycle(tmp_path):
    path = _vocab(
        tmp_path,
        """voc:a a skos:Concept ; skos:inScheme voc:s ; skos:notation "a" ; skos:prefLabel "alpha"@en ;
    skos:broader voc:b .
voc:b a skos:Concept ; skos:inScheme voc:s ; skos:notation "b" ; skos:prefLabel "beta"@en ;
    skos:broader voc:c .
voc:c a skos:Concept ; skos:inScheme voc:s ; skos:notation "c" ; skos:prefLabel "gamma"@en ;
    skos:broader voc:a .
voc:d a skos:Concept ; skos:inScheme voc:s ; skos:notation "d" ; skos:prefLabel "delta"@en ;
    skos:narrower voc:e .
voc:e a skos:Concept ; skos:inScheme voc:s ; skos:notation "e" ; skos:prefLabel "epsilon"@en ;
    skos:narrower voc:d .
voc:f a skos:Concept ; skos:inScheme voc:s ; skos:notation "f" ; skos:prefLabel "phi"@en ;
    skos:broader voc:a .""",
    )
    result = validate_vocabulary(path)
    cyclic = {v.focus for v in result.errors if "forms a cycle" in v.message}
    assert cyclic == {"voc:a", "voc:b", "voc:c", "voc:d", "voc:e"}  # voc:f only hangs off the cycle


def test_scheme_membership(tmp_path):
    path = _vocab(
        tmp_path,
        """voc:a a skos:Concept ; skos:inScheme voc:s, voc:t ; skos:notation "a" ; skos:prefLabel "alpha"@en .
voc:b a skos:Concept ; skos:notation "b" ; skos:prefLabel "beta"@en .
voc:c a skos:Concept ; skos:inScheme voc:nowhere ; skos:notation "c" ; skos:prefLabel "gamma"@en .
voc:d a skos:Concept ; skos:inScheme voc:s ; skos:notation "d" .""",
    )
    result = validate_vocabulary(path)
    found = {(v.focus, v.path, v.check) for v in result.errors}
    assert ("voc:a", "skos:inScheme", "MaxCountConstraintComponent") in found
    assert ("voc:b", "skos:inScheme", "MinCountConstraintComponent") in found
    assert ("voc:c", "skos:inScheme", "ClassConstraintComponent") in found
    assert ("voc:d", "skos:prefLabel", "MinCountConstraintComponent") in found


def test_missing_notation_is_a_warning(tmp_path):
    path = _vocab(tmp_path, """voc:a a skos:Concept ; skos:inScheme voc:s ; skos:prefLabel "alpha"@en .""")
    result = validate_vocabulary(path)
    assert result.conforms
    [w] = result.warnings
    assert (w.focus, w.path, w.severity) == ("voc:a", "skos:notation", "Warning")


def test_ambiguous_labels(tmp_path):
    path = _vocab(
        tmp_path,
        """voc:a a skos:Concept ; skos:inScheme voc:s ; skos:notation "a" ; skos:prefLabel "alpha cells"@en .
voc:b a skos:Concept ; skos:inScheme voc:s ; skos:notation "b" ; skos:prefLabel "beta"@en ;
    skos:altLabel "Alpha cell"@en .
voc:c a skos:Concept ; skos:inScheme voc:t ; skos:notation "c" ; skos:prefLabel "cp"@en .
voc:d a skos:Concept ; skos:inScheme voc:s ; skos:notation "d" ; skos:prefLabel "delta"@en ;
    hckg:caseSensitiveLabel "CP" .""",
    )
    result = validate_vocabulary(path)
    ambiguous = {(v.focus, v.value) for v in result.errors if v.check == "vocabulary.ambiguous-label"}
    # "Alpha cell" is the singular of "alpha cells"; "CP" as written also meets the folded label "cp"
    assert ambiguous == {("voc:a", "alpha cells"), ("voc:b", "Alpha cell"), ("voc:c", "cp"), ("voc:d", "CP")}


def test_undeclared_terms_are_warnings(ontology):
    data = Graph()
    node = URIRef(ID + "doc/x")
    data.add((node, RDF.type, HCKG.Document))
    data.add((node, HCKG.madeUpProperty, Literal("x")))
    data.add((node, RDF.type, HCKG.MadeUpClass))
    [cls, prop] = sorted(undeclared_terms(data, ontology), key=lambda v: v.focus)
    assert (cls.focus, cls.severity) == ("hckg:MadeUpClass", "Warning")
    assert prop.focus == "hckg:madeUpProperty"
    assert undeclared_terms(data, Graph()) and not undeclared_terms(Graph(), Graph())


# -- the ontology itself ---------------------------------------------------------------------------------
def test_ontology_header(ontology):
    header = URIRef("https://w3id.org/hckg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, OWL.versionInfo):
        assert ontology.value(header, prop) is not None, prop


def test_every_term_has_label_and_comment(ontology):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype)
    terms = {t for k in kinds for t in ontology.subjects(RDF.type, k) if str(t).startswith(str(HCKG))}
    assert len(terms) > 100
    missing = sorted(
        compact(t) for t in terms if not ontology.value(t, RDFS.label) or not ontology.value(t, RDFS.comment)
    )
    assert missing == []


@pytest.mark.parametrize(
    ("cls", "superclass"),
    [
        (HCKG.Document, SCHEMA.Article),
        (HCKG.Document, PROV.Entity),
        (HCKG.Claim, SCHEMA.Claim),
        (HCKG.Claim, PROV.Entity),
        (HCKG.StudyMention, SCHEMA.MedicalStudy),
        (HCKG.StudyMention, PROV.Entity),
        (HCKG.ConceptMention, OA.ResourceSelection),
        (HCKG.Organization, SCHEMA.Organization),
        (HCKG.Organization, PROV.Organization),
        (HCKG.Country, SCHEMA.Country),
        (HCKG.CellSource, SKOS.Concept),
        (HCKG.Outcome, SKOS.Concept),
    ],
)
def test_alignment(ontology, cls, superclass):
    assert superclass in set(ontology.transitive_objects(cls, RDFS.subClassOf))


def test_every_vocabulary_scheme_has_a_class(ontology):
    vocabulary = Graph().parse(ontology_dir() / "vocabulary.ttl")
    schemes = set(vocabulary.subjects(RDF.type, SKOS.ConceptScheme))
    classes = {}
    for cls, restriction in ontology.subject_objects(OWL.equivalentClass):
        if ontology.value(restriction, OWL.onProperty) == SKOS.inScheme:
            classes[ontology.value(restriction, OWL.hasValue)] = cls
            assert (cls, RDFS.subClassOf, SKOS.Concept) in ontology
    assert schemes == set(classes)
    assert classes[VOC["cell-sources"]] == HCKG.CellSource


def test_value_lists_agree_with_shapes(ontology, shapes):
    """Every sh:in list in shapes.ttl equals the owl:oneOf of the property's range in kg.ttl."""
    checked = set()
    for prop_shape, values in shapes.subject_objects(SH["in"]):
        path = shapes.value(prop_shape, SH.path)
        allowed = {str(v) for v in Collection(shapes, values)}
        datatype = ontology.value(path, RDFS.range)
        enumeration = ontology.value(ontology.value(datatype, OWL.equivalentClass), OWL.oneOf)
        assert enumeration is not None, f"{compact(path)}: range {datatype} has no owl:oneOf"
        assert {str(v) for v in Collection(ontology, enumeration)} == allowed, compact(path)
        checked.add(path)
    enumerated = {
        p
        for p, datatype in ontology.subject_objects(RDFS.range)
        if ontology.value(ontology.value(datatype, OWL.equivalentClass), OWL.oneOf) is not None
    }
    only_in_ontology = {compact(p) for p in enumerated - checked}
    # the configuration properties (grading.ttl) are not in built graphs, so not shaped
    assert only_in_ontology == {"hckg:startCertainty", "hckg:minimumCertainty"}
    assert len(checked) >= 11


# -- OWL RL reasoning ------------------------------------------------------------------------------------
def _closure(g: Graph) -> Graph:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    return g


@pytest.mark.slow
def test_owl_rl_defined_classes_and_disjointness(ontology):
    g = Graph()
    g += ontology
    study, clinic, both = URIRef(ID + "doc/x/study/0-1"), URIRef(ID + "org/x"), URIRef(ID + "doc/x/claim/0-1")
    g.add((study, RDF.type, HCKG.StudyMention))
    g.add((study, HCKG.design, Literal("testimonial")))
    g.add((clinic, RDF.type, HCKG.Organization))
    g.add((clinic, RDF.type, SCHEMA.MedicalClinic))
    g.add((VOC["uc-msc"], SKOS.inScheme, VOC["cell-sources"]))
    _closure(g)
    assert (study, RDF.type, HCKG.Testimonial) in g
    assert (study, RDF.type, PROV.Entity) in g
    assert (clinic, RDF.type, HCKG.Clinic) in g
    assert (VOC["uc-msc"], RDF.type, HCKG.CellSource) in g
    assert not list(g.subjects(RDF.type, OWLRL_ERROR))
    g.add((both, RDF.type, HCKG.Claim))
    g.add((both, RDF.type, HCKG.StudyMention))
    _closure(g)
    assert list(g.subjects(RDF.type, OWLRL_ERROR))  # Claim and StudyMention are disjoint


@pytest.mark.slow
def test_owl_rl_built_graph_is_consistent_with_domains_and_ranges(small_out):
    """Domains and ranges do not make any node two disjoint things (e.g. a claim a study)."""
    data, _, _ = read_store(GraphStore(small_out, read_only=True))
    g = _closure(data)
    assert [str(g.value(m, OWLRL_ERROR_TEXT)) for m in g.subjects(RDF.type, OWLRL_ERROR)] == []
    claim = _first(g, HCKG.Claim)
    assert {(claim, RDF.type, PROV.Entity), (claim, RDF.type, SCHEMA.Claim)} <= set(g)
    cell = g.value(_first(g, HCKG.Claim, lambda c: g.value(c, HCKG.cellSource) is not None), HCKG.cellSource)
    assert (cell, RDF.type, HCKG.CellSource) in g
    assert (claim, RDF.type, HCKG.ExtractedItem) in g


# -- the command -------------------------------------------------------------------------------------------
def test_cli_validate_conforming(small_out):
    result = CliRunner().invoke(main, ["validate", "--out", str(small_out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("conforms: 0 violations, ")


def test_cli_validate_broken_store(tmp_path):
    out = tmp_path / "out"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "clinic.txt").write_text(SMALL_DOC, encoding="utf-8")
    build([docs], out, exports=())
    store = GraphStore(out)
    [quad] = [q for q in store.quads() if q.predicate.value == str(HCKG.quote)][:1]
    store.store.remove(quad)
    store.flush()
    del store
    claim = quad.subject.value

    table = CliRunner().invoke(main, ["validate", "--out", str(out)])
    assert table.exit_code == 1
    assert table.output.splitlines()[-1].startswith("does not conform: 1 violation, ")

    as_json = CliRunner().invoke(main, ["validate", "--out", str(out), "--format", "json"])
    assert as_json.exit_code == 1
    payload = json.loads(as_json.output)
    assert payload["conforms"] is False and payload["violations"] == 1
    [error] = [r for r in payload["results"] if r["severity"] == "Violation"]
    assert (error["focus"], error["path"], error["check"]) == (
        compact(URIRef(claim)),
        "hckg:quote",
        "MinCountConstraintComponent",
    )


def test_cli_validate_vocabulary(tmp_path):
    path = _vocab(
        tmp_path,
        """voc:a a skos:Concept ; skos:inScheme voc:s ; skos:notation "x" ; skos:prefLabel "alpha"@en ;
    skos:broader voc:b .
voc:b a skos:Concept ; skos:inScheme voc:s ; skos:notation "x" ; skos:prefLabel "beta"@en ;
    skos:broader voc:a .""",
    )
    result = CliRunner().invoke(main, ["validate", "--vocabulary", str(path), "--limit", "2"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-2] == "... and 2 more (--limit 0 shows all; --format json lists every result)"
    assert lines[-1].startswith("does not conform: 4 violations, 0 warnings")
    clean = tmp_path / "clean.ttl"
    clean.write_text(CLEAN_VOCAB, encoding="utf-8")
    ok = CliRunner().invoke(main, ["validate", "--vocabulary", str(clean)])
    assert ok.exit_code == 0
    assert ok.output.startswith("conforms: 0 violations, 0 warnings")


def test_cli_errors_are_one_line(tmp_path):
    missing = CliRunner().invoke(main, ["validate", "--out", str(tmp_path / "nothing")])
    assert missing.exit_code == 1
    expected = f"Error: {tmp_path / 'nothing'}: no graph built here (run `kg build` first)"
    assert missing.output.strip() == expected
    bad = tmp_path / "bad.ttl"
    bad.write_text("voc:a this is not turtle", encoding="utf-8")
    broken = CliRunner().invoke(main, ["validate", "--vocabulary", str(bad)])
    assert broken.exit_code == 1
    assert broken.output.startswith(f"Error: {bad}: not valid Turtle (")
    assert len(broken.output.strip().splitlines()) == 1
    assert "Traceback" not in broken.output


def test_cli_help_has_example():
    result = CliRunner().invoke(main, ["validate", "--help"])
    assert result.exit_code == 0
    assert "Example: kg validate --out out/ --format json" in result.output


def test_a_bad_regex_in_the_lexicon_names_the_file_and_the_cue_set(tmp_path):
    from kg.errors import OntologyError
    from kg.lexicon import load_lexicon

    path = tmp_path / "lexicon.ttl"
    path.write_text(
        "@prefix hckg: <https://w3id.org/hckg/ontology#> .\n"
        "@prefix lex: <https://w3id.org/hckg/lexicon/> .\n"
        'lex:broken a hckg:CueSet ; hckg:term "safe" ; hckg:regex "\\\\b(?:unclosed" .\n'
    )
    with pytest.raises(
        OntologyError, match=r"lexicon\.ttl: cue set lex:broken: bad regex '\\\\b\(\?:unclosed'"
    ):
        load_lexicon(path)
