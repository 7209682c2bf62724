"""The SPARQL query layer: named queries on the bundled corpus, parameters, read-only checks,
timeouts, result formats and the `kg query` command."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import main
from kg.errors import QueryError, StoreError
from kg.namespaces import HCKG, ID, VOC, XSD
from kg.query import (
    QueryForbidden,
    QueryResult,
    QueryService,
    QuerySyntaxError,
    QueryTimeout,
    bind_parameters,
    check_query,
    compact,
    load_named_queries,
    parse_assignments,
    parse_named_query,
    parse_term,
    resolve_query,
    run_query,
)

DOC_BEIKE = f"{ID}doc/015eb35539656c03"  # clinic-marketing page (Beike)
DOC_UCMSC = f"{ID}doc/971c46ae0af5ff87"  # clinic-marketing page (UC-MSC)
DOC_PLA = f"{ID}doc/57ef8105cf8627b2"  # abstract: "only two studies, and performed only in China"
DOC_BLOG = f"{ID}doc/a54e9e4fa394647a"
DOC_CASES = f"{ID}doc/dbdb9eb3b9476fe1"  # abstract: case series of 4 children
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def service(built_out):
    with QueryService(built_out, timeout=60) as svc:
        yield svc


def named(service, name, **params):
    return service.run_named(name, params).records()


def by(records, key, value):
    return [r for r in records if r.get(key) == value]


# ----------------------------------------------------------------------------------------------
# The named-query library
# ----------------------------------------------------------------------------------------------
def test_library_has_documented_queries_whose_parameters_are_returned_variables():
    queries = load_named_queries()
    assert len(queries) >= 10
    for q in queries.values():
        assert q.title and q.description, q.name
        select = q.text.split("WHERE", 1)[0]
        for p in q.parameters:
            # Oxigraph substitutes only variables the query returns; a parameter must be one.
            assert re.search(rf"[?$]{p.name}\b", select) or "CONSTRUCT" in select, (q.name, p.name)


def test_every_plan_returns_the_rows_of_its_query(service):
    """A plan (NAME.PARAM.rq) is the same question planned for a bound parameter: for values that
    occur on the bundled corpus, it gives exactly the rows its named query gives."""
    planned = [q for q in service.named_queries.values() if q.plans]
    assert {q.name for q in planned} >= {"indirect-evidence-claims", "unsupported-claims"}
    for q in planned:
        for plan in q.plans:
            (param,) = plan.bound  # the shipped plans bind one parameter each
            values = sorted({str(r[param]) for r in service.run_named(q.name).records() if param in r})
            assert values, (q.name, param)
            for value in values[:4]:
                term = f"<{value}>" if q.parameter(param).kind == "iri" else value
                general = service.run(q.text, {param: term}, named=q)
                own = service.run(plan.text, {param: term}, named=q)
                assert _rows_as_sets(own) == _rows_as_sets(general), (plan.path.name, value)
                assert len(own) > 0


def _rows_as_sets(result) -> list[tuple]:
    """Rows with GROUP_CONCAT lists as sets: SPARQL leaves the order inside a group undefined."""
    names = result.variables
    return sorted(
        tuple(tuple(sorted(str(r.get(n, "")).split(", "))) for n in names) for r in result.records()
    )


def test_a_bound_parameter_picks_its_plan(service):
    q = service.named_queries["unsupported-claims"]
    assert q.text_for([]) == q.text and q.text_for(["status"]) == q.text
    assert q.text_for(["reason"]) == q.text_for(["?reason", "status"]) == q.plans[0].text != q.text
    anecdotes = service.run_named("unsupported-claims", {"reason": "anecdote"}).records()
    assert anecdotes and {r["reason"] for r in anecdotes} == {"anecdote"}


def test_plan_files_must_belong_to_a_query_and_its_parameters(tmp_path):
    (tmp_path / "mine.rq").write_text("# Mine\n# @param x iri an IRI\nSELECT ?x WHERE { ?x ?p ?o }")
    (tmp_path / "mine.x.rq").write_text("# Mine for one x\nSELECT ?x WHERE { ?x a ?o }")
    mine = load_named_queries([tmp_path])["mine"]
    assert [sorted(p.bound) for p in mine.plans] == [["x"]] and "mine.x" not in load_named_queries([tmp_path])
    (tmp_path / "mine.y.rq").write_text("# Mine for one y\nSELECT ?y WHERE { ?y a ?o }")
    with pytest.raises(QueryError, match="has no parameter y"):
        load_named_queries([tmp_path])
    (tmp_path / "mine.y.rq").unlink()
    (tmp_path / "other.x.rq").write_text("# Other for one x\nSELECT ?x WHERE { ?x a ?o }")
    with pytest.raises(QueryError, match="a plan of 'other', which is not a named query"):
        load_named_queries([tmp_path])


def test_every_named_query_returns_rows_on_the_bundled_corpus(service):
    for name in service.named_queries:
        assert len(service.run_named(name)) > 0, name


def test_claims_sit_in_the_graph_of_the_document_they_come_from(service):
    # the aggregate queries count a claim's document by its named graph (cheaper than joining
    # prov:wasDerivedFrom at scale); this is the assumption they rest on
    mismatched = service.run(
        """SELECT ?claim WHERE {
             GRAPH ?g { ?claim a hckg:Claim . ?doc a hckg:Document }
             FILTER NOT EXISTS { ?claim prov:wasDerivedFrom ?doc }
           }"""
    )
    placed = service.run(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?c a hckg:Claim . ?d a hckg:Document } }"
    )
    claims = service.run("SELECT (COUNT(*) AS ?n) WHERE { ?c a hckg:Claim }")
    assert len(mismatched) == 0
    assert placed.records() == claims.records()


def test_unsupported_claims_lists_reasons_rules_and_paths(service):
    rows = named(service, "unsupported-claims")
    testimonial = by(rows, "claim", f"{DOC_BEIKE}/claim/1933-2067")
    assert {r["reason"] for r in testimonial} >= {"anecdote"}
    anecdote = by(testimonial, "reason", "anecdote")[0]
    assert anecdote["status"] == "unsupported"
    assert anecdote["rule"] == "claim.anecdote"
    assert anecdote["text"].startswith("There is an abundance of testimonials online")
    assert "testimonial" in anecdote["evidencePath"]
    assert [r["reason"] for r in rows] == sorted(r["reason"] for r in rows)


def test_unsupported_claims_parameter_restricts_rows(service):
    rows = named(service, "unsupported-claims", reason="contradicted")
    assert {r["claim"] for r in rows} == {f"{DOC_UCMSC}/claim/2121-2260", f"{DOC_UCMSC}/claim/5228-5395"}
    assert {r["reason"] for r in rows} == {"contradicted"}


def test_claims_by_cell_source_and_outcome_gives_best_level(service):
    rows = named(service, "claims-by-cell-source-and-outcome")
    pairs = {(r["cellSource"], r["outcome"]): r for r in rows}
    duke_trial = pairs[(f"{VOC}cord-blood", f"{VOC}gross-motor-function")]
    assert duke_trial["bestEvidenceLevel"] == 2
    assert duke_trial["claims"] == 1 and duke_trial["unsupported"] == 0
    neuro = pairs[(f"{VOC}stem-cell", f"{VOC}neurogenesis")]
    assert "bestEvidenceLevel" not in neuro  # no study bears on it
    assert neuro["unsupported"] == neuro["claims"] >= 1
    levels = [r.get("bestEvidenceLevel", 7) for r in rows]
    assert levels == sorted(levels)


def test_claims_by_cell_source_binds_an_iri(service):
    rows = named(service, "claims-by-cell-source-and-outcome", cellSource="voc:uc-msc")
    assert rows and {r["cellSource"] for r in rows} == {f"{VOC}uc-msc"}
    assert (f"{VOC}uc-msc", f"{VOC}gross-motor-function") in {(r["cellSource"], r["outcome"]) for r in rows}


def test_studies_by_design_and_sample_size(service):
    rows = named(service, "studies-by-design")
    rct = by(rows, "study", f"{DOC_BEIKE}/study/502-733")[0]
    assert (rct["design"], rct["level"], rct["year"]) == ("rct", 2, 2020)
    assert rct["venue"] == "Stem Cells Translational Medicine"
    cases = by(rows, "study", f"{DOC_CASES}/study/789-951")[0]
    assert (cases["design"], cases["sampleSize"], cases["level"]) == ("case-series", 4, 4)
    assert rows[0]["level"] == 2
    series = named(service, "studies-by-design", design="case-series")
    assert [r["sampleSize"] for r in series] == [51, 4]  # largest first within a level


def test_clinics_and_countries(service):
    rows = named(service, "clinics-and-countries")
    vinmec = by(rows, "organization", f"{ID}org/vinmec-international-hospital")
    assert len(vinmec) == 1  # described in several graphs, listed once
    assert vinmec[0]["type"] == "https://schema.org/Hospital"
    assert (vinmec[0]["country"], vinmec[0]["countryName"]) == (f"{ID}country/VN", "Vietnam")
    assert vinmec[0]["clinicPages"] == 1
    pla = by(rows, "organization", f"{ID}org/hospital-463-of-pla")[0]
    assert "country" not in pla and pla["clinicPages"] == 0
    assert rows[0].get("country")  # organisations with a country first


def test_claims_citing_unidentifiable_studies(service):
    rows = named(service, "claims-citing-unidentifiable-studies")
    duke = by(rows, "claim", f"{DOC_BEIKE}/claim/3271-3463")[0]
    assert duke["study"] == f"{DOC_BEIKE}/study/3271-3463"
    assert (duke["design"], duke["level"]) == ("unspecified", 6)
    cited = {r["study"] for r in rows}
    identifiable = service.run(
        "SELECT ?s WHERE { ?s hckg:identifiable true }",
    ).records()
    assert not cited & {r["s"] for r in identifiable}
    assert f"{DOC_BEIKE}/study/502-733" not in cited  # the 2020 RCT names journal and year


def test_documents_ranked_by_unsupported_share(service):
    rows = named(service, "documents-by-unsupported-share")
    assert len(rows) == 5
    shares = [r["unsupportedShare"] for r in rows]
    assert shares == sorted(shares, reverse=True)
    assert rows[0]["kind"] == "clinic-marketing"
    for r in rows:
        assert r["unsupported"] <= r["assessed"] <= r["claims"]
        assert r["unsupportedShare"] == pytest.approx(r["unsupported"] / r["assessed"], abs=0.001)
    claims = service.run("SELECT (COUNT(*) AS ?n) WHERE { ?c a hckg:Claim }").records()[0]["n"]
    assert sum(r["claims"] for r in rows) == claims
    abstracts = named(service, "documents-by-unsupported-share", kind="abstract")
    assert {r["doc"] for r in abstracts} == {DOC_PLA, DOC_CASES}


def test_testimonials_and_what_they_support(service):
    rows = named(service, "testimonials")
    parents = by(rows, "testimonial", f"{DOC_BEIKE}/study/2509-2604")
    assert [r["claim"] for r in parents] == [f"{DOC_BEIKE}/claim/2679-2873"]
    assert "spasticity" in parents[0]["outcomes"].split(", ")
    assert parents[0]["claimType"] == "efficacy" and parents[0]["status"] == "unsupported"
    assert all(r["doc"] in (DOC_BEIKE, DOC_UCMSC) for r in rows)  # only clinic pages use them


def test_cell_sources_without_outcome_study(service):
    rows = named(service, "cell-sources-without-outcome-study")
    pairs = {(r["cellSource"], r["outcome"]) for r in rows}
    assert (f"{VOC}uc-msc", f"{VOC}inflammation") in pairs
    # the case series of 4 reports spasticity for MSCs, so that pair is not listed
    assert (f"{VOC}msc", f"{VOC}spasticity") not in pairs
    claimed = {(r["cellSource"], r["outcome"]) for r in named(service, "claims-by-cell-source-and-outcome")}
    assert pairs < claimed
    only = named(service, "cell-sources-without-outcome-study", outcome="voc:inflammation")
    assert only and {r["outcome"] for r in only} == {f"{VOC}inflammation"}


def test_indirect_evidence_claims(service):
    rows = named(service, "indirect-evidence-claims")
    assert {r["match"] for r in rows} <= {"broader", "narrower", "sibling"}
    mri = by(rows, "claim", f"{DOC_BLOG}/claim/2506-2590")[0]
    assert mri["match"] == "narrower"
    assert mri["claimCellSources"] == "stem-cell" and mri["evidenceCellSources"] == "bm-msc"
    direct = service.run('SELECT ?c WHERE { ?c hckg:evidenceMatch "direct" }').records()
    assert not {r["claim"] for r in rows} & {r["c"] for r in direct}


def test_contradictions(service):
    rows = named(service, "contradictions")
    claims = {r["claim"] for r in rows}
    assert claims == {f"{DOC_UCMSC}/claim/2121-2260", f"{DOC_UCMSC}/claim/5228-5395"}
    row = by(rows, "claim", f"{DOC_UCMSC}/claim/5228-5395")[0]
    assert row["contradictedBy"] == DOC_PLA
    assert row["rule"] == "claim.contradicted.evidence-scarcity"
    assert row["contradictingText"].startswith("Cerebral palsy refers to")  # the abstract's title


def test_vague_citations(service):
    rows = named(service, "vague-citations")
    studies_show = by(rows, "claim", f"{DOC_BEIKE}/claim/1675-1819")[0]
    assert studies_show["text"].startswith("Encouragingly, many studies show")
    assert studies_show["kind"] == "clinic-marketing"
    safety = named(service, "vague-citations", claimType="safety")
    assert safety and {r["claimType"] for r in safety} == {"safety"}


def test_study_grading_steps_in_order(service):
    rows = named(service, "study-grading")
    levels = [r["level"] for r in rows]
    assert levels == sorted(levels)
    rct = by(rows, "study", f"{DOC_BEIKE}/study/502-733")[0]
    assert (rct["level"], rct["certainty"]) == (2, "moderate")
    steps = rct["steps"].split(" | ")
    assert steps[0].startswith("1. level.design.rct (0): Level 2")
    assert [int(step.split(".", 1)[0]) for step in steps] == list(range(1, len(steps) + 1))
    assert any("(-1)" in step for step in steps[1:])  # rated down at least once
    one = named(service, "study-grading", study=f"<{DOC_CASES}/study/789-951>")
    assert len(one) == 1 and one[0]["level"] == 4 and "grade.imprecision.small-sample (-1)" in one[0]["steps"]


def test_grade_summary_is_the_grade_steps_in_order(service):
    """The one-line summary the listing shows says what the hckg:gradeStep nodes say."""
    steps = service.run(
        """SELECT ?study (GROUP_CONCAT(?step; separator=" | ") AS ?steps) WHERE {
             SELECT ?study ?step WHERE {
               ?study hckg:gradeStep ?s .
               ?s hckg:order ?o ; hckg:ruleId ?r ; hckg:effect ?e ; hckg:explanation ?x .
               BIND(CONCAT(STR(?o), ". ", ?r, " (", STR(?e), "): ", ?x) AS ?step)
             } ORDER BY ?o
           } GROUP BY ?study"""
    ).records()
    summaries = {r["study"]: r["steps"] for r in named(service, "study-grading")}
    assert len(steps) == len(summaries) > 10
    assert {r["study"]: r["steps"] for r in steps} == summaries


def test_claim_evidence_is_a_graph(service):
    claim = f"{DOC_BEIKE}/claim/502-733"
    result = service.run_named("claim-evidence", {"claim": f"<{claim}>"})
    assert result.form == "graph"
    triples = {(t.subject.value, t.predicate.value, str(t.object)) for t in result.triples}
    assert (claim, f"{HCKG}cites", f"<{DOC_BEIKE}/study/502-733>") in triples
    level = f'"2"^^<{XSD}integer>'
    assert (f"{DOC_BEIKE}/study/502-733", f"{HCKG}evidenceLevel", level) in triples
    assert {s for s, _, _ in triples if "/claim/" in s and "#" not in s} == {claim}
    turtle = rdflib.Graph().parse(data=result.serialize("ttl"), format="turtle")
    ntriples = rdflib.Graph().parse(data=result.serialize("nt"), format="nt")
    assert len(turtle) == len(ntriples) == len(result.triples)


# ----------------------------------------------------------------------------------------------
# Parameters
# ----------------------------------------------------------------------------------------------
def test_parse_term():
    assert parse_term("<https://example.org/x>") == ox.NamedNode("https://example.org/x")
    assert parse_term("voc:uc-msc") == ox.NamedNode(f"{VOC}uc-msc")
    assert parse_term("id:doc/015eb35539656c03/claim/1-2") == ox.NamedNode(f"{DOC_BEIKE}/claim/1-2")
    assert parse_term("5") == ox.Literal("5", datatype=ox.NamedNode(f"{XSD}integer"))
    assert parse_term("-1.5") == ox.Literal("-1.5", datatype=ox.NamedNode(f"{XSD}decimal"))
    assert parse_term("true") == ox.Literal("true", datatype=ox.NamedNode(f"{XSD}boolean"))
    assert parse_term("anecdote") == ox.Literal("anecdote")
    assert parse_term('"voc:uc-msc"') == ox.Literal("voc:uc-msc")
    assert parse_term('"chat"@fr') == ox.Literal("chat", language="fr")
    assert parse_term('"7"^^xsd:int') == ox.Literal("7", datatype=ox.NamedNode(f"{XSD}int"))
    assert parse_term("5", kind="string") == ox.Literal("5")


def test_parse_term_errors():
    with pytest.raises(QueryError, match="unknown prefix 'https'"):
        parse_term("https://example.org/x")
    with pytest.raises(QueryError, match="expected an IRI"):
        parse_term("uc-msc", kind="iri")
    with pytest.raises(QueryError, match="expected an integer"):
        parse_term("five", kind="integer")
    with pytest.raises(QueryError, match="not a valid RDF term"):
        parse_term("<not an iri>")


def test_bind_parameters_uses_the_query_prefixes_and_declarations():
    text = "PREFIX ex: <http://example.org/> SELECT ?x WHERE { ?x ?p ?o }"
    assert bind_parameters({"?x": "ex:a"}, text) == {"x": ox.NamedNode("http://example.org/a")}
    q = load_named_queries()["unsupported-claims"]
    with pytest.raises(QueryError, match=r"no parameter 'reasons' \(parameters: reason, status, doc\)"):
        bind_parameters({"reasons": "x"}, q.text, q)
    with pytest.raises(QueryError, match="parameter name"):
        bind_parameters({"1x": "x"}, text)


def test_parse_assignments():
    assert parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(QueryError, match="NAME=VALUE"):
        parse_assignments(["novalue"])


def test_parameter_values_cannot_inject_sparql(service):
    evil = 'anecdote" } ?s ?p ?o . FILTER("1" = "1'
    assert named(service, "unsupported-claims", reason=evil) == []


def test_parameter_must_be_a_returned_variable(service):
    with pytest.raises(QueryError, match="parameter 'k' must be a variable the query returns"):
        service.run("SELECT ?d WHERE { ?d hckg:kind ?k }", {"k": "blog"})


# ----------------------------------------------------------------------------------------------
# Read-only checks and errors
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX ex: <http://example.org/> DELETE WHERE { ?s ex:p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "DROP ALL",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(text):
    with pytest.raises(QueryForbidden, match="read-only"):
        check_query(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { service silent <http://e.org/q> { ?s ?p ?o } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE ?endpoint { ?s ?p ?o } } } }",
        "ASK { FILTER NOT EXISTS { SERVICE <http://e.org/q> { ?s ?p ?o } } }",
        "SELECT * WHERE { \\u0053ERVICE <http://e.org/q> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o . SERVICE<http://e.org/q>{?s ?p ?o} ",  # not even valid
    ],
)
def test_service_is_refused_unless_allowed(text):
    with pytest.raises(QueryForbidden, match="SERVICE is disabled"):
        check_query(text)
    assert check_query(text, allow_service=True).uses_service


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://e.org/q> { }",
        "SELECT * WHERE { ?s ?p 'SERVICE <http://e.org/q> { ?s ?p ?o }' }",
        'SELECT * WHERE { ?s ?p """\nSERVICE <http://e.org/q> { }\n""" }',
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "PREFIX service: <http://example.org/> SELECT ?service WHERE { ?service service:SERVICE ?o }",
    ],
)
def test_service_in_comments_strings_and_names_is_fine(text):
    assert not check_query(text).uses_service


