"""Grading: study levels and certainty; claim support status and each flag reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build
from kg.grading import StudyRecord, grade_study
from kg.report import Filters, claim_rows, study_rows
from kg.rules import load_rules
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
