"""The SKOS vocabulary (`ontology/vocabulary.ttl`) and a fast dictionary matcher over it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import SKOS

from kg.paths import ontology_dir
from kg.screen import Alternation, Screened, screened
from kg.text import MatchView, match_view, normalise_label

HCKG = Namespace("https://w3id.org/hckg/ontology#")
VOC = Namespace("https://w3id.org/hckg/vocab/")


@dataclass
class Concept:
    iri: str
    notation: str
    key: str  # the key it is reported under (eval, reports)
    ctype: str  # cell_source | route | outcome | condition | tissue
    label: str
    broader: list[str] = field(default_factory=list)
    generic: bool = False
    implies: str | None = None  # tissue -> cell source IRI


@dataclass(frozen=True)
class Hit:
    """A vocabulary match: offsets into the original text."""

    start: int
    end: int
    concept: str
    surface: str


def label_variants(label: str) -> set[str]:
    """Folded label with simple plural/singular variants of its last word."""
    base = normalise_label(label)
    out = {base}
    words = base.split(" ")
    last = words[-1]
    if last.endswith("ies"):
        out.add(" ".join([*words[:-1], last[:-3] + "y"]))
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        out.add(" ".join([*words[:-1], last[:-1]]))
    elif last[-1:].isalpha():
        plural = last[:-1] + "ies" if last.endswith("y") else last + "s"
        out.add(" ".join([*words[:-1], plural]))
    return out


class Vocabulary:
    """Concepts by IRI with a leftmost-longest dictionary matcher."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.concepts: dict[str, Concept] = {}
        scheme_type = {str(s): str(t) for s, t in graph.subject_objects(HCKG.conceptType)}
        for c in sorted(set(graph.subjects(SKOS.inScheme, None))):
            scheme = graph.value(c, SKOS.inScheme)
            ctype = scheme_type.get(str(scheme), "other")
            notation = str(graph.value(c, SKOS.notation) or str(c).rsplit("/", 1)[-1])
            key = str(graph.value(c, HCKG.reportingKey) or notation)
            implies = graph.value(c, HCKG.impliesCellSource)
            self.concepts[str(c)] = Concept(
                iri=str(c),
                notation=notation,
                key=key,
                ctype=ctype,
                label=str(graph.value(c, SKOS.prefLabel) or notation),
                broader=sorted(str(b) for b in graph.objects(c, SKOS.broader)),
                generic=bool(graph.value(c, HCKG.generic)),
                implies=str(implies) if implies else None,
            )
        cells = [c for c in self.concepts.values() if c.ctype == "cell_source"]
        self.generic_cells = frozenset(c.iri for c in cells if c.generic)
        self.top_generic_cells = frozenset(c.iri for c in cells if c.generic and not c.broader)
        self.specific_cells = frozenset(c.iri for c in cells if not c.generic)
        # tissues that name a cell source ("bone marrow" next to "stem cells")
        self.cell_tissues = frozenset(
            c.iri for c in self.concepts.values() if c.ctype == "tissue" and c.implies
        )
        self._folded = ahocorasick.Automaton()
        self._exact = ahocorasick.Automaton()
        self._regexes: list[tuple[Alternation, str]] = []
        for iri in self.concepts:
            node = URIRef(iri)
            labels = [
                str(v)
                for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
                for v in graph.objects(node, p)
            ]
            for label in labels:
                for variant in label_variants(label):
                    self._add(self._folded, variant, iri)
            for label in graph.objects(node, HCKG.caseSensitiveLabel):
                self._add(self._exact, match_view(str(label), lower=False).text.strip(), iri)
            for rx in graph.objects(node, HCKG.regex):
                self._regexes.append((screened(str(rx), re.IGNORECASE), iri))
        self._folded.make_automaton()
        self._exact.make_automaton()
        # "GMFCS level IV" is no intravenous route: words after which a concept's label is not it
        self._not_after = {
            iri: frozenset(str(w).lower() for w in graph.objects(URIRef(iri), HCKG.notAfter))
            for iri in self.concepts
            if (URIRef(iri), HCKG.notAfter, None) in graph
        }

    @staticmethod
    def _add(automaton: ahocorasick.Automaton, key: str, iri: str) -> None:
        if key and key not in automaton:
            automaton.add_word(key, (len(key), iri))

    def concept(self, iri: str) -> Concept:
        return self.concepts[iri]

    def by_key(self, key: str) -> Concept | None:
        for c in self.concepts.values():
            if c.notation == key:
                return c
        return None

    def ancestors(self, iri: str) -> list[str]:
        """All broader concepts, nearest first."""
        out: list[str] = []
        frontier = list(self.concepts[iri].broader) if iri in self.concepts else []
        while frontier:
            b = frontier.pop(0)
            if b not in out:
                out.append(b)
                frontier.extend(self.concepts[b].broader if b in self.concepts else [])
        return out

    def match(self, screened: str | Screened) -> list[Hit]:
        """Leftmost-longest, word-bounded concept matches in a text (screened or not)."""
        text = screened.text if isinstance(screened, Screened) else screened
        exact = match_view(text, lower=False)
        # (start, -length, iri, end): sorted, the leftmost first, then the longest, then by IRI
        candidates = _scan(exact.lowered(), self._folded) + _scan(exact, self._exact)
        for rx, iri in self._regexes:
            candidates.extend((m.start(), m.start() - m.end(), iri, m.end()) for m in rx.finditer(screened))
        candidates.sort()
        hits: list[Hit] = []
        last_end = -1
        for start, _, iri, end in candidates:
            if start < last_end or self._after_blocked(text, start, iri):
                continue
            hits.append(Hit(start, end, iri, text[start:end]))
            last_end = end
        return hits

    def _after_blocked(self, text: str, start: int, iri: str) -> bool:
        """Whether the word before the hit is one after which the concept's label means something else."""
        words = self._not_after.get(iri)
        if not words:
            return False
        before = text[max(0, start - 30) : start].split()
        if len(before) > 1 and before[-1].endswith(("-", "\u2013")):
            before.pop()  # a range: "GMFCS II-IV" is blocked by the word before "II-"
        return bool(before) and before[-1].lower().strip("(,") in words


def _scan(view: MatchView, automaton: ahocorasick.Automaton) -> list[tuple[int, int, str, int]]:
    """Word-bounded label matches in `view`: (start, -length, iri, end) in the original text."""
    if len(automaton) == 0:
        return []
    t = view.text
    size = len(t)
    bounds = view.bounds
    out = []
    for last, (length, iri) in automaton.iter(t):
        first = last - length + 1
        if first > 0 and (t[first - 1].isalnum() or t[first - 1] == "'"):
            continue
        if last + 1 < size and t[last + 1].isalnum():
            continue
        start, end = bounds(first, last + 1)
        out.append((start, start - end, iri, end))
    return out


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Load (and cache) the vocabulary from `path` or the ontology folder."""
    return Vocabulary(Graph().parse(path or ontology_dir() / "vocabulary.ttl"))