def test_check_query_reports_form_and_dataset():
    check = check_query("CONSTRUCT { ?s ?p ?o } FROM <urn:g> WHERE { ?s ?p ?o }")
    assert (check.form, check.has_dataset) == ("construct", True)
    assert check_query("ASK {}").form == "ask"
    with pytest.raises(QueryError, match="empty query"):
        check_query("  \n")


def test_syntax_error_gives_line_and_column(service):
    with pytest.raises(QuerySyntaxError, match=r"line 3, column 14 \(near 'FILTER\(\?x = \}'\)"):
        service.run("SELECT ?x\nWHERE { ?x ?p ?o\nFILTER(?x = }")


def test_update_through_the_service_is_refused(service):
    with pytest.raises(QueryForbidden):
        service.run("CLEAR DEFAULT")


def test_missing_store_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="no graph built here"):
        QueryService(tmp_path)


def test_resolve_query(tmp_path):
    queries = load_named_queries()
    text, named_query = resolve_query("testimonials", queries)
    assert named_query is queries["testimonials"] and "testimonial" in text
    path = tmp_path / "mine.rq"
    path.write_text("ASK {}", encoding="utf-8")
    assert resolve_query(str(path), queries) == ("ASK {}", None)
    assert resolve_query("ASK { ?s ?p ?o }", queries) == ("ASK { ?s ?p ?o }", None)
    with pytest.raises(QueryError, match="unknown named query 'testimonial'"):
        resolve_query("testimonial", queries)
    with pytest.raises(QueryError, match="no such query file"):
        resolve_query(str(tmp_path / "absent.rq"), queries)


