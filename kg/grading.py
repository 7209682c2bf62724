"""Grade study mentions: CEBM 2011 evidence level and a GRADE-style certainty, with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.rules import Rules, shift_certainty


@dataclass(slots=True)
class StudyRecord:
    """A study mention as read back from the graph."""

    iri: str
    doc: str
    doc_kind: str
    quote: str
    design: str
    identifiable: bool
    n: int | None = None
    year: int | None = None
    venue: str | None = None
    investigator: str | None = None
    institution: str | None = None
    institution_is_provider: bool = False
    country: str | None = None
    controlled: bool | None = None
    randomised: bool | None = None
    blinded: bool | None = None
    self_reported: bool = False
    preprint: bool = False
    result: str = "unreported"
    adverse_events: str = "unreported"
    cell_sources: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class GradeStep:
    rule_id: str
    explanation: str
    effect: int


@dataclass(slots=True)
class StudyGrade:
    level: int
    level_label: str
    certainty: str
    steps: list[GradeStep]


def grade_study(study: StudyRecord, rules: Rules) -> StudyGrade:
    """Level from design (or below level 5 when unidentifiable); certainty rated down by rules."""
    design = rules.design(study.design)
    level, label = design.level, design.label
    certainty = design.start
    steps = [GradeStep(f"level.design.{design.design}", f"{label}; starts at {certainty} certainty", 0)]

    def rate_down(rule_id: str, explanation: str) -> None:
        nonlocal certainty
        rule = rules[rule_id]
        certainty = shift_certainty(certainty, rule.effect)
        steps.append(GradeStep(rule_id, explanation, rule.effect))

    if not study.identifiable and study.design != "testimonial":
        rule = rules["level.unidentifiable"]
        level = rule.level or 6
        label = "Below level 5: unidentifiable reference"
        certainty = shift_certainty(certainty, rule.effect)
        steps.append(GradeStep(rule.rule_id, "the study cannot be identified from the text", rule.effect))
    if study.design in {"case-series", "case-report", "testimonial"} or study.controlled is False:
        rate_down("grade.risk-of-bias.no-control", "no control group")
    if study.design == "rct" and study.randomised is not True:
        rate_down(
            "grade.risk-of-bias.not-randomised", "called a trial with placebo, randomisation not stated"
        )
    if study.blinded is False:
        rate_down("grade.risk-of-bias.unblinded", "open-label / unblinded")
    if study.design not in {"testimonial", "review", "meta-analysis", "systematic-review"}:
        threshold = rules["grade.imprecision.small-sample"].threshold or 50
        if study.n is not None and study.n < threshold:
            rate_down("grade.imprecision.small-sample", f"only {study.n} patient(s) (< {threshold:g})")
        elif study.n is None and study.identifiable:
            rate_down("grade.imprecision.size-not-reported", "number of patients not reported")
    if study.preprint:
        rate_down("grade.publication.not-peer-reviewed", "preprint, not peer reviewed")
    if study.institution_is_provider or (
        study.doc_kind == "clinic-marketing" and study.design == "testimonial"
    ):
        rate_down("grade.conflict-of-interest", "reported by the page that markets the treatment")
    return StudyGrade(level, label, certainty, steps)
