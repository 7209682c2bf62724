"""Grading: study levels and certainty; claim support status and each flag reason."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg.analyse as analyse
from kg.analyse import ClaimRecord, CorpusEvidence, DocRecord, Hierarchy
from kg.build import build
from kg.grading import StudyRecord, grade_study
from kg.report import Filters, claim_rows, document_rows, study_rows, unsupported_rows
from kg.rules import certainty_rank, load_rules, shift_certainty
from kg.store import GraphStore

MINI = Path(__file__).parent / "data" / "mini"


def graded(folder: Path, tmp_path: Path) -> dict[str, dict]:
    out = tmp_path / "out"
    build([folder], out, exports=())
    return {row["quote"]: row for row in claim_rows(GraphStore(out, read_only=True))}


def find(rows: dict[str, dict], start: str) -> dict:
    matches = [r for q, r in rows.items() if q.startswith(start)]
    assert len(matches) == 1, f"{start!r} not found among {list(rows)}"
    return matches[0]


def codes(row: dict) -> list[str]:
    return [r["code"] for r in row["reasons"]]


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return graded(MINI, tmp_path_factory.mktemp("mini"))


def test_claim_backed_by_an_identifiable_rct_is_supported(mini):
    row = find(mini, "Our allogeneic cord blood infusions improve gross motor function")
    assert row["status"] == "supported" and not row["flagged"]
    assert row["certainty"] == "high" and row["best_level"] == 2
    assert row["independent_studies"] == 1  # the clinic page repeats the trial the abstract reports


def test_trial_cited_for_another_cell_source_is_indirect(mini):
    row = find(mini, "This shows that our umbilical cord MSC infusions")
    assert codes(row) == ["indirect"]
    assert "allogeneic umbilical cord blood" in row["reasons"][0]["evidence_path"]


def test_absolute_safety_is_contradicted_by_reported_adverse_events(mini):
    row = find(mini, "Our stem cell treatment is completely safe")
    assert row["status"] == "contradicted"
    reason = row["reasons"][0]
    assert reason["rule"] == "claim.contradicted.adverse-events"
    assert "transient fever" in reason["evidence_path"]


def test_proven_is_contradicted_by_a_statement_of_scarce_evidence(mini):
    row = find(mini, "The treatment is proven to reverse cerebral palsy")
    assert "contradicted" in codes(row)
    assert "remains limited" in row["reasons"][-1]["evidence_path"]


def test_vague_citation_and_anecdote(mini):
    assert codes(find(mini, "Studies show that our Wharton's jelly stem cells")) == ["vague-citation"]
    row = find(mini, "Many parents tell us")
    assert codes(row) == ["anecdote"] and row["status"] == "unsupported"


def test_access_claims_are_not_graded(mini):
    row = find(mini, "Treatment at Renova costs")
    assert row["status"] == "not-assessed" and not row["flagged"]


def test_no_evidence_overstated_and_hedged(write_docs, tmp_path):
    folder = write_docs(
        {
            "clinic.txt": (
                "Our umbilical cord stem cells travel to the brain and release growth factors that rebuild "
                "neurons.\n\nBone marrow stem cells are proven to be effective for cerebral palsy.\n\n"
                "Umbilical cord stem cells may one day repair the brain."
            ),
            "series.txt": (
                "A case series from Example University Hospital in 2020 treated 6 children with "
                "bone marrow MSCs. All children showed improved motor function after treatment."
            ),
        }
    )
    rows = graded(folder, tmp_path)
    mechanism = find(rows, "Our umbilical cord stem cells travel")
    assert codes(mechanism) == ["no-evidence"] and mechanism["reasons"][0]["rule"] == "claim.no-evidence"
    proven = find(rows, "Bone marrow stem cells are proven")
    assert codes(proven) == ["overstated"]
    assert "case series of 6" in proven["reasons"][0]["evidence_path"]
    hedged = find(rows, "Umbilical cord stem cells may one day")
    assert hedged["status"] == "unsupported" and not hedged["flagged"]


def test_a_negative_trial_contradicts_an_efficacy_claim(write_docs, tmp_path):
    folder = write_docs(
        {
            "trial.txt": (
                "A 2022 randomized trial published in Lancet Neurology gave 80 children bone marrow "
                "mononuclear cells. Gross motor function did not improve compared with placebo."
            ),
            "page.txt": "Bone marrow mononuclear cells improve gross motor function in cerebral palsy.",
        }
    )
    row = find(graded(folder, tmp_path), "Bone marrow mononuclear cells improve")
    assert row["status"] == "contradicted"
    assert row["reasons"][0]["rule"] == "claim.contradicted.negative-finding"


def test_every_flag_names_its_rule_and_evidence_path(built_out):
    flagged = [r for r in claim_rows(GraphStore(built_out, read_only=True)) if r["flagged"]]
    assert len(flagged) > 20
    for row in flagged:
        for reason in row["reasons"]:
            assert reason["rule"].startswith("claim.") and reason["evidence_path"]


def test_study_grades_on_the_bundled_corpus(built_out):
    rows = study_rows(GraphStore(built_out, read_only=True))

    def study(start: str) -> dict:
        return next(r for r in rows if r["quote"].startswith(start))

    rct = study("A 2020 randomized clinical trial")
    assert (rct["level"], rct["certainty"]) == (2, "moderate")  # high, rated down: size not reported
    series = study("Methods This multicenter case series")
    assert series["level"] == 4 and series["certainty"] == "very-low"
    assert {s["rule"] for s in series["steps"]} >= {
        "grade.imprecision.small-sample",
        "grade.publication.not-peer-reviewed",
    }
    vague = study("A widely cited study revealed")
    assert vague["level"] == 6 and "level.unidentifiable" in [s["rule"] for s in vague["steps"]]


def test_grade_study_rules_from_data():
    rules = load_rules()
    study = StudyRecord(
        iri="s",
        doc="d",
        doc_kind="blog",
        quote="q",
        design="rct",
        identifiable=True,
        n=300,
        randomised=True,
        blinded=True,
    )
    assert grade_study(study, rules).certainty == "high"
    study.n = 20
    assert grade_study(study, rules).certainty == "moderate"
    study.preprint = True
    assert grade_study(study, rules).certainty == "low"
    testimonial = StudyRecord(
        iri="t", doc="d", doc_kind="clinic-marketing", quote="q", design="testimonial", identifiable=False
    )
    grade = grade_study(testimonial, rules)
    assert grade.level == 6 and "grade.conflict-of-interest" in [s.rule_id for s in grade.steps]


def test_report_filters(built_out):
    store = GraphStore(built_out, read_only=True)
    vague = claim_rows(store, Filters(reason="vague-citation"))
    assert vague and all("vague-citation" in codes(r) for r in vague)
    uc = claim_rows(store, Filters(cell_source="msc"))  # narrower concepts (uc-msc, bm-msc) included
    assert any("uc-msc" in r["cell_sources"] for r in uc)
    one_doc = claim_rows(store, Filters(doc="003_55b354ac8566d9a9.txt"))
    assert {r["document"] for r in one_doc} == {"003_55b354ac8566d9a9.txt"}


def test_a_document_filter_read_in_the_query_gives_the_rows_of_the_whole_graph(built_out):
    """Reports for one document read only its claims and studies (the filter is in the query):
    the same rows, reasons, sources and grading steps as the whole graph's rows for it."""
    store = GraphStore(built_out, read_only=True)
    claims, studies, unsupported = claim_rows(store), study_rows(store), unsupported_rows(store)
    assert unsupported == [r for r in claims if r["flagged"]]
    for name in sorted({r["document"] for r in claims}):
        one = Filters(doc=name)
        assert claim_rows(store, one) == [r for r in claims if r["document"] == name]
        assert study_rows(store, one) == [r for r in studies if r["document"] == name]
        assert unsupported_rows(store, one) == [r for r in unsupported if r["document"] == name]
    profiles = {d["document"]: d for d in document_rows(store)}
    assert all(document_rows(store, Filters(doc=name)) == [profiles[name]] for name in profiles)