def test_named_query_header(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text(
        "# Title line\n#\n# What it answers,\n# on two lines.\n# @param ?x iri  an IRI\n"
        "PREFIX ex: <http://example.org/>\nSELECT ?x WHERE { ?x ?p ?o }\n",
        encoding="utf-8",
    )
    q = parse_named_query(path)
    assert (q.name, q.title, q.description) == ("q", "Title line", "What it answers, on two lines.")
    assert [(p.name, p.kind, p.description) for p in q.parameters] == [("x", "iri", "an IRI")]
    path.write_text("# Title\n# @param x colour bad kind\nASK {}", encoding="utf-8")
    with pytest.raises(QueryError, match="bad parameter line"):
        parse_named_query(path)
    path.write_text("ASK {}", encoding="utf-8")
    with pytest.raises(QueryError, match="no header comment"):
        parse_named_query(path)


# ----------------------------------------------------------------------------------------------
# Timeouts, limits, datasets
# ----------------------------------------------------------------------------------------------
def test_timeout_stops_a_cross_product_and_the_service_recovers(built_out):
    with QueryService(built_out, timeout=1.5) as svc:
        assert svc.run("ASK { ?s ?p ?o }").boolean is True  # worker started before timing
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match=r"stopped after 1.5 s"):
            svc.run(CROSS_PRODUCT)  # ~10^12 rows: would run for hours
        assert time.monotonic() - started < 30
        assert svc.run("ASK { ?s a hckg:Claim }").boolean is True


