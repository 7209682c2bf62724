"""Plain-text rendering of library results for the terminal (rich tables)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def render(table: Table, width: int = 120) -> str:
    """A rich table as text (no colour codes when not on a terminal)."""
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, color_system=None).print(table)
    return buf.getvalue().rstrip("\n")


def simple_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> str:
    table = Table(title=escape(title) if title else None, show_lines=False)
    for h in headers:
        table.add_column(escape(h), overflow="fold")
    for row in rows:
        table.add_row(*(escape("" if v is None else str(v)) for v in row))
    return render(table)


def eval_table(result: dict[str, Any], details: dict[str, Any] | None = None) -> str:
    """Scores per section, then (optionally) every miss and false hit."""
    rows = []
    for section, s in result.items():
        extra = ", ".join(
            f"{k.replace('_accuracy', '')} acc {v:.2f}" for k, v in s.items() if k.endswith("_accuracy")
        )
        rows.append(
            (
                section,
                f"{s['precision']:.2f}",
                f"{s['recall']:.2f}",
                f"{s['f1']:.2f}",
                f"{s['tp']}/{s['fp']}/{s['fn']}",
                extra,
            )
        )
    out = [simple_table(("section", "precision", "recall", "F1", "tp/fp/fn", "attributes"), rows)]
    if details:
        for section, d in details.items():
            for label, items in (("miss", d["misses"]), ("false hit", d["false_hits"])):
                for item in items:
                    out.append(f"{section} {label}: {item}")
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; pipes and newlines in cells are escaped."""

    def esc(v: Any) -> str:
        return _cell(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(esc(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _reasons_text(row: dict[str, Any], with_paths: bool) -> str:
    parts = []
    for r in row["reasons"]:
        text = f"{r['code']} [{r['rule']}]"
        if with_paths:
            text += f": {r['evidence_path']}"
        parts.append(text)
    return "; ".join(parts)


def report_text(name: str, data: Any, fmt: str) -> str:
    """Format a report's rows as a terminal table or Markdown."""
    table = simple_table if fmt == "table" else (lambda h, r, title=None: markdown_table(h, r))
    if name == "summary":
        rows = [("documents", data["documents"]), ("claims", data["claims"]), ("flagged", data["flagged"])]
        rows += [(f"status: {k}", v) for k, v in data["by_status"].items()]
        rows += [(f"reason: {k}", v) for k, v in data["by_reason"].items()]
        rows += [(f"type: {k}", v) for k, v in data["by_type"].items()]
        rows += [("studies", data["studies"]), ("identifiable studies", data["identifiable_studies"])]
        rows += [(f"studies at level {k}", v) for k, v in data["studies_by_level"].items()]
        return table(("measure", "count"), rows, title="Summary")
    if not data:
        return "no rows match"
    if name == "unsupported":
        rows = [(d["document"], d["quote"], d["status"], _reasons_text(d, True)) for d in data]
        return table(
            ("document", "claim", "status", "reasons [rule]: evidence path"),
            rows,
            title=f"{len(data)} flagged claims",
        )
    if name == "claims":
        rows = [
            (
                d["document"],
                d["quote"],
                d["type"],
                _cell(d["hedged"]),
                d["status"],
                _cell(d["certainty"]),
                _reasons_text(d, False),
            )
            for d in data
        ]
        return table(
            ("document", "claim", "type", "hedged", "status", "certainty", "reasons [rule]"),
            rows,
            title=f"{len(data)} claims",
        )
    if name == "studies":
        rows = [
            (
                d["document"],
                d["quote"],
                d["design"],
                _cell(d["n"]),
                _cell(d["year"]),
                _cell(d["identifiable"]),
                _cell(d["level"]),
                _cell(d["certainty"]),
                "; ".join(s["rule"] for s in d["steps"]),
            )
            for d in data
        ]
        return table(
            (
                "document",
                "study mention",
                "design",
                "n",
                "year",
                "identifiable",
                "level",
                "certainty",
                "grading rules",
            ),
            rows,
            title=f"{len(data)} study mentions",
        )
    if name == "documents":
        rows = []
        for d in data:
            met = [k.replace("_", " ") for k, v in d["criteria"].items() if v]
            rows.append(
                (
                    d["document"],
                    d["kind"],
                    d["claims"],
                    f"{d['flagged']} ({d['flagged_share']:.0%})",
                    f"{d['identifiable_studies']}/{d['studies']}",
                    d["testimonials"],
                    f"{d['criteria_met']}/{d['criteria_total']}: " + ", ".join(met),
                )
            )
        return table(
            (
                "document",
                "kind",
                "claims",
                "flagged",
                "identifiable studies",
                "testimonials",
                "credibility criteria met",
            ),
            rows,
            title="Document credibility profiles",
        )
    raise ValueError(name)
