"""Lexical cue sets loaded from `ontology/lexicon.ttl`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, RDFS

from kg.paths import ontology_dir

HCKG = Namespace("https://w3id.org/hckg/ontology#")
LEX = Namespace("https://w3id.org/hckg/lexicon/")


def term_pattern(term: str) -> str:
    """Regex source for a cue term: spaces match white space or hyphens, trailing * a word end."""
    wildcard = term.endswith("*")
    core = term[:-1] if wildcard else term
    parts = [re.escape(p) for p in core.split()]
    body = r"[\s\-]+".join(parts)
    if wildcard:
        body += r"\w*"
    head = r"\b" if core[:1].isalnum() else ""
    tail = r"\b" if (wildcard or core[-1:].isalnum()) else ""
    return head + body + tail


@dataclass(frozen=True)
class CueSet:
    """A named set of cues compiled into one case-insensitive regex."""

    name: str
    label: str
    terms: tuple[str, ...]
    pattern: re.Pattern[str]
    weight: float = 1.0
    priority: int = 100

    def find(self, text: str) -> list[str]:
        """Distinct cues found in `text`, lower-cased, in order of appearance."""
        seen: list[str] = []
        for m in self.pattern.finditer(text):
            cue = re.sub(r"\s+", " ", m.group(0).lower())
            if cue not in seen:
                seen.append(cue)
        return seen

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)

    def count(self, text: str) -> int:
        return len(self.find(text))


class Lexicon:
    """All cue sets, by their local name (`hedge`, `type-safety`, ...)."""

    def __init__(self, sets: dict[str, CueSet]):
        self.sets = sets

    def __getitem__(self, name: str) -> CueSet:
        return self.sets[name]

    def prefixed(self, prefix: str) -> list[CueSet]:
        """Cue sets whose name starts with `prefix`, by priority."""
        found = [s for n, s in self.sets.items() if n.startswith(prefix)]
        return sorted(found, key=lambda s: (s.priority, s.name))


def _load(path: Path) -> Lexicon:
    g = Graph().parse(path)
    sets: dict[str, CueSet] = {}
    for node in sorted(g.subjects(RDF.type, HCKG.CueSet)):
        name = str(node).removeprefix(str(LEX))
        terms = sorted({str(t) for t in g.objects(node, HCKG["term"])}, key=lambda t: (-len(t), t))
        regexes = sorted(str(r) for r in g.objects(node, HCKG.regex))
        alternatives = [term_pattern(t) for t in terms] + regexes
        if not alternatives:
            continue
        flags = re.MULTILINE
        if not g.value(node, HCKG.caseSensitive):
            flags |= re.IGNORECASE
        weight = g.value(node, HCKG.weight)
        priority = g.value(node, HCKG.priority)
        label = g.value(node, RDFS.label)
        sets[name] = CueSet(
            name=name,
            label=str(label) if label else name,
            terms=tuple(terms),
            pattern=re.compile("|".join(f"(?:{a})" for a in alternatives), flags),
            weight=float(weight.toPython()) if isinstance(weight, Literal) else 1.0,
            priority=int(priority.toPython()) if isinstance(priority, Literal) else 100,
        )
    return Lexicon(sets)


@lru_cache(maxsize=4)
def load_lexicon(path: Path | None = None) -> Lexicon:
    """Load (and cache) the lexicon from `path` or the ontology folder."""
    return _load(path or ontology_dir() / "lexicon.ttl")