def test_a_running_service_sees_a_rebuild(tmp_path):
    from kg.build import build
    from kg.paths import BUNDLED_CORPUS

    out = tmp_path / "out"
    corpus = sorted(BUNDLED_CORPUS.iterdir())
    build(corpus, out, exports=())
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?d a hckg:Document }"
    with QueryService(out) as svc:
        assert svc.run(count).records() == [{"n": 5}]
        build(corpus[:2], out, exports=())  # three documents gone
        assert svc.run(count).records() == [{"n": 2}]


def test_results_over_the_size_limit_are_refused(built_out):
    with (
        QueryService(built_out, max_result_bytes=10_000) as svc,
        pytest.raises(QueryError, match="larger than"),
    ):
        svc.run("SELECT * WHERE { ?s ?p ?o }")


def test_from_clause_limits_the_default_graph(service):
    everything = service.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").records()[0]["n"]
    vocab = service.run(
        "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/hckg/id/graph/vocabulary> WHERE { ?s ?p ?o }"
    ).records()[0]["n"]
    assert 0 < vocab < everything
    assert (
        service.run("ASK FROM <https://w3id.org/hckg/id/graph/vocabulary> { ?c a hckg:Claim }").boolean
        is False
    )


# ----------------------------------------------------------------------------------------------
# Result formats
# ----------------------------------------------------------------------------------------------
DOC_KINDS = "SELECT ?doc ?kind WHERE { ?doc hckg:kind ?kind } ORDER BY ?doc"


