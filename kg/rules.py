"""Grading rules and weights loaded from `ontology/grading.ttl`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, RDFS

from kg.paths import ontology_dir

HCKG = Namespace("https://w3id.org/hckg/ontology#")

CERTAINTY = ("very-low", "low", "moderate", "high")


def certainty_rank(value: str | None) -> int:
    """0 (very low) .. 3 (high); -1 when there is none."""
    return CERTAINTY.index(value) if value in CERTAINTY else -1


def shift_certainty(value: str, steps: int) -> str:
    return CERTAINTY[max(0, min(len(CERTAINTY) - 1, certainty_rank(value) + steps))]


@dataclass(frozen=True)
class DesignGrade:
    design: str
    level: int
    start: str
    label: str


@dataclass(frozen=True)
class Rule:
    """A rule's parameters; the check that uses them is keyed by `rule_id` in the code."""

    rule_id: str
    comment: str
    effect: int = 0
    threshold: float | None = None
    level: int | None = None
    reason_code: str | None = None
    minimum_certainty: str | None = None
    claim_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    designs: dict[str, DesignGrade]
    rules: dict[str, Rule]

    def __getitem__(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def design(self, design: str) -> DesignGrade:
        return self.designs.get(design) or self.designs["unspecified"]


def _value(g: Graph, node, prop):
    v = g.value(node, prop)
    return v.toPython() if isinstance(v, Literal) else v


def _load(path: Path) -> Rules:
    g = Graph().parse(path)
    designs = {}
    for node in g.subjects(RDF.type, HCKG.DesignGrade):
        d = str(_value(g, node, HCKG.design))
        designs[d] = DesignGrade(
            d,
            int(_value(g, node, HCKG.level)),
            str(_value(g, node, HCKG.startCertainty)),
            str(_value(g, node, RDFS.label)),
        )
    rules = {}
    for cls in (HCKG.StudyRule, HCKG.ClaimRule):
        for node in g.subjects(RDF.type, cls):
            rid = str(_value(g, node, HCKG.ruleId))
            rules[rid] = Rule(
                rule_id=rid,
                comment=str(_value(g, node, RDFS.comment) or ""),
                effect=int(_value(g, node, HCKG.effect) or 0),
                threshold=_value(g, node, HCKG.threshold),
                level=_value(g, node, HCKG.level),
                reason_code=_value(g, node, HCKG.reasonCode),
                minimum_certainty=_value(g, node, HCKG.minimumCertainty),
                claim_types=tuple(sorted(str(t) for t in g.objects(node, HCKG.claimType))),
            )
    return Rules(designs, rules)


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> Rules:
    return _load(path or ontology_dir() / "grading.ttl")
