"""The views in real headless Chromium with the network cut off (Debian's chromium + chromium-driver).

Skipped, with the reason, where Chromium, chromedriver or selenium is missing:
    apt-get install -y chromium chromium-driver && pip install -e '.[test]'
"""

from __future__ import annotations

import time

import pytest

from kg.render import ViewSource, claim_audit, document_view, overview, write_html
from kg.render.browser import HeadlessChromium, browser_missing
from kg.render.spec import ViewEdge, ViewNode, ViewSpec

MISSING = browser_missing()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(MISSING is not None, reason=f"headless browser tests skipped: {MISSING}"),
]


@pytest.fixture(scope="module")
def browser():
    with HeadlessChromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def src(built_out) -> ViewSource:
    return ViewSource.open(built_out)


def _open(browser, spec, folder):
    path = write_html(spec, folder / f"{spec.name}.html")
    report = browser.open(path)
    assert report.state == "ready", (report.error, report.console)
    assert report.error is None
    return path, report


def _only_the_page(report, path) -> None:
    """No request left the page: the page itself is the only URL ever requested."""
    assert report.requests == [path.as_uri()]
    assert report.remote_requests == []
    assert report.resources == []
    assert not [line for line in report.console if line.startswith("SEVERE")]


def test_overview_renders_offline_with_all_nodes_and_edges(src, browser, tmp_path):
    spec = overview(src)
    path, report = _open(browser, spec, tmp_path)
    assert (report.nodes, report.edges) == (len(spec.nodes), len(spec.edges))
    assert report.nodes > 150
    assert report.heading == "Corpus overview"
    assert report.render_ms is not None and report.render_ms > 0
    _only_the_page(report, path)


def test_claim_audit_and_document_views_render(src, browser, tmp_path):
    for spec in (claim_audit(src, "unsupported"), document_view(src, "004_a9ada38f29686957.txt")):
        path, report = _open(browser, spec, tmp_path)
        assert (report.nodes, report.edges) == (len(spec.nodes), len(spec.edges))
        _only_the_page(report, path)


def test_clicking_a_node_highlights_its_neighbourhood(src, browser, tmp_path):
    spec = document_view(src, "004_a9ada38f29686957.txt")
    _open(browser, spec, tmp_path)
    doc = next(n for n in spec.nodes if n.kind == "document")
    browser.pointer(*browser.node_point(doc.id), click=True)
    time.sleep(0.2)
    state = browser.run(
        "return [document.body.dataset.highlighted, document.getElementById('details').hidden,"
        " document.getElementById('details-heading').textContent];"
    )
    assert state == [str(len(spec.neighbours(doc.id)) + 1), False, doc.tip["h"]]


def test_injected_markup_executes_nothing_and_shows_as_text(browser, tmp_path, write_docs):
    from test_views import EVIL_ORG, build_hostile

    src = ViewSource.open(build_hostile(tmp_path, write_docs))
    for spec in (document_view(src, "evil.txt"), overview(src)):
        path, report = _open(browser, spec, tmp_path)
        assert report.pwned is None  # window.__kgPwned never set
        assert report.images == 0
        assert report.heading == spec.title
        assert report.title == f"{spec.title} · health-claims-kg"
        assert (report.nodes, report.edges) == (len(spec.nodes), len(spec.edges))
        _only_the_page(report, path)
        tips = browser.run(
            "const out = []; window.kgView.nodes.forEach(n => out.push([n.id, n.title.textContent,"
            " Array.from(n.title.querySelectorAll('*')).map(e => e.tagName)])); return out;"
        )
        assert {tag for _, _, tags in tips for tag in tags} <= {"STRONG", "DL", "DT", "DD"}
        assert any("<script>window.__kgPwned=3</script>" in text for _, text, _ in tips)
    assert document_view(src, "evil.txt").title.startswith("Document: Stem cells </title><script>")

    # hover the organization whose name is markup: the tooltip shows the name as text
    org = next(n for n in spec.nodes if n.kind == "organization" and n.label.startswith("<img"))
    browser.pointer(*browser.node_point(org.id))
    deadline = time.time() + 3
    tooltip = None
    while time.time() < deadline and not tooltip:
        tooltip = browser.run(
            "const t = document.querySelector('div.vis-tooltip');"
            "return t && t.style.visibility !== 'hidden'"
            " ? [t.textContent, t.querySelectorAll('img').length] : null;"
        )
        time.sleep(0.05)
    assert tooltip is not None
    assert EVIL_ORG in tooltip[0] and tooltip[1] == 0
    assert browser.run("return window.__kgPwned === undefined;") is True


def test_large_view_draws_precomputed_layout_without_physics(browser, tmp_path):
    nodes = [
        ViewNode(
            f"n{i}", f"urn:x:{i}", "claim", f"claim {i}", "#9e9e9e", "dot", {"h": f"claim {i}", "rows": []}
        )
        for i in range(900)
    ]
    edges = [ViewEdge(f"n{i}", f"n{i // 8}", ["about"]) for i in range(1, 900)]
    spec = ViewSpec("large", "Large view", "900 claims", nodes, edges)
    path, report = _open(browser, spec, tmp_path)
    assert (report.nodes, report.edges) == (900, 899)
    assert browser.run("return window.kgView.data.options.physics.enabled;") is False
    assert "stabilized" not in report.timings  # drawn at once, no stabilisation run
    _only_the_page(report, path)