def test_select_formats(service):
    result = service.run(DOC_KINDS)
    assert result.variables == ["doc", "kind"] and len(result) == 5
    data = json.loads(result.serialize("json"))
    assert data["head"]["vars"] == ["doc", "kind"]
    assert data["results"]["bindings"][0]["doc"] == {"type": "uri", "value": DOC_BEIKE}
    rows = list(csv.reader(io.StringIO(result.serialize("csv").decode())))
    assert rows[0] == ["doc", "kind"] and rows[1] == [DOC_BEIKE, "clinic-marketing"]
    tsv = result.serialize("tsv").decode().splitlines()
    assert tsv[0] == "?doc\t?kind" and tsv[1] == f'<{DOC_BEIKE}>\t"clinic-marketing"'
    assert b"<sparql" in result.serialize("xml")
    with pytest.raises(QueryError, match="SELECT/ASK results"):
        result.serialize("ttl")


def test_ask_and_records(service):
    assert service.run('ASK { ?d hckg:kind "blog" }').boolean is True
    assert json.loads(service.run('ASK { ?d hckg:kind "news" }').serialize("json"))["boolean"] is False
    record = service.run(
        f"SELECT ?n ?ok WHERE {{ <{DOC_CASES}/study/789-951> hckg:sampleSize ?n BIND(true AS ?ok) }}"
    )
    assert record.records() == [{"n": 4, "ok": True}]


