"""The HTML views: node/edge data from the store, caps, aggregation, and safe self-contained pages."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import main
from kg.namespaces import ANALYSIS_GRAPH, HCKG, ID, PROV, RDF, RDFS, SCHEMA
from kg.render import (
    ViewError,
    ViewSource,
    build_view,
    claim_audit,
    concept_view,
    document_view,
    overview,
    render_html,
    write_default_views,
    write_html,
)
from kg.render.html import LARGE_VIEW, script_json, vis_options
from kg.render.spec import ViewEdge, ViewNode, ViewSpec
from kg.render.style import SUPPORT_COLOURS, UNGRADED
from kg.render.views import is_unsupported
from kg.store import GraphStore

VOC = "https://w3id.org/hckg/vocab/"
ABSTRACT_004 = "004_a9ada38f29686957.txt"

HOSTILE = {
    "evil.txt": (
        "Stem cells </title><script>window.__kgPwned=1</script> cure "
        '<img src=x onerror="window.__kgPwned=2"> cerebral palsy\n\n'
        "Umbilical cord stem cells cure cerebral palsy in every child "
        "<script>window.__kgPwned=3</script> we treat.\n\n"
        "A 2019 randomised controlled trial of 40 children at Duke University <!-- x --> showed improved "
        'motor function after umbilical cord blood infusion <img src=x onerror="window.__kgPwned=4">.\n\n'
        "Our clinic's stem cell therapy is a game changer for spasticity "
        "</script><script>window.__kgPwned=5</script>.\n"
    )
}
EVIL_ORG = "<img src=x onerror=\"window.__kgPwned='org'\"></title><!--"


@pytest.fixture(scope="module")
def src(built_out) -> ViewSource:
    return ViewSource.open(built_out)


def _select(out: Path, sparql: str) -> list[tuple[str, ...]]:
    store = GraphStore(out, read_only=True)
    return [tuple(t.value for t in row) for row in store.query(sparql)]


def _edges_by_iri(spec: ViewSpec) -> set[tuple[str, str, str]]:
    iri = {n.id: n.iri for n in spec.nodes}
    return {(iri[e.source], rel, iri[e.target]) for e in spec.edges for rel in e.relations}


def build_hostile(tmp_path: Path, write_docs) -> Path:
    """The hostile document built, plus an organization whose name is markup, mentioned by it."""
    out = tmp_path / "hostile-out"
    report = build([write_docs(HOSTILE)], out, exports=())
    assert report.built == ["evil.txt"]
    store = GraphStore(out)
    doc = next(iter(store.documents().values()))
    org, graph = ox.NamedNode(ID + "org/evil"), ox.NamedNode(doc.graph)
    store.store.extend(
        [
            ox.Quad(org, ox.NamedNode(RDF + "type"), ox.NamedNode(HCKG + "Organization"), graph),
            ox.Quad(org, ox.NamedNode(RDFS + "label"), ox.Literal(EVIL_ORG), graph),
            ox.Quad(ox.NamedNode(ID + "doc/" + doc.doc_id), ox.NamedNode(SCHEMA + "mentions"), org, graph),
        ]
    )
    store.flush()
    del store
    return out


# -- node and edge data ---------------------------------------------------------------------------
def test_overview_has_every_document_claim_and_study(src, built_out):
    spec = overview(src)
    counts = spec.kind_counts()
    n_claims = len(_select(built_out, f"SELECT DISTINCT ?c WHERE {{ ?c a <{HCKG}Claim> }}"))
    n_studies = len(_select(built_out, f"SELECT DISTINCT ?s WHERE {{ ?s a <{HCKG}StudyMention> }}"))
    assert counts["document"] == 5
    assert counts["claim"] == n_claims > 50
    assert counts["study"] == n_studies > 5
    assert counts["organization"] == 4
    assert not spec.aggregated and not spec.truncated and spec.notes == []
    assert {n.label for n in spec.nodes if n.kind == "organization"} == {
        "Beike",
        "Duke University",
        "Hospital 463 of PLA",
        "Vinmec International Hospital",
    }
    # every claim links to the document it came from
    edges = _edges_by_iri(spec)
    for claim, doc in _select(
        built_out, f"SELECT ?c ?d WHERE {{ ?c a <{HCKG}Claim> ; <{PROV}wasDerivedFrom> ?d }}"
    ):
        assert (claim, "wasDerivedFrom", doc) in edges
    # concepts only documents mention (no claim or study is about them) are left out
    concept_nodes = [n for n in spec.nodes if n.kind == "concept"]
    assert all(any(e.target == n.id or e.source == n.id for e in spec.edges) for n in concept_nodes)


def test_node_ids_are_opaque_and_edges_consistent(src):
    spec = overview(src)
    ids = [n.id for n in spec.nodes]
    assert all(re.fullmatch(r"n\d+", i) for i in ids)
    assert len(set(ids)) == len(ids)
    known = set(ids)
    assert all(e.source in known and e.target in known for e in spec.edges)
    assert len({(e.source, e.target) for e in spec.edges}) == len(spec.edges)  # parallel links merged


def test_claims_and_studies_coloured_by_grading(src, built_out):
    spec = overview(src)
    status = dict(_select(built_out, f"SELECT ?c ?s WHERE {{ ?c <{HCKG}supportStatus> ?s }}"))
    claims = [n for n in spec.nodes if n.kind == "claim"]
    assert {n.status for n in claims} >= {"unsupported", "weakly-supported"}
    for node in claims:
        assert node.status == status.get(node.iri, UNGRADED)
        assert node.colour == SUPPORT_COLOURS[node.status]
    levels = dict(_select(built_out, f"SELECT ?s ?l WHERE {{ ?s <{HCKG}evidenceLevel> ?l }}"))
    for node in (n for n in spec.nodes if n.kind == "study"):
        assert node.status == levels[node.iri]
    legend = {(e["section"], e["text"]) for e in spec.legend}
    assert ("Claim support", "ungraded (grading has not run)") in legend
    assert ("Study evidence", "level 2 (RCT)") in legend


def test_tooltips_carry_quote_document_and_grade_reasons(src, built_out):
    spec = overview(src)
    flagged = _select(
        built_out,
        f"SELECT ?c ?q ?why WHERE {{ ?c <{HCKG}flagReason> ?r ; <{HCKG}quote> ?q . "
        f"?r <{HCKG}explanation> ?why }}",
    )
    claim, quote, why = sorted(flagged)[0]
    node = spec.node(claim)
    rows = dict(node.tip["rows"])
    assert rows["Quote"] == quote
    assert rows["Document"].endswith(".txt)")
    assert any(why in text for name, text in node.tip["rows"] if name.startswith("Flag: "))
    assert node.flagged and node.size > 11


def test_ungraded_graph_shows_ungraded_grey(tmp_path, write_docs):
    out = tmp_path / "out"
    build([write_docs(HOSTILE)], out, exports=())
    store = GraphStore(out)
    store.remove_graph(ANALYSIS_GRAPH)
    store.flush()
    del store
    src = ViewSource.open(out)
    spec = overview(src)
    claims = [n for n in spec.nodes if n.kind == "claim"]
    assert len(claims) == 3
    assert {n.status for n in claims} == {UNGRADED}
    assert {n.colour for n in claims} == {"#9e9e9e"}
    assert "Not graded yet" in spec.summary
    audit = claim_audit(src, "unsupported")
    assert audit.nodes == [] and "has not been graded yet" in audit.notes[0]


def test_claim_audit_lists_unsupported_claims_with_their_evidence(src, built_out):
    spec = claim_audit(src, "unsupported")
    expected = {c.iri for c in src.data.claims.values() if is_unsupported(c)}
    rows = _select(
        built_out,
        f"""SELECT DISTINCT ?c WHERE {{ ?c a <{HCKG}Claim> .
            {{ ?c <{HCKG}supportStatus> ?s FILTER(?s IN ("unsupported", "contradicted")) }}
            UNION {{ ?c <{HCKG}flagged> true }} }}""",
    )
    assert expected == {r[0] for r in rows}
    assert {n.iri for n in spec.nodes if n.kind == "claim"} == expected
    assert spec.title == "Claim audit: unsupported, contradicted and flagged claims"
    edges = _edges_by_iri(spec)
    for claim, study in _select(built_out, f"SELECT ?c ?s WHERE {{ ?c <{HCKG}bearingEvidence> ?s }}"):
        if claim in expected:
            assert (claim, "bearingEvidence", study) in edges
    for claim, concept in _select(built_out, f"SELECT ?c ?k WHERE {{ ?c <{HCKG}about> ?k }}"):
        if claim in expected:
            assert (claim, "about", concept) in edges
    assert {n.kind for n in spec.nodes} <= {"claim", "study", "concept", "document"}


def test_claim_audit_cut_to_the_cap_keeps_the_worst_first(src):
    spec = claim_audit(src, "all", cap=40)
    assert len(spec.nodes) <= 40
    assert spec.truncated
    shown = [src.data.claims[n.iri] for n in spec.nodes if n.kind == "claim"]
    assert 0 < len(shown) < len(src.data.claims)
    assert re.match(
        rf"Showing {len(shown)} of {len(src.data.claims)} claims \(the node cap is 40\)", spec.notes[0]
    )
    from kg.render.views import _claim_rank

    hidden = [c for c in src.data.claims.values() if c.iri not in {s.iri for s in shown}]
    assert max(_claim_rank(c)[0] for c in shown) <= min(_claim_rank(c)[0] for c in hidden)


def test_document_view_by_id_or_file_name(src):
    by_name = document_view(src, ABSTRACT_004)
    by_id = document_view(src, "57ef8105cf8627b2")
    assert [n.iri for n in by_name.nodes] == [n.iri for n in by_id.nodes]
    assert by_name.name == "doc-57ef8105cf8627b2"
    assert by_name.title.startswith("Document: Cerebral palsy refers to a neurological disorder")
    assert [n.label for n in by_name.nodes if n.kind == "organization"] == ["Hospital 463 of PLA"]
    docs = [n for n in by_name.nodes if n.kind == "document"]
    assert [d.iri for d in docs] == [ID + "doc/57ef8105cf8627b2"]
    own = {c.iri for c in src.data.claims.values() if c.get("wasDerivedFrom") == docs[0].iri}
    assert {n.iri for n in by_name.nodes if n.kind == "claim"} == own
    with pytest.raises(ViewError, match=r"no document 'nope\.txt' in the graph \(try: "):
        document_view(src, "nope.txt")


def test_concept_view_follows_narrower_and_shows_broader_chain(src):
    spec = concept_view(src, "msc")
    concepts = {n.iri for n in spec.nodes if n.kind == "concept"}
    assert {VOC + "msc", VOC + "uc-msc", VOC + "stem-cell"} <= concepts
    about_uc = {c.iri for c in src.data.claims.values() if VOC + "uc-msc" in c.all("about")}
    assert about_uc and about_uc <= {n.iri for n in spec.nodes}  # narrower concept's claims included
    narrow = concept_view(src, "uc-msc")
    edges = _edges_by_iri(narrow)
    assert (VOC + "uc-msc", "broader", VOC + "msc") in edges
    assert (VOC + "msc", "broader", VOC + "stem-cell") in edges
    assert narrow.title == "Concept: umbilical cord mesenchymal stem cells (uc-msc)"
    assert {n.iri for n in narrow.nodes if n.kind == "claim"} == about_uc
    with pytest.raises(ViewError, match=r"no concept 'ucmsc' in the vocabulary \(did you mean: uc-msc"):
        concept_view(src, "ucmsc")


def test_overview_past_the_cap_is_aggregated(src):
    spec = overview(src, cap=60)
    assert spec.aggregated and len(spec.nodes) <= 60
    assert spec.title == "Corpus overview (aggregated)"
    assert spec.notes[0].startswith("Aggregated: the full graph has")
    legend = {e["text"] for e in spec.legend if e["section"] == "Nodes"}
    assert {"Claim group (count)", "Concept"} <= legend
    groups = [n for n in spec.nodes if n.kind == "claim"]
    assert groups and all(n.count for n in groups)
    # a claim group's count is the number of claims about its concept with its status
    group = max(groups, key=lambda n: n.count)
    concept_id = next(e.target for e in spec.edges if e.source == group.id)
    concept = next(n for n in spec.nodes if n.id == concept_id)
    expected = sum(
        1
        for c in src.data.claims.values()
        if concept.iri in c.all("about") and (c.get("supportStatus") or UNGRADED) == group.status
    )
    assert group.count == expected
    assert next(e for e in spec.edges if e.source == group.id).label == f"about ({expected:,})"


def test_build_view_rejects_two_focuses_and_tiny_caps(src):
    with pytest.raises(ViewError, match="choose one focus, not --doc and --concept"):
        build_view(src, doc=ABSTRACT_004, concept="msc")
    with pytest.raises(ViewError, match="node cap 3 is too small"):
        build_view(src, cap=3)
    with pytest.raises(ViewError, match="unknown claim filter 'some'"):
        build_view(src, claims="some")


# -- pages ----------------------------------------------------------------------------------------
def _scripts(page: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S)


def test_page_is_self_contained(src):
    page = render_html(overview(src))
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page, flags=re.I)
    assert "sourceMappingURL" not in page
    assert "cdn." not in page and "cdnjs" not in page
    assert len(_scripts(page)) == 3  # graph data, vis-network, page script
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert html.unescape(csp).startswith("default-src 'none'; script-src 'sha256-")


def test_csp_hashes_match_the_inline_scripts(src):
    import base64
    import hashlib

    page = render_html(overview(src))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    hashes = set(re.findall(r"'sha256-([^']+)'", html.unescape(csp)))
    executable = [s for s in _scripts(page)[1:]]
    assert {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in executable} == hashes


def test_hostile_text_is_escaped_everywhere(tmp_path, write_docs):
    out = build_hostile(tmp_path, write_docs)
    src = ViewSource.open(out)
    doc = next(iter(src.data.documents.values()))
    for spec in (overview(src), document_view(src, "evil.txt"), claim_audit(src, "all")):
        page = render_html(spec)
        scripts = _scripts(page)
        assert len(scripts) == 3
        data = json.loads(scripts[0])
        assert "<" not in scripts[0] and "\\u003c/script\\u003e" in scripts[0]
        tips = json.dumps([n["tip"] for n in data["nodes"]])
        assert "window.__kgPwned=3" in tips  # the hostile sentence is there, as data
        if spec.name != "claims-all":
            assert EVIL_ORG[:30] in {n["label"][:30] for n in data["nodes"]}
        # no markup from the document got through (vis-network's own code is set aside)
        assert page.replace(scripts[1], "").count("<script") == 3
        assert "<img" not in page and "<!-- x" not in page and "</title><" not in page
    page = render_html(document_view(src, "evil.txt"))
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
    assert html.unescape(title).startswith("Document: Stem cells </title><script>window.__kgPwned=1</script>")
    heading = re.search(r"<h1>(.*?)</h1>", page, flags=re.S).group(1)
    assert "&lt;/title&gt;&lt;script&gt;" in heading
    assert doc.get("title").startswith("Stem cells </title>")


def test_script_json_escapes_markup_and_separators():
    text = script_json({"a": "</script><!-- & \u2028 \u2029 >"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028 \u2029 >"}


def test_large_views_get_precomputed_positions_and_no_physics():
    nodes = [
        ViewNode(f"n{i}", f"urn:x:{i}", "claim", f"c{i}", "#9e9e9e", "dot", {"h": "", "rows": []})
        for i in range(450)
    ]
    edges = [ViewEdge(f"n{i}", f"n{i // 10}", ["about"]) for i in range(1, 450)]
    spec = ViewSpec("big", "Big", "450 claims", nodes, edges)
    assert len(nodes) > LARGE_VIEW
    assert vis_options(spec)["physics"]["enabled"] is False
    data = json.loads(_scripts(render_html(spec))[0])
    xs = {(n["x"], n["y"]) for n in data["nodes"]}
    assert len(xs) > 400  # spread out, not stacked
    small = ViewSpec("small", "Small", "", nodes[:20], edges[:19])
    assert vis_options(small)["physics"]["enabled"] is True
    assert "x" not in json.loads(_scripts(render_html(small))[0])["nodes"][0]


# -- writing and the CLI --------------------------------------------------------------------------
def test_write_default_views(tmp_path, write_docs):
    out = tmp_path / "out"
    build([write_docs(HOSTILE)], out, exports=())
    paths = write_default_views(out)
    assert [p.name for p in paths] == ["overview.html", "claims-unsupported.html"]
    assert all(p.parent == out / "views" and p.stat().st_size > 400_000 for p in paths)


def test_cli_view_writes_page(built_out, tmp_path):
    target = tmp_path / "uc.html"
    result = CliRunner().invoke(
        main, ["view", "--out", str(built_out), "--concept", "uc-msc", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Concept: umbilical cord mesenchymal stem cells (uc-msc): 4 documents;")
    assert lines[-1] == f"wrote {target}"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_view_cut_prints_note(built_out, tmp_path):
    target = tmp_path / "audit.html"
    args = ["view", "--out", str(built_out), "--claims", "all", "--max-nodes", "30", "-o", str(target)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert re.search(r"^note: Showing \d+ of \d+ claims \(the node cap is 30\)", result.output, flags=re.M)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--concept", "nope"], "Error: no concept 'nope' in the vocabulary"),
        (["--doc", "missing.txt"], "Error: no document 'missing.txt' in the graph"),
        (["--doc", ABSTRACT_004, "--concept", "msc"], "Error: choose one focus, not --doc and --concept"),
    ],
)
def test_cli_view_errors_are_one_line(built_out, tmp_path, args, message):
    result = CliRunner().invoke(
        main, ["view", "--out", str(built_out), "-o", str(tmp_path / "x.html"), *args]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert result.output.startswith(message)
    assert not (tmp_path / "x.html").exists()


def test_cli_view_without_a_graph(tmp_path):
    result = CliRunner().invoke(main, ["view", "--out", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no graph built here (run `kg build` first)" in result.output


def test_cli_build_writes_default_views_unless_told_not_to(tmp_path, write_docs):
    docs = write_docs(HOSTILE)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(docs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'views' / 'overview.html'}" in result.output.splitlines()
    assert (out / "views" / "claims-unsupported.html").is_file()
    other = tmp_path / "other"
    result = CliRunner().invoke(main, ["build", str(docs), "--out", str(other), "--no-views"])
    assert result.exit_code == 0, result.output
    assert not (other / "views").exists()


def test_written_page_round_trips_node_data(src, tmp_path):
    spec = claim_audit(src, "unsupported")
    path = write_html(spec, tmp_path / "views" / "a.html")
    data = json.loads(_scripts(path.read_text(encoding="utf-8"))[0])
    assert [n["id"] for n in data["nodes"]] == [n.id for n in spec.nodes]
    assert [(e["source"], e["target"], e["label"]) for e in data["edges"]] == [
        (e.source, e.target, e.label) for e in spec.edges
    ]
    assert data["options"]["physics"]["enabled"] is True
    as_dict = json.loads(json.dumps(spec.to_dict()))
    assert as_dict["edges"][0]["label"] == spec.edges[0].label
