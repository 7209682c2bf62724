"""Country names (pycountry plus `ontology/gazetteer.ttl`) and known organizations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from rdflib import Graph, Namespace
from rdflib.namespace import RDFS

from kg.paths import ontology_dir

HCKG = Namespace("https://w3id.org/hckg/ontology#")


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
    return Gazetteer(names, labels, tuple(orgs))


@lru_cache(maxsize=4)
def load_gazetteer(path: Path | None = None) -> Gazetteer:
    return _load(path or ontology_dir() / "gazetteer.ttl")
