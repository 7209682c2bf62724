"""CLI: every command has help; reports in each format."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name, command in main.commands.items():
        assert command.help, name
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output, name


@pytest.mark.parametrize("name", ["unsupported", "claims", "studies", "documents", "summary"])
@pytest.mark.parametrize("fmt", ["table", "md", "json"])
def test_reports_in_every_format(built_out, name, fmt):
    result = CliRunner().invoke(main, ["report", name, "--out", str(built_out), "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output)
        assert data
    elif fmt == "md":
        assert result.output.startswith("|")


def test_unsupported_report_shows_quote_reasons_rules_and_path(built_out):
    result = CliRunner().invoke(
        main,
        [
            "report",
            "unsupported",
            "--out",
            str(built_out),
            "--format",
            "json",
            "--doc",
            "000_b4f03eda273f19a4.txt",
            "--reason",
            "vague-citation",
        ],
    )
    rows = json.loads(result.output)
    widely = next(r for r in rows if "widely cited study" in r["quote"])
    reason = widely["reasons"][0]
    assert reason["code"] == "vague-citation" and reason["rule"] == "claim.vague-citation"
    assert "unidentifiable" in reason["evidence_path"]


def test_summary_counts(built_out):
    runner = CliRunner()
    data = json.loads(
        runner.invoke(main, ["report", "summary", "--out", str(built_out), "--format", "json"]).output
    )
    flagged = json.loads(
        runner.invoke(main, ["report", "unsupported", "--out", str(built_out), "--format", "json"]).output
    )
    assert data["documents"] == 5
    assert data["flagged"] == len(flagged) > 0
    assert sum(data["by_status"].values()) == data["claims"]
    assert data["by_status"]["contradicted"] >= 2
    assert data["by_reason"]["vague-citation"] >= 10


def test_bad_filters_and_missing_graph_are_one_line_errors(built_out, tmp_path):
    runner = CliRunner()
    bad = runner.invoke(main, ["report", "claims", "--out", str(built_out), "--cell-source", "unicorn"])
    assert bad.exit_code == 1 and "unknown concept key 'unicorn'" in bad.output
    missing = runner.invoke(main, ["report", "claims", "--out", str(tmp_path / "nothing")])
    assert missing.exit_code == 1 and "no graph built here" in missing.output
    assert "Traceback" not in missing.output


def test_markdown_escapes_pipes(built_out):
    from kg.formatting import markdown_table

    assert markdown_table(["a"], [["x | y"]]).splitlines()[2] == "| x \\| y |"
