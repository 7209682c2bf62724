"""Write a view as one self-contained, offline and injection-safe HTML file.

Nodes and edges go through a pyvis `Network` (the notebook-friendly object users can also get
with `to_pyvis`), but the page comes from our own template, not pyvis': pyvis' template loads
Bootstrap and vis-network from CDNs and does not escape the heading or node ids. Here
vis-network's JS and CSS (shipped inside the pyvis package) are inlined, the graph data is JSON
in a `<script type="application/json">` block with `<`, `>` and `&` escaped, every text field
is drawn as text, and a Content-Security-Policy allows only the page's own scripts (by hash)
and no network access at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import jinja2
from pyvis.network import Network

from kg.errors import KGError
from kg.paths import PACKAGE_DIR
from kg.render.layout import MAX_PRECOMPUTED, spring_positions
from kg.render.spec import ViewSpec
from kg.store import atomic_write

VIS_VERSION = "9.1.2"
# Past this many nodes, physics runs fewer stabilization iterations and edges are drawn straight.
LARGE_VIEW = 400

_NODE_FIELDS = ("id", "label", "shape", "size", "colour", "flagged", "kind", "tip", "iri", "count")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    try:
        lib = resources.files("pyvis") / "templates" / "lib" / f"vis-{VIS_VERSION}"
        vis_js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        vis_css = (lib / "vis-network.css").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        raise KGError(f"vis-network {VIS_VERSION} not found in the installed pyvis package ({exc})") from exc
    static = PACKAGE_DIR / "static"
    return {
        "vis_js": _SOURCE_MAP.sub("", vis_js),
        "vis_css": vis_css,
        "page_js": (static / "view.js").read_text(encoding="utf-8"),
        "page_css": (static / "view.css").read_text(encoding="utf-8"),
        "template": (static / "view.html").read_text(encoding="utf-8"),
    }


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: no `</script>`, `<!--` or line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, esc)
    return text


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def precomputed(spec: ViewSpec) -> bool:
    """Large views get their layout computed in Python and are drawn with physics off."""
    return LARGE_VIEW < len(spec.nodes) <= MAX_PRECOMPUTED


def vis_options(spec: ViewSpec) -> dict[str, Any]:
    """vis-network options. Small views: physics stabilises the layout before the first draw and
    is then switched off. Large views: positions come precomputed and physics stays off."""
    n = len(spec.nodes)
    large = n > LARGE_VIEW
    physics: dict[str, Any] = {
        "enabled": not precomputed(spec),
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {
            "gravitationalConstant": -45,
            "centralGravity": 0.01,
            "springLength": 90,
            "springConstant": 0.08,
            "avoidOverlap": 0.3,
        },
        "stabilization": {
            "enabled": True,
            "iterations": 200 if n <= 120 else 120,
            "updateInterval": 1000,
            "fit": True,
        },
    }
    if large and not precomputed(spec):  # too large for the dense layout: cheaper physics
        physics["solver"] = "barnesHut"
        physics["barnesHut"] = {
            "theta": 0.9,
            "gravitationalConstant": -2500,
            "springLength": 70,
            "avoidOverlap": 0,
        }
        physics["stabilization"]["iterations"] = 60
    return {
        "autoResize": True,
        "layout": {"improvedLayout": n <= 150, "randomSeed": 7},
        "nodes": {"font": {"size": 12, "face": "system-ui, sans-serif"}, "borderWidth": 1},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
            "color": {"color": "#90a4ae", "highlight": "#37474f", "hover": "#37474f"},
            "font": {"size": 9, "align": "middle", "color": "#455a64", "strokeWidth": 3},
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "scaling": {"min": 1, "max": 8, "label": {"enabled": False}},
            "width": 1,
        },
        "physics": physics,
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": True,
        },
    }


def to_pyvis(spec: ViewSpec) -> Network:
    """The view as a pyvis Network (node `title`s are left out: the page builds them as text)."""
    net = Network(height="100%", width="100%", directed=True, heading="", cdn_resources="in_line")
    positions = {}
    if precomputed(spec):
        positions = spring_positions([n.id for n in spec.nodes], [(e.source, e.target) for e in spec.edges])
    for node in spec.nodes:
        extra = dict(zip(("x", "y"), positions[node.id], strict=True)) if positions else {}
        net.add_node(
            node.id,
            label=node.label,
            shape=node.shape,
            size=node.size,
            colour=node.colour,
            flagged=node.flagged,
            kind=node.kind,
            tip=node.tip,
            iri=node.iri,
            count=node.count,
            **extra,
        )
    for edge in spec.edges:
        net.add_edge(edge.source, edge.target, label=edge.label, relations=edge.relations, count=edge.count)
    net.options = vis_options(spec)
    return net


def _legend_sections(spec: ViewSpec) -> list[tuple[str, list[dict[str, str]]]]:
    sections: dict[str, list[dict[str, str]]] = {}
    for entry in spec.legend:
        sections.setdefault(entry["section"], []).append(entry)
    return list(sections.items())


def render_html(spec: ViewSpec) -> str:
    """The page for a view, as a string."""
    assets = _assets()
    net = to_pyvis(spec)
    nodes, edges, _heading, _height, _width, _options = net.get_network_data()
    payload = {
        "name": spec.name,
        "nodes": [{k: n[k] for k in (*_NODE_FIELDS, "x", "y") if k in n} for n in nodes],
        "edges": [
            {"source": e["from"], "target": e["to"], "label": e["label"], "count": e["count"]} for e in edges
        ],
        "options": net.options,
        "aggregated": spec.aggregated,
        "truncated": spec.truncated,
    }
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_csp_hash(assets['vis_js'])} {_csp_hash(assets['page_js'])}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(assets["template"])
    try:
        version = metadata.version("health-claims-kg")
    except metadata.PackageNotFoundError:
        version = "dev"
    return template.render(
        csp=csp,
        version=version,
        title=spec.title,
        summary=spec.summary,
        notes=spec.notes,
        legend=_legend_sections(spec),
        data_json=script_json(payload),
        vis_js=assets["vis_js"],
        vis_css=assets["vis_css"],
        page_js=assets["page_js"],
        page_css=assets["page_css"],
    )


def write_html(spec: ViewSpec, path: Path) -> Path:
    """Write the view's page to `path` (atomically) and return the path."""
    atomic_write(Path(path), render_html(spec))
    return Path(path)