V = "https://w3id.org/hckg/vocab/"


def _corpus(studies: list[StudyRecord]) -> CorpusEvidence:
    """Corpus evidence over hand-made studies: UC-MSC and BM-MSC are narrower than MSC."""
    hierarchy = Hierarchy([(V + "uc-msc", V + "msc"), (V + "bm-msc", V + "msc")])
    rules = load_rules()
    grades = {s.iri: grade_study(s, rules) for s in studies}
    return CorpusEvidence(studies, grades, {"d": DocRecord("d", "d", "journal")}, hierarchy)


def _trial(n: int, cell: str, design: str = "rct", result: str = "positive", size: int = 80) -> StudyRecord:
    return StudyRecord(
        iri=f"s{n:02d}",
        doc="d",
        doc_kind="journal",
        quote=f"study {n}",
        design=design,
        identifiable=True,
        n=size,
        year=2000 + n,
        investigator=f"Investigator{n}",
        randomised=True,
        result=result,
        cell_sources=[V + cell],
        outcomes=[V + "motor-function"],
    )


def _claim(n: int, cites: list[str] | None = None) -> ClaimRecord:
    return ClaimRecord(
        iri=f"c{n}",
        doc="d",
        quote=f"claim {n}",
        claim_type="efficacy",
        hedged=False,
        rule="claim.efficacy",
        vague_citation=False,
        anecdotal=False,
        cites=cites or [],
        cell_sources=[V + "msc"],
        outcomes=[V + "motor-function"],
    )


