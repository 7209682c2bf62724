"""Where the project's data files live (ontology, bundled corpus)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_CORPUS = PACKAGE_DIR / "corpus"
DEFAULT_OUT = Path("out")


def ontology_dir() -> Path:
    """The ontology folder: $KG_ONTOLOGY, the source checkout's `ontology/`, or the packaged copy."""
    env = os.environ.get("KG_ONTOLOGY")
    if env:
        return Path(env)
    for candidate in (PACKAGE_DIR.parent / "ontology", PACKAGE_DIR / "ontology"):
        if (candidate / "vocabulary.ttl").is_file():
            return candidate
    raise FileNotFoundError("ontology folder not found; set KG_ONTOLOGY")
