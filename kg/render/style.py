"""The views' visual language: shape and colour per node class, grade and support status.

Claims are coloured by `hckg:supportStatus`, study mentions by `hckg:evidenceLevel` (grading
contract); items grading has not reached are "ungraded" (grey), which the legend always lists.
Tooltips are structured rows of plain text; the page turns them into DOM text nodes.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from kg.render.data import CLAIM, CONCEPT, COUNTRY, DOCUMENT, ORGANIZATION, STUDY, GraphData, Item
from kg.render.spec import ViewEdge, ViewNode

UNGRADED = "ungraded"

SHAPES = {
    DOCUMENT: "box",
    CLAIM: "dot",
    STUDY: "square",
    CONCEPT: "diamond",
    ORGANIZATION: "hexagon",
    COUNTRY: "triangle",
}
GLYPHS = {"box": "▬", "dot": "●", "square": "■", "diamond": "◆", "hexagon": "⬢", "triangle": "▲"}
KIND_PLURALS = {
    DOCUMENT: "documents",
    CLAIM: "claims",
    STUDY: "study mentions",
    CONCEPT: "concepts",
    ORGANIZATION: "organizations",
    COUNTRY: "countries",
}
KIND_LABELS = {
    DOCUMENT: "Document",
    CLAIM: "Claim",
    STUDY: "Study mention",
    CONCEPT: "Concept",
    ORGANIZATION: "Organization",
    COUNTRY: "Country",
}

SUPPORT_COLOURS = {
    "supported": "#2e7d32",
    "weakly-supported": "#9ccc65",
    "unsupported": "#ef6c00",
    "contradicted": "#b71c1c",
    "not-assessed": "#90caf9",
    UNGRADED: "#9e9e9e",
}
SUPPORT_NOTES = {
    "not-assessed": "not-assessed (not a health claim)",
    UNGRADED: "ungraded (grading has not run)",
}
# Lower is worse: the order claims are ranked in when a view must be cut.
SUPPORT_SEVERITY = {
    "contradicted": 0,
    "unsupported": 1,
    "weakly-supported": 2,
    UNGRADED: 3,
    "supported": 4,
    "not-assessed": 5,
}

LEVEL_COLOURS = {
    1: "#1b5e20",
    2: "#43a047",
    3: "#c0ca33",
    4: "#fbc02d",
    5: "#fb8c00",
    6: "#e53935",
    UNGRADED: "#9e9e9e",
}
LEVEL_NAMES = {
    1: "level 1 (systematic review of RCTs)",
    2: "level 2 (RCT)",
    3: "level 3 (controlled cohort)",
    4: "level 4 (case series, uncontrolled)",
    5: "level 5 (mechanism, expert opinion)",
    6: "below level 5 (testimonial, unidentifiable)",
    UNGRADED: "ungraded",
}

CONCEPT_COLOURS = {
    "cell_source": "#7b1fa2",
    "tissue": "#9575cd",
    "route": "#00838f",
    "outcome": "#ad1457",
    "condition": "#6d4c41",
    "intervention": "#3949ab",
    "other": "#78909c",
}
DOCUMENT_COLOUR = "#1565c0"
ORGANIZATION_COLOUR = "#8d6e63"
COUNTRY_COLOUR = "#546e7a"
FLAG_BORDER = "#000000"
SIZES = {DOCUMENT: 22, CLAIM: 11, STUDY: 13, CONCEPT: 15, ORGANIZATION: 14, COUNTRY: 12}

_SPACE = re.compile(r"\s+")


def short(text: Any, limit: int = 40) -> str:
    """One line of at most `limit` characters (an ellipsis marks a cut)."""
    s = _SPACE.sub(" ", str(text or "")).strip()
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def support_status(claim: Item) -> str:
    status = claim.get("supportStatus")
    return status if status in SUPPORT_COLOURS else UNGRADED


def evidence_level(study: Item) -> int | str:
    level = study.get("evidenceLevel")
    return level if isinstance(level, int) and level in LEVEL_COLOURS else UNGRADED


def concept_type(concept: Item) -> str:
    t = concept.get("conceptType") or "other"
    return t if t in CONCEPT_COLOURS else "other"


def colour(kind: str, item: Item) -> str:
    if kind == CLAIM:
        return SUPPORT_COLOURS[support_status(item)]
    if kind == STUDY:
        return LEVEL_COLOURS[evidence_level(item)]
    if kind == CONCEPT:
        return CONCEPT_COLOURS[concept_type(item)]
    return {DOCUMENT: DOCUMENT_COLOUR, ORGANIZATION: ORGANIZATION_COLOUR}.get(kind, COUNTRY_COLOUR)


def label(kind: str, item: Item) -> str:
    if kind == CLAIM:
        return short(item.get("quote"), 36)
    if kind == STUDY:
        parts = [item.get("design") or "study"]
        if item.get("sampleSize") is not None:
            parts.append(f"n={item.get('sampleSize')}")
        if item.get("year") is not None:
            parts.append(str(item.get("year")))
        return " ".join(parts)
    if kind == DOCUMENT:
        return short(item.get("title") or item.get("fileName") or item.get("identifier"), 32)
    if kind == CONCEPT:
        return short(item.get("prefLabel"), 32)
    return short(item.get("label") or item.iri.rsplit("/", 1)[-1], 32)


def _doc_line(data: GraphData, item: Item) -> str:
    doc = data.documents.get(item.get("wasDerivedFrom") or "")
    if doc is None:
        return ""
    return f"{short(doc.get('title'), 80)} ({doc.get('fileName')})"


def _yes(v: Any) -> str:
    return "yes" if v is True else "no" if v is False else ""


def tooltip(kind: str, item: Item, data: GraphData) -> dict[str, Any]:
    """Heading and (name, text) rows for a node's tooltip and detail panel."""
    rows: list[tuple[str, Any]] = []
    if kind == CLAIM:
        heading = f"Claim ({item.get('claimType') or 'untyped'})"
        status = support_status(item)
        rows += [("Quote", item.get("quote")), ("Document", _doc_line(data, item)), ("Support", status)]
        if item.get("certainty"):
            rows.append(("Certainty", item.get("certainty")))
        if item.get("bestEvidenceLevel") is not None:
            rows.append(("Best evidence", LEVEL_NAMES.get(item.get("bestEvidenceLevel"), "?")))
        if item.get("independentStudies") is not None:
            rows.append(("Independent studies", item.get("independentStudies")))
        if item.get("evidenceMatch"):
            rows.append(("Evidence match", item.get("evidenceMatch")))
        if item.get("comment"):
            rows.append(("Note", item.get("comment")))
        for reason in data.flag_reasons.get(item.iri, []):
            text = reason.explanation or reason.code
            if reason.path:
                text = f"{text} — {reason.path}"
            rows.append(
                (f"Flag: {reason.code or 'reason'}", f"{text} [{reason.rule}]" if reason.rule else text)
            )
        rows += [
            ("Hedged", f"yes ({item.get('hedgeCue')})" if item.get("hedged") else "no"),
            ("Strong wording", item.get("strongCue")),
            ("Vague citation", _yes(item.get("vagueCitation"))),
            ("Anecdotal", _yes(item.get("anecdotal"))),
            ("Rule", item.get("rule")),
        ]
    elif kind == STUDY:
        heading = f"Study mention ({item.get('design') or 'unspecified'})"
        level = evidence_level(item)
        rows += [
            ("Quote", item.get("quote")),
            ("Document", _doc_line(data, item)),
            ("Evidence", item.get("evidenceLevelLabel") or LEVEL_NAMES[level]),
            ("Certainty", item.get("certainty")),
        ]
        for step in data.grade_steps.get(item.iri, []):
            effect = f" ({step.effect:+d})" if step.effect else ""
            rows.append(
                (
                    f"Grade step{effect}",
                    f"{step.explanation} [{step.rule}]" if step.rule else step.explanation,
                )
            )
        rows += [
            ("Sample size", item.get("sampleSize")),
            ("Year", item.get("year")),
            ("Venue", item.get("venue")),
            ("Investigator", item.get("investigator")),
            ("Result", item.get("resultDirection")),
            ("Adverse events", item.get("adverseEvents")),
            ("Identifiable", f"yes ({item.get('identifiableBy')})" if item.get("identifiable") else "no"),
            ("Rule", item.get("rule")),
        ]
    elif kind == DOCUMENT:
        heading = f"Document: {short(item.get('title'), 120)}"
        rows += [
            ("File", item.get("fileName")),
            ("Id", item.get("identifier")),
            ("Kind", item.get("kind")),
            ("Why", item.get("kindReason")),
            ("Sentences", item.get("sentenceCount")),
        ]
    elif kind == CONCEPT:
        heading = f"Concept: {item.get('prefLabel')}"
        broader = [data.concepts[b].get("notation") for b in item.all("broader") if b in data.concepts]
        rows += [("Key", item.get("notation")), ("Type", concept_type(item)), ("Broader", ", ".join(broader))]
    else:
        heading = f"{KIND_LABELS[kind]}: {item.get('label')}"
        rows += [("Aliases", ", ".join(map(str, item.all("alias")))), ("Code", item.get("iso3166"))]
    rows.append(("IRI", item.iri))
    return {"h": heading, "rows": [[k, str(v)] for k, v in rows if v not in (None, "")]}


