"""Where the project's data files live (ontology, bundled corpus)."""

from __future__ import annotations

import hashlib
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


def files_fingerprint(files: list[Path]) -> str:
    """Hash of the package version and the names and contents of `files` (what a cached result
    was made from)."""
    from kg import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
