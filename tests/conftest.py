"""Shared fixtures: the bundled corpus built once per session into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def built_out(tmp_path_factory) -> Path:
    """An out folder holding the graph of the bundled corpus (read it; do not write to it)."""
    out = tmp_path_factory.mktemp("bundled-out")
    report = build(None, out, exports=("ttl",))
    assert not report.errors
    return out


@pytest.fixture
def write_docs(tmp_path):
    """Write small documents {name: text} into a fresh folder and return it."""

    def _write(docs: dict[str, str | bytes]) -> Path:
        folder = tmp_path / "docs"
        folder.mkdir(exist_ok=True)
        for name, content in docs.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    return _write
