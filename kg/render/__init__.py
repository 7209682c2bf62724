"""Interactive HTML views of the graph: offline, injection-safe, bounded in size.

    from kg.render import ViewSource, overview, claim_audit, write_html
    src = ViewSource.open(Path("out"))
    spec = claim_audit(src, "unsupported")      # data: spec.nodes, spec.edges, spec.notes
    write_html(spec, Path("out/views/claims-unsupported.html"))

`build_view` picks a view from CLI-style options; `write_default_views` writes the views
`kg build` leaves in `<out>/views/`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from kg.paths import files_fingerprint
from kg.render.html import render_html, to_pyvis, vis_options, write_html
from kg.render.spec import DEFAULT_NODE_CAP, ViewEdge, ViewNode, ViewSpec
from kg.render.views import (
    CLAIM_FILTERS,
    ViewError,
    ViewSource,
    aggregated_overview,
    claim_audit,
    concept_view,
    document_view,
    overview,
)

log = logging.getLogger(__name__)

VIEWS_DIRNAME = "views"
DEFAULT_VIEWS = (("overview", None), ("claims", "unsupported"))
STAMP_NAME = ".default-views.json"  # what the default views were made from


def build_view(
    src: ViewSource,
    *,
    claims: str | None = None,
    doc: str | None = None,
    concept: str | None = None,
    cap: int = DEFAULT_NODE_CAP,
) -> ViewSpec:
    """The view for one focus option (none: the corpus overview)."""
    chosen = [name for name, value in (("--claims", claims), ("--doc", doc), ("--concept", concept)) if value]
    if len(chosen) > 1:
        raise ViewError(f"choose one focus, not {' and '.join(chosen)}")
    if cap < 10:
        raise ViewError(f"node cap {cap} is too small (at least 10)")
    if claims:
        return claim_audit(src, claims, cap)
    if doc:
        return document_view(src, doc, cap)
    if concept:
        return concept_view(src, concept, cap)
    return overview(src, cap)


def view_path(out_dir: Path, spec: ViewSpec) -> Path:
    return Path(out_dir) / VIEWS_DIRNAME / f"{spec.name}.html"


def write_view(
    out_dir: Path,
    *,
    claims: str | None = None,
    doc: str | None = None,
    concept: str | None = None,
    cap: int = DEFAULT_NODE_CAP,
    html_path: Path | None = None,
    store_url: str | None = None,
) -> tuple[ViewSpec, Path]:
    """Build one view of the graph in `out_dir` (or held by the endpoint `store_url`) and write it
    (default: `<out>/views/<name>.html`)."""
    src = ViewSource.open(out_dir, store_url)
    spec = build_view(src, claims=claims, doc=doc, concept=concept, cap=cap)
    return spec, write_html(spec, html_path or view_path(out_dir, spec))


def write_default_views(out_dir: Path, cap: int = DEFAULT_NODE_CAP) -> list[Path]:
    """Write the corpus overview and the unsupported-claims audit into `<out>/views/`."""
    src = ViewSource.open(out_dir)
    written = []
    for view, value in DEFAULT_VIEWS:
        spec = build_view(src, cap=cap, **({view: value} if value else {}))
        written.append(write_html(spec, view_path(out_dir, spec)))
    return written


def update_default_views(
    out_dir: Path, graph_state: str, cap: int = DEFAULT_NODE_CAP
) -> tuple[list[Path], bool]:
    """The default views, rewritten only when the graph (`graph_state`, the build's digest of it),
    the node cap or the rendering code changed since they were written; (paths, rewritten)."""
    stamp_path = Path(out_dir) / VIEWS_DIRNAME / STAMP_NAME
    stamp = hashlib.sha256(f"{graph_state}\n{cap}\n{_render_fingerprint()}".encode()).hexdigest()[:24]
    try:
        recorded = json.loads(stamp_path.read_text(encoding="utf-8"))
        paths = [Path(out_dir) / VIEWS_DIRNAME / name for name in recorded["files"]]
        if recorded["stamp"] == stamp and all(p.is_file() for p in paths):
            return paths, False
    except (OSError, ValueError, KeyError, TypeError):
        pass
    paths = write_default_views(out_dir, cap)
    stamp_path.write_text(json.dumps({"stamp": stamp, "files": [p.name for p in paths]}), encoding="utf-8")
    return paths, True


def _render_fingerprint() -> str:
    """Hash of the code and static files a view is made from."""
    package = Path(__file__).resolve().parent
    return files_fingerprint(sorted(package.glob("*.py")) + sorted((package.parent / "static").glob("*")))


__all__ = [
    "CLAIM_FILTERS",
    "DEFAULT_NODE_CAP",
    "ViewEdge",
    "ViewError",
    "ViewNode",
    "ViewSource",
    "ViewSpec",
    "aggregated_overview",
    "build_view",
    "claim_audit",
    "concept_view",
    "document_view",
    "overview",
    "render_html",
    "to_pyvis",
    "update_default_views",
    "view_path",
    "vis_options",
    "write_default_views",
    "write_html",
    "write_view",
]
