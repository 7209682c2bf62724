"""Country names (pycountry plus `ontology/gazetteer.ttl`), known organizations, and the head
nouns and unit words of organization names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick
import pycountry
from rdflib import Graph, Namespace
from rdflib.namespace import RDF, RDFS

from kg.paths import ontology_dir

HCKG = Namespace("https://w3id.org/hckg/ontology#")


def is_word_char(ch: str) -> bool:
    """What regex `\\w` matches."""
    return ch.isalnum() or ch == "_"


class NameIndex:
    """Case-sensitive occurrences of a fixed set of names, found in one Aho-Corasick pass."""

    def __init__(self, names: Iterable[str]):
        self._automaton = ahocorasick.Automaton()
        for name in names:
            self._automaton.add_word(name, name)
        self._automaton.make_automaton()

    def occurrences(self, text: str, before: str = "") -> list[tuple[int, str]]:
        """(start, name) of every occurrence, overlapping ones too, not inside a longer word:
        not preceded by a word character or one of `before`, not followed by a word character."""
        if len(self._automaton) == 0:
            return []
        out = []
        for end, name in self._automaton.iter(text):
            start = end - len(name) + 1
            if start > 0 and (is_word_char(text[start - 1]) or text[start - 1] in before):
                continue
            if end + 1 < len(text) and is_word_char(text[end + 1]):
                continue
            out.append((start, name))
        return out


@dataclass(frozen=True)
class KnownOrg:
    name: str
    org_type: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Gazetteer:
    countries: dict[str, str]  # surface name -> ISO 3166-1 alpha-2
    country_names: dict[str, str]  # code -> English short name
    orgs: tuple[KnownOrg, ...]
    org_heads: dict[str, str] = field(default_factory=dict)  # head noun -> schema.org class
    unit_words: tuple[str, ...] = ()  # "Department": "X Department of Y Hospital" is Y Hospital
    head_first: frozenset[str] = frozenset()  # heads that open a name: "Clínica Vida Nueva"
    country_index: NameIndex = field(init=False, repr=False, compare=False)
    org_index: NameIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "country_index", NameIndex(self.countries))
        org_names = {name for org in self.orgs for name in (org.name, *org.aliases)}
        object.__setattr__(self, "org_index", NameIndex(sorted(org_names)))


def _load(path: Path) -> Gazetteer:
    g = Graph().parse(path)
    names: dict[str, str] = {}
    labels: dict[str, str] = {}
    ambiguous = {str(g.value(s, HCKG.iso3166)) for s in g.subjects(HCKG.ambiguous, None)}
    for c in pycountry.countries:
        labels[c.alpha_2] = getattr(c, "common_name", None) or c.name
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and "," not in value and c.alpha_2 not in ambiguous:
                names[value] = c.alpha_2
    for s in g.subjects(HCKG.iso3166, None):
        code = str(g.value(s, HCKG.iso3166))
        for alias in g.objects(s, HCKG.alias):
            names[str(alias)] = code
    orgs = []
    for s in sorted(g.subjects(HCKG.orgType, None)):
        aliases = tuple(sorted(str(a) for a in g.objects(s, HCKG.alias)))
        orgs.append(KnownOrg(str(g.value(s, RDFS.label)), str(g.value(s, HCKG.orgType)), aliases))
    heads = {
        str(label): str(g.value(s, HCKG.headType))
        for s in g.subjects(RDF.type, HCKG.OrganizationHead)
        for label in g.objects(s, RDFS.label)
    }
    units = tuple(sorted(str(g.value(s, RDFS.label)) for s in g.subjects(RDF.type, HCKG.OrganizationUnit)))
    first = frozenset(
        str(label)
        for s in g.subjects(HCKG.headFirst, None)
        if g.value(s, HCKG.headFirst).toPython() is True
        for label in g.objects(s, RDFS.label)
    )
    return Gazetteer(names, labels, tuple(orgs), heads, units, first)


@lru_cache(maxsize=4)
def load_gazetteer(path: Path | None = None) -> Gazetteer:
    return _load(path or ontology_dir() / "gazetteer.ttl")