def legend(kinds: set[str], aggregated: bool = False) -> list[dict[str, str]]:
    """Legend entries (section, glyph, colour, text) for the node kinds a view shows."""
    out = []
    for kind in (DOCUMENT, CLAIM, STUDY, CONCEPT, ORGANIZATION, COUNTRY):
        if kind in kinds:
            grouped = aggregated and kind in (DOCUMENT, CLAIM, STUDY)
            text = KIND_LABELS[kind] + (" group (count)" if grouped else "")
            out.append({"section": "Nodes", "glyph": GLYPHS[SHAPES[kind]], "colour": "#455a64", "text": text})
    if CLAIM in kinds:
        for status, col in SUPPORT_COLOURS.items():
            text = SUPPORT_NOTES.get(status, status)
            out.append({"section": "Claim support", "glyph": "●", "colour": col, "text": text})
        out.append(
            {"section": "Claim support", "glyph": "◯", "colour": FLAG_BORDER, "text": "flagged (black ring)"}
        )
    if STUDY in kinds:
        for level, col in LEVEL_COLOURS.items():
            out.append({"section": "Study evidence", "glyph": "■", "colour": col, "text": LEVEL_NAMES[level]})
    if CONCEPT in kinds:
        for ctype, col in CONCEPT_COLOURS.items():
            out.append(
                {"section": "Concept type", "glyph": "◆", "colour": col, "text": ctype.replace("_", " ")}
            )
    return out


