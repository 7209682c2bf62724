"""Plain-text rendering of library results for the terminal (rich tables)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table


def render(table: Table, width: int = 120) -> str:
    """A rich table as text (no colour codes when not on a terminal)."""
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, color_system=None).print(table)
    return buf.getvalue().rstrip("\n")


def simple_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> str:
    table = Table(title=title, show_lines=False)
    for h in headers:
        table.add_column(h, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
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