def test_smallest_merges_the_chosen_runs_in_order(monkeypatch):
    monkeypatch.setattr(analyse, "_POOL_TOP", 4)
    runs = {0: [1, 2, 9], 1: [3, 4], 2: [0, 5]}
    heads = sorted((run[0], k) for k, run in runs.items())

    def run(k: int, pos: int) -> int | None:
        return runs[k][pos] if pos < len(runs[k]) else None

    assert analyse._smallest(heads, 0b011, run) == [(1, 0), (2, 0), (3, 1), (4, 1)]
    assert analyse._smallest(heads, 0b100, run) == [(0, 2), (5, 2)]
    assert analyse._bits(0b10110) == [1, 2, 4]


def test_pool_summaries_equal_a_sort_of_the_pool(monkeypatch):
    """Summaries cut to two studies per class, so the merges cross classes and run out."""
    monkeypatch.setattr(analyse, "_POOL_TOP", 2)
    cells = ["msc", "uc-msc", "bm-msc"]
    designs = ["rct", "case-series", "controlled-trial"]
    studies = [
        _trial(n, cells[n % 3], designs[n % 4 % 3], "negative" if n % 5 == 0 else "positive", 20 + 9 * n)
        for n in range(24)
    ]
    corpus = _corpus(studies)
    relation = {"msc": "direct", "uc-msc": "narrower", "bm-msc": "narrower"}
    pool_list = [(i, relation[s.cell_sources[0].removeprefix(V)]) for i, s in enumerate(studies)]

    def rank(item: tuple[int, str]) -> tuple:
        i, r = item
        grade = corpus.grades[studies[i].iri]
        certainty = shift_certainty(grade.certainty, 0 if r == "direct" else -1)
        return (-certainty_rank(certainty), analyse._RANK[r], grade.level, i)

    pool = corpus.for_claim(_claim(1))[2].pool
    assert pool.size == len(studies) and pool.first == (0, "direct") and pool.first_direct == (0, "direct")
    assert list(pool.strongest()) == sorted(pool_list, key=rank)
    assert list(pool.negative_findings()) == [(i, r) for i, r in pool_list if studies[i].result == "negative"]
    assert [(e.study.iri, e.relation) for e in pool.leading] == [
        (studies[i].iri, r) for i, r in sorted(pool_list, key=rank)[: analyse.MAX_BEARING_EVIDENCE]
    ]
    assert pool.min_level == min(corpus.grades[s.iri].level for s in studies)