def test_graph_results_refuse_table_formats():
    result = QueryResult("graph", b"<urn:a> <urn:b> <urn:c> .\n")
    assert result.serialize("nt") == b"<urn:a> <urn:b> <urn:c> .\n"
    assert json.loads(result.serialize("json"))  # JSON-LD
    with pytest.raises(QueryError, match="CONSTRUCT/DESCRIBE results are RDF"):
        result.serialize("csv")


def test_markdown_table(service):
    from kg.query import render

    text = render(service.run(DOC_KINDS), "md")
    lines = text.splitlines()
    assert lines[:3] == ["| doc | kind |", "|---|---|", "| id:doc/015eb35539656c03 | clinic-marketing |"]
    assert len(lines) == 7


def test_compact():
    assert compact(ox.NamedNode(f"{VOC}uc-msc")) == "voc:uc-msc"
    assert compact(ox.NamedNode(f"{DOC_BEIKE}/claim/1-2")) == "id:doc/015eb35539656c03/claim/1-2"
    assert compact(ox.NamedNode("http://example.org/x")) == "http://example.org/x"
    assert compact(ox.Literal("5", datatype=ox.NamedNode(f"{XSD}integer"))) == "5"
    assert compact(None) == ""


# ----------------------------------------------------------------------------------------------
# kg query
# ----------------------------------------------------------------------------------------------
def invoke(*args, stdin=None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_cli_list():
    result = invoke("query", "--list")
    assert result.exit_code == 0
    for name in load_named_queries():
        assert name in result.output
    listed = json.loads(invoke("query", "--list", "--format", "json").output)
    unsupported = next(q for q in listed if q["name"] == "unsupported-claims")
    assert unsupported["parameters"][0] == {
        "name": "reason",
        "kind": "string",
        "description": unsupported["parameters"][0]["description"],
    }


def test_cli_named_query_with_parameter_as_csv(built_out):
    result = invoke(
        "query",
        "unsupported-claims",
        "--out",
        str(built_out),
        "--param",
        "reason=anecdote",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {r["reason"] for r in rows} == {"anecdote"}
    assert f"{DOC_BEIKE}/claim/1933-2067" in {r["claim"] for r in rows}


def test_cli_table_file_and_stdin(built_out, tmp_path):
    table = invoke("query", DOC_KINDS, "--out", str(built_out))
    assert table.exit_code == 0
    assert "id:doc/015eb35539656c03" in table.stdout and "clinic-marketing" in table.stdout
    assert re.search(r"5 rows in \d+ ms", table.stderr)
    path = tmp_path / "kinds.rq"
    path.write_text(DOC_KINDS, encoding="utf-8")
    from_file = invoke("query", str(path), "--out", str(built_out), "--format", "tsv")
    from_stdin = invoke("query", "-", "--out", str(built_out), "--format", "tsv", stdin=DOC_KINDS)
    assert from_file.stdout == from_stdin.stdout and from_file.stdout.count("\n") == 6
    ask = invoke("query", "ASK { ?c a hckg:Claim }", "--out", str(built_out))
    assert ask.stdout == "true\n"


def test_cli_construct_prints_turtle(built_out):
    result = invoke(
        "query",
        "claim-evidence",
        "--out",
        str(built_out),
        "-p",
        "claim=id:doc/015eb35539656c03/claim/502-733",
    )
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert (rdflib.URIRef(f"{DOC_BEIKE}/claim/502-733"), rdflib.URIRef(f"{HCKG}supportStatus"), None) in graph


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["DELETE WHERE { ?s ?p ?o }"], "SPARQL Update is not allowed"),
        (["SELECT * WHERE { SERVICE <http://example.org/q> { ?s ?p ?o } }"], "--allow-service"),
        (["SELECT ?x WHERE {\n  ?x ?p\n}"], "line 3, column 2 (near '}')"),
        (["no-such-query"], "unknown named query 'no-such-query'"),
        (["testimonials", "-p", "doc=015eb35539656c03"], "parameter doc: expected an IRI"),
        (["testimonials", "-p", "doc"], "expected NAME=VALUE"),
        (["ASK {}", "--format", "ttl"], "SELECT/ASK results"),
    ],
)
def test_cli_errors_are_one_line(built_out, args, message):
    result = invoke("query", *args, "--out", str(built_out))
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_timeout(built_out):
    result = invoke("query", CROSS_PRODUCT, "--out", str(built_out), "--timeout", "1")
    assert result.exit_code == 1
    assert "query stopped after 1 s (timeout)" in result.output


def test_cli_missing_store(tmp_path):
    result = invoke("query", "testimonials", "--out", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and "no graph built here" in result.output


def test_cli_extra_query_folder_overrides(built_out, tmp_path):
    (tmp_path / "testimonials.rq").write_text("# Mine\nASK { ?s a hckg:StudyMention }\n", encoding="utf-8")
    listed = invoke("query", "--list", "--queries", str(tmp_path))
    assert re.search(r"testimonials\s+│\s+Mine", listed.output)
    result = invoke("query", "testimonials", "--queries", str(tmp_path), "--out", str(built_out))
    assert result.stdout == "true\n"


def test_run_query_library_entry_point(built_out):
    result = run_query(Path(built_out), "documents-by-unsupported-share", {"kind": "blog"})
    assert [r["doc"] for r in result.records()] == [DOC_BLOG]
