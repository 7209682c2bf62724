"""kg eval: scoring against gold files (GOLD-FORMAT.md, version 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import EvalError
from kg.evaluate import evaluate, load_gold
from kg.paths import BUNDLED_CORPUS

GOLD = Path(__file__).parent / "data" / "seeds.gold.jsonl"


@pytest.fixture(scope="module")
def dev_scores():
    return evaluate(GOLD, BUNDLED_CORPUS)


def test_development_gold_meets_the_bars(dev_scores):
    s = dev_scores
    assert s["concepts"]["f1"] >= 0.90
    assert s["organizations"]["f1"] >= 0.85
    assert s["countries"]["f1"] >= 0.95
    assert s["studies"]["f1"] >= 0.85 and s["studies"]["design_accuracy"] >= 0.85
    assert s["claims"]["f1"] >= 0.75 and s["claims"]["hedged_accuracy"] >= 0.85
    assert s["flags"]["f1"] >= 0.80
    assert s["reasons"]["f1"] >= 0.60


UNSEEN = sorted((Path(__file__).parent / "data" / "unseen").glob("round*"))


def test_documents_written_after_the_rules_meet_the_bars():
    """Sixty-six documents written after the extractor, three per round, each round's gold written
    before the extractor saw it (clinic pages in Mexico, India, Ukraine, Costa Rica, Vietnam, China,
    Colombia and Germany, one machine-translated, one treating several conditions; cohort, RCT,
    pilot, neonatal and phase 1 abstracts that never say "this study", negative RCTs, a narrative
    review article, a systematic review and a plain-language summary, a case report, a clinic's
    star-rated reviews and an FAQ page, blogs, a listicle, a parent's
    forum post, a forum thread and a family blog, local news, a magazine feature, a TV transcript, an
    expert's Q&A, press releases, a regulator's consumer warning, a trial registry record, a family's
    fundraising page, a clinic's page citing PubMed ids, a hospital's leaflet for parents, a conference
    poster abstract, a clinic's social-media posts, an insurer's coverage policy, a clinic's newsletter,
    a family's video diary, a preprint, a supplement's product page, a letter to a journal's editor).
    Each round is scored as its own corpus, as it was written (flags depend on the rest of the
    corpus), and the counts are summed over the rounds."""
    assert len(UNSEEN) == 22
    totals: dict[str, list[int]] = {}
    kinds = []
    for folder in UNSEEN:
        s = evaluate(folder / "gold.jsonl", folder)
        kinds.append(s["documents"]["kind_accuracy"])
        for section in ("concepts", "studies", "claims", "flags"):
            counts = totals.setdefault(section, [0, 0, 0])
            for i, key in enumerate(("tp", "fp", "fn")):
                counts[i] += s[section][key]

    def f1(section: str) -> float:
        tp, fp, fn = totals[section]
        return 2 * tp / (2 * tp + fp + fn)

    assert kinds == [1.0] * len(UNSEEN)
    assert f1("concepts") >= 0.90
    assert f1("studies") >= 0.85
    assert f1("claims") >= 0.85
    assert f1("flags") >= 0.75


def test_eval_json_has_every_section(tmp_path):
    result = CliRunner().invoke(main, ["eval", str(GOLD), "--docs", str(BUNDLED_CORPUS), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {
        "documents",
        "concepts",
        "organizations",
        "countries",
        "studies",
        "claims",
        "flags",
        "reasons",
    }
    assert data["documents"]["kind_accuracy"] == 1.0  # all five kinds right
    for section in data.values():
        assert {"precision", "recall", "f1"} <= set(section)
    assert {"design_accuracy", "n_accuracy", "identifiable_accuracy"} <= set(data["studies"])
    assert {"type_accuracy", "hedged_accuracy"} <= set(data["claims"])


def test_eval_does_not_touch_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["eval", str(GOLD), "--docs", str(BUNDLED_CORPUS)])
    assert result.exit_code == 0
    assert not (tmp_path / "out").exists()


def test_small_gold_of_our_own(write_docs, tmp_path):
    folder = write_docs(
        {
            "page.txt": (
                "Families travel to the Vita Clinic in Costa Rica for cord blood infusions.\n\n"
                "A widely reported study showed that cord blood improves speech."
            )
        }
    )
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "doc": "page.txt",
                "concepts": {
                    "cell_source": ["cord-blood"],
                    "outcome": ["speech-language"],
                    "route": [],
                    "condition": [],
                },
                "organizations": ["Vita Clinic"],
                "countries": ["CR"],
                "studies": [
                    {
                        "anchor": "A widely reported study",
                        "design": "unspecified",
                        "n": None,
                        "identifiable": False,
                    }
                ],
                "claims": [
                    {
                        "anchor": "cord blood improves speech",
                        "type": "efficacy",
                        "hedged": False,
                        "flag": True,
                        "reasons": ["vague-citation"],
                    }
                ],
            }
        )
        + "\n"
    )
    s = evaluate(gold, folder)
    assert s["organizations"]["f1"] == 1.0 and s["countries"]["f1"] == 1.0
    assert s["studies"]["recall"] == 1.0 and s["studies"]["design_accuracy"] == 1.0
    assert s["claims"]["recall"] == 1.0
    assert s["flags"]["recall"] == 1.0 and s["reasons"]["f1"] == 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "no gold records"), ("{not json\n", "not valid JSON"), ('["a list"]\n', "'doc' name")],
)
def test_malformed_gold_files_are_reported_by_line(tmp_path, content, message):
    gold = tmp_path / "g.jsonl"
    gold.write_text(content)
    with pytest.raises(EvalError, match=message):
        load_gold(gold)


def test_anchor_missing_from_document_is_an_error(write_docs, tmp_path):
    folder = write_docs({"a.txt": "Stem cells may help."})
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"doc": "a.txt", "claims": [{"anchor": "not there"}]}) + "\n")
    result = CliRunner().invoke(main, ["eval", str(gold), "--docs", str(folder)])
    assert result.exit_code == 1
    assert "anchor 'not there' is not in the document" in result.output


def test_concepts_without_a_gold_format_key_are_not_scored(tmp_path):
    """The vocabulary knows autism; GOLD-FORMAT has no key for it, so no gold file can list it and
    finding it is neither a hit nor a false hit."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "clinic.txt").write_text(
        "Our clinic treats autism and cerebral palsy with umbilical cord stem cells.", encoding="utf-8"
    )
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "doc": "clinic.txt",
                "kind": "clinic-marketing",
                "concepts": {"cell_source": ["uc-msc"], "condition": ["cerebral-palsy"]},
                "organizations": [],
                "countries": [],
                "studies": [],
                "claims": [],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    concepts = evaluate(gold, docs)["concepts"]
    assert (concepts["tp"], concepts["fp"], concepts["fn"]) == (2, 0, 0)