def test_claims_of_one_signature_share_a_pool_and_cited_studies_are_not_repeated():
    studies = [_trial(n, "uc-msc" if n % 2 else "msc", size=40 + n) for n in range(14)]
    corpus = _corpus(studies)
    plain = corpus.for_claim(_claim(1))[2]
    assert corpus.for_claim(_claim(2))[2].pool is plain.pool
    strongest = [e.study.iri for e in plain.bearing()]
    assert len(strongest) == analyse.MAX_BEARING_EVIDENCE
    citing = corpus.for_claim(_claim(3, cites=strongest[:2]))[2]
    assert citing.pool is plain.pool
    bearing = [e.study.iri for e in citing.bearing()]
    assert bearing[:2] == strongest[:2] and len(bearing) == len(set(bearing)) == len(strongest)
    assert [e.cited for e in citing.bearing()][:3] == [True, True, False]
    assert citing.best().study.iri == strongest[0] and citing.best().cited


def test_warnings_and_null_results_are_not_graded_as_promises(write_docs, tmp_path):
    folder = write_docs(
        {
            "caution.md": (
                "# Stem cells and cerebral palsy: what parents should know\n\n"
                "Serious complications, including meningitis, have been reported after stem cell "
                "injections at unregulated clinics.\n\n"
                "Stem cell therapy did not improve motor function in the largest trials.\n\n"
                "Our stem cell therapy is completely safe and restores movement."
            )
        }
    )
    rows = graded(folder, tmp_path)
    warning = find(rows, "Serious complications")
    null = find(rows, "Stem cell therapy did not improve")
    assert (warning["status"], codes(warning)) == ("not-assessed", [])
    assert (null["status"], codes(null)) == ("not-assessed", [])
    assert codes(find(rows, "Our stem cell therapy is completely safe"))  # the promise is still flagged


def test_flat_efficacy_on_weak_evidence_is_overstated_unless_reporting_a_findable_study(write_docs, tmp_path):
    """claim.overstated.weak-basis: an unhedged "it works" whose best evidence is very low
    certainty; a clinic's own uncheckable figures count, a published study's reported results,
    a hedge or a denial ("not a cure") do not."""
    folder = write_docs(
        {
            "clinic.txt": (
                "Sunrise Neuro Hospital\n\n"
                "We treat cerebral palsy with bone marrow mononuclear cells by lumbar puncture.\n\n"
                "According to our hospital's follow-up data of 900 patients, the total effective rate "
                "is 85%. Most children gain better muscle tone after one course.\n\n"
                "Bone marrow mononuclear cells are not a cure for cerebral palsy."
            ),
            "series.txt": (
                "Intrathecal bone marrow mononuclear cells in cerebral palsy: a case series\n\n"
                "Methods: We treated 12 children with cerebral palsy with intrathecal autologous bone "
                "marrow mononuclear cells.\n\n"
                "Results: Muscle tone improved in 8 children.\n\n"
                "Conclusions: Bone marrow mononuclear cells may improve muscle tone; controlled trials "
                "are needed."
            ),
        }
    )
    rows = graded(folder, tmp_path)
    own_figures = find(rows, "According to our hospital's follow-up data")
    assert "overstated" in codes(own_figures)
    gains = find(rows, "Most children gain better muscle tone")  # no strong word: the weak-basis rule
    reasons = [(r["code"], r["rule"]) for r in gains["reasons"]]
    assert reasons == [("overstated", "claim.overstated.weak-basis")]
    assert not codes(find(rows, "Results: Muscle tone improved in 8 children"))  # the abstract's own result
    assert not codes(find(rows, "Conclusions: Bone marrow mononuclear cells may improve"))  # hedged
    assert not codes(find(rows, "Bone marrow mononuclear cells are not a cure"))