def view_node(node_id: str, item: Item, data: GraphData) -> ViewNode:
    kind = item.kind
    status = ""
    if kind == CLAIM:
        status = support_status(item)
    elif kind == STUDY:
        status = str(evidence_level(item))
    return ViewNode(
        id=node_id,
        iri=item.iri,
        kind=kind,
        label=label(kind, item),
        colour=colour(kind, item),
        shape=SHAPES[kind],
        tip=tooltip(kind, item, data),
        size=SIZES[kind] + (4 if item.get("flagged") else 0),
        status=status,
        flagged=item.get("flagged") is True,
    )


def summary(
    counts: Counter[str], claim_status: Counter[str], links: int, graded: bool, suffix: str = ""
) -> str:
    """The page's summary line: items per kind, claims per support status, links."""
    parts = []
    for kind in (DOCUMENT, CLAIM, STUDY, CONCEPT, ORGANIZATION, COUNTRY):
        n = counts[kind]
        if not n:
            continue
        text = f"{n:,} {KIND_LABELS[kind].lower() if n == 1 else KIND_PLURALS[kind]}"
        if kind == CLAIM:
            text += (
                " (" + ", ".join(f"{claim_status[s]:,} {s}" for s in SUPPORT_COLOURS if claim_status[s]) + ")"
            )
        parts.append(text)
    text = "; ".join(parts or ["nothing to show"]) + f"; {links:,} links{suffix}."
    return text + ("" if graded else " Not graded yet: support status shows as ungraded (grey).")


def summarize(nodes: list[ViewNode], edges: list[ViewEdge], graded: bool) -> str:
    counts = Counter(n.kind for n in nodes)
    status = Counter(n.status for n in nodes if n.kind == CLAIM)
    return summary(counts, status, len(edges), graded)
