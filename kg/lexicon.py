"""Lexical cue sets loaded from `ontology/lexicon.ttl`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, RDFS

from kg.errors import OntologyError
from kg.paths import ontology_dir
from kg.screen import SHARED, Alternation, Screened

HCKG = Namespace("https://w3id.org/hckg/ontology#")
LEX = Namespace("https://w3id.org/hckg/lexicon/")


_SPACES = re.compile(r"\s+")


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


def lowered_term_pattern(term: str) -> str | None:
    """Regex source that matches lower-cased text case-sensitively exactly where `term_pattern`
    matches the text ignoring case, and starts with a literal (so it is searched fast); None for
    a term that is not ASCII."""
    wildcard = term.endswith("*")
    core = term[:-1] if wildcard else term
    parts = [re.escape(p.lower()) for p in core.split()]
    if not term.isascii() or not parts:
        return None
    head = rf"(?<!\w{parts[0]})" if core[:1].isalnum() else ""  # `\b` before the first word
    body = parts[0] + head + "".join(r"[\s\-]+" + p for p in parts[1:])
    if wildcard:
        body += r"\w*"
    tail = r"\b" if (wildcard or core[-1:].isalnum()) else ""
    return body + tail


@dataclass(frozen=True)
class CueSet:
    """A named set of cues compiled into one case-insensitive regex, one alternative a cue.

    `find` and `search` run only the cues that may occur in the text (see kg.screen), which
    finds the same as the whole regex.
    """

    name: str
    label: str
    terms: tuple[str, ...]
    alternation: Alternation
    weight: float = 1.0
    priority: int = 100
    reports_own_study: bool = False  # (document kinds) such documents report a study of their own

    @property
    def pattern(self) -> re.Pattern[str]:
        """The whole regex."""
        return self.alternation.pattern

    def finditer(self, text: str | Screened) -> Iterator[re.Match[str]]:
        """The regex's matches in `text`, as `pattern.finditer` gives them."""
        return self.alternation.finditer(text)

    def find(self, text: str | Screened) -> list[str]:
        """Distinct cues found in `text`, lower-cased, in order of appearance."""
        seen: list[str] = []
        for m in self.alternation.finditer(text):
            cue = _SPACES.sub(" ", m.group(0).lower())
            if cue not in seen:
                seen.append(cue)
        return seen

    def search(self, text: str | Screened) -> re.Match[str] | None:
        return self.alternation.search(text)

    def sub(self, repl: str, text: str | Screened) -> str:
        """`text` with every cue replaced by `repl` (taken literally)."""
        return self.alternation.sub(repl, text)

    def count(self, text: str | Screened) -> int:
        return len(self.find(text))


class Lexicon:
    """All cue sets, by their local name (`hedge`, `type-safety`, ...)."""

    def __init__(self, sets: dict[str, CueSet]):
        self.sets = sets
        self._prefixed: dict[str, list[CueSet]] = {}

    def __getitem__(self, name: str) -> CueSet:
        return self.sets[name]

    def prefixed(self, prefix: str) -> list[CueSet]:
        """Cue sets whose name starts with `prefix`, by priority."""
        if prefix not in self._prefixed:
            found = [s for n, s in self.sets.items() if n.startswith(prefix)]
            self._prefixed[prefix] = sorted(found, key=lambda s: (s.priority, s.name))
        return list(self._prefixed[prefix])


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
        lowered: list[str | None] = [None] * len(alternatives)
        if not g.value(node, HCKG.caseSensitive):
            flags |= re.IGNORECASE
            lowered[: len(terms)] = [lowered_term_pattern(t) for t in terms]
        weight = g.value(node, HCKG.weight)
        priority = g.value(node, HCKG.priority)
        own = g.value(node, HCKG.reportsOwnStudy)
        label = g.value(node, RDFS.label)
        try:
            alternation = Alternation(alternatives, flags, lowered)
        except re.error as exc:
            bad = next((r for r in regexes if _regex_error(r, flags)), None)
            what = f"bad regex {bad!r}" if bad else "its patterns do not combine"
            raise OntologyError(f"{path}: cue set lex:{name}: {what} ({exc})") from None
        sets[name] = CueSet(
            name=name,
            label=str(label) if label else name,
            terms=tuple(terms),
            alternation=alternation,
            weight=float(weight.toPython()) if isinstance(weight, Literal) else 1.0,
            priority=int(priority.toPython()) if isinstance(priority, Literal) else 100,
            reports_own_study=isinstance(own, Literal) and bool(own.toPython()),
        )
    for cues in sets.values():
        SHARED.hold(cues.alternation)
    return Lexicon(sets)


def _regex_error(pattern: str, flags: int) -> bool:
    """Whether `pattern` alone does not compile."""
    try:
        re.compile(f"(?:{pattern})", flags)
    except re.error:
        return True
    return False


@lru_cache(maxsize=4)
def load_lexicon(path: Path | None = None) -> Lexicon:
    """Load (and cache) the lexicon from `path` or the ontology folder."""
    return _load(path or ontology_dir() / "lexicon.ttl")