def test_page_claims_without_a_cell_source_modest_and_scarcity_statements(write_docs, tmp_path):
    """A claim naming no cell source, on a page about UC-MSCs with evidence only on BM-MSCs, has
    no evidence (not indirect evidence); a claim naming UC-MSCs has indirect evidence; a modest
    report leaning on unnamed trials and a statement that evidence is missing are not flagged."""
    folder = write_docs(
        {
            "clinic.txt": (
                "Umbilical cord MSC therapy\n\n"
                "Our clinic treats cerebral palsy with umbilical cord mesenchymal stem cells.\n\n"
                "Our therapy has helped hundreds of children walk.\n\n"
                "Umbilical cord mesenchymal stem cells improve motor function in cerebral palsy.\n\n"
                "Some trials have reported modest gains in motor function.\n\n"
                "Doctors still don't know whether umbilical cord stem cells help children walk."
            ),
            "trial.txt": (
                "Bone marrow MSCs in children with cerebral palsy: a randomised trial\n\n"
                "Methods: Sixty children with cerebral palsy were randomly assigned to bone marrow "
                "mesenchymal stem cells or placebo (Sun Yat-sen University, 2017).\n\n"
                "Results: Motor function improved more with the cells than with placebo."
            ),
        }
    )
    rows = graded(folder, tmp_path)
    assert codes(find(rows, "Our therapy has helped hundreds")) == ["no-evidence"]
    assert codes(find(rows, "Umbilical cord mesenchymal stem cells improve motor")) == ["indirect"]
    assert codes(find(rows, "Some trials have reported modest gains")) == []
    unknown = find(rows, "Doctors still don't know")
    assert (unknown["status"], codes(unknown)) == ("not-assessed", [])


def test_a_clinics_own_case_is_an_anecdote_and_modest_reports_of_trials_are_not_flagged(write_docs, tmp_path):
    folder = write_docs(
        {
            "clinic.txt": (
                "NeuroRegen Institute\n\nWe treat cerebral palsy with bone marrow mononuclear cells.\n\n"
                "Case study: A 7-year-old girl received two cycles of bone marrow mononuclear cells. Six "
                "months later her sitting balance improved.\n\nContact us for a free consultation about "
                "our treatment packages."
            ),
            "expert.md": (
                "# Ask the expert: are stem cells for cerebral palsy safe?\n\n"
                "In clinical trials of stem cells, serious side effects have been rare.\n\n"
                "Stem cells have no side effects at all."
            ),
        }
    )
    rows = graded(folder, tmp_path)
    assert codes(find(rows, "Six months later her sitting balance improved")) == ["anecdote"]
    assert codes(find(rows, "In clinical trials of stem cells, serious side effects have been rare")) == []
    assert codes(find(rows, "Stem cells have no side effects at all")) == ["no-evidence"]


def test_small_words_that_do_not_describe_an_effect_do_not_excuse_a_vague_citation(write_docs, tmp_path):
    folder = write_docs(
        {
            "blog.md": (
                "# Stem cells for cerebral palsy\n\n"
                "Studies show umbilical cord stem cells help children with limited mobility walk again."
            )
        }
    )
    rows = graded(folder, tmp_path)
    assert codes(find(rows, "Studies show umbilical cord stem cells help")) == ["vague-citation"]


def test_an_abstracts_plain_results_about_its_own_study_are_reports(write_docs, tmp_path):
    folder = write_docs(
        {
            "hie.txt": (
                "Autologous cord blood cells for neonates with hypoxic-ischemic encephalopathy: a phase I "
                "feasibility study\n\nMethods: Twenty-three neonates received intravenous infusions of "
                "autologous umbilical cord blood cells.\n\nResults: Survival was 100%, and 74% of "
                "survivors treated with cord blood had normal development at one year."
            )
        }
    )
    rows = graded(folder, tmp_path)
    assert codes(find(rows, "Results: Survival was 100%")) == []


def test_a_hedged_claim_that_admits_missing_evidence_is_not_a_vague_citation(write_docs, tmp_path):
    folder = write_docs(
        {
            "summary.md": (
                "# Bone marrow cells and cerebral palsy\n\n"
                "An earlier study suggests that bone marrow stem cells might lessen neuroinflammation, "
                "though a benefit for children has never been shown.\n\n"
                "Another study showed that bone marrow stem cells lessen neuroinflammation."
            )
        }
    )
    rows = graded(folder, tmp_path)
    assert codes(find(rows, "An earlier study suggests")) == []
    assert codes(find(rows, "Another study showed")) == ["vague-citation"]  # no hedge, no caveat


def test_a_leaflets_mild_side_effects_and_reported_harms_are_not_promises(write_docs, tmp_path):
    folder = write_docs(
        {
            "leaflet.txt": (
                "Stem cells for cerebral palsy: a guide for parents\n\n"
                "In clinical trials of cord blood cells, side effects have usually been mild.\n\n"
                "Outside trials, serious complications have been reported after stem cell injections.\n\n"
                "None of these stem cell treatments has been shown to repair brain damage."
            )
        }
    )
    rows = graded(folder, tmp_path)
    assert codes(find(rows, "In clinical trials of cord blood cells, side effects")) == []
    for start in ("Outside trials, serious complications", "None of these stem cell treatments"):
        row = find(rows, start)
        assert codes(row) == [] and row["status"] == "not-assessed", start


def test_a_report_that_names_its_evidences_limits_is_not_a_vague_citation(write_docs, tmp_path):
    folder = write_docs(
        {
            "policy.txt": (
                "Cord blood for cerebral palsy\n\n"
                "Case series from private clinics report gains in motor function after cord blood, but "
                "these reports lack control groups.\n\n"
                "Case series from private clinics report gains in motor function after cord blood."
            )
        }
    )
    rows = graded(folder, tmp_path)
    reported = "Case series from private clinics report gains in motor function after cord blood"
    assert codes(find(rows, reported + ", but")) == []
    assert codes(find(rows, reported + ".")) == ["vague-citation"]


def test_evidence_given_by_another_route_is_indirect(write_docs, tmp_path):
    trial = (MINI / "trial_abstract.txt").read_text(encoding="utf-8")  # intravenous, randomised, 120
    folder = write_docs(
        {
            "trial.txt": trial,
            "page.txt": (
                "Intrathecal injections of allogeneic cord blood improve gross motor function in children "
                "with cerebral palsy.\n\nIntravenous infusions of allogeneic cord blood improve gross motor "
                "function in children with cerebral palsy.\n\nIntrathecal injections of allogeneic cord "
                "blood may improve gross motor function in children with cerebral palsy."
            ),
        }
    )
    rows = graded(folder, tmp_path)
    same_route = find(rows, "Intravenous infusions of allogeneic cord blood")
    assert same_route["status"] == "supported" and same_route["certainty"] == "high"
    other = find(rows, "Intrathecal injections of allogeneic cord blood improve")
    assert other["flagged"] and other["status"] == "weakly-supported"
    assert [r["rule"] for r in other["reasons"]] == ["claim.indirect.route"] and codes(other) == ["indirect"]
    assert other["certainty"] == "moderate"  # rated down one step from the trial's high
    path = other["reasons"][0]["evidence_path"]
    assert "says intrathecal; the evidence gives the cells intravenous" in path
    hedged = find(rows, "Intrathecal injections of allogeneic cord blood may")
    assert not hedged["flagged"] and hedged["certainty"] == "moderate"


def test_a_study_naming_no_route_is_no_route_mismatch(write_docs, tmp_path):
    trial = (MINI / "trial_abstract.txt").read_text(encoding="utf-8")
    no_route = trial.replace("a single intravenous infusion of ", "").replace("after the infusion", "")
    folder = write_docs(
        {
            "trial.txt": no_route,
            "page.txt": (
                "Intrathecal injections of allogeneic cord blood improve gross motor function in children "
                "with cerebral palsy."
            ),
        }
    )
    row = find(graded(folder, tmp_path), "Intrathecal injections of allogeneic cord blood")
    assert row["status"] == "supported" and not row["flagged"] and row["certainty"] == "high"
