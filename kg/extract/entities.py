"""Organizations and countries named in a document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extract.concepts import SentenceIndex
from kg.gazetteer import Gazetteer
from kg.model import EntityMention, Evidence, Sentence, Span

_CAP = r"[A-Z][\w'’&.\-]*"
_MAX_NAME_WORDS = 8  # words before a head noun ("Seoul National University Hospital")
_WORD = r"[A-Z][\w'’&\-]*"  # a capitalised word after the head: "of Sydney", never "Sydney. A"
_GAP = r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"  # white space within a paragraph (one line break at most)
_NAME_BEFORE = re.compile(
    rf"(?<![\w'’&.\-])(?:(?:{_CAP}|\d+){_GAP}(?:(?:of|for|and|&|de|del){_GAP})?){{0,{_MAX_NAME_WORDS}}}$"
)
_NAME_AFTER = re.compile(
    rf"(?:{_GAP}\d+)?(?:{_GAP}(?:of|for|at){_GAP}(?:the{_GAP})?{_WORD}(?:{_GAP}{_WORD}){{0,5}})?"
)
# the capitalised words after a head that opens a name, with the particles between them
_NAME_AFTER_HEAD = re.compile(
    r"(?:[^\S\n]+(?:(?:de|del|la|las|los|y|e|do|da|dos|das)[^\S\n]+)?(?:[A-Z]|[À-ÖØ-Þ])[\w'’\-]*){1,4}"
)
_NOT_ORG_AFTER = re.compile(r"^\s*(Scale|Score|Index|Test|Measure|Classification)\b")
_NAME = r"[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:\s+[A-Z][a-z]+(?:[A-Z][a-z]+)*)?"
_BRAND_CONTEXTS = (  # a provider is named in both kinds of context
    re.compile(rf"At(?<!\wAt)\s+({_NAME}),"),  # '\bAt', the literal first to be scanned for
    re.compile(
        rf"\b({_NAME})(?:'s)?\s+(?:treatment|therapy|clinic|center|centre|protocol|video|testimonial|"
        r"patients|program|programme|hospital|team)s?\b"
    ),
)
_BRAND = re.compile(rf"(?<![.!?]\s)(?<!^)\b({_NAME})\b", re.M)
_STOP_BRANDS = {
    "Stem",
    "Cell",
    "Cells",
    "Cerebral",
    "Palsy",
    "The",
    "This",
    "These",
    "Research",
    "Clinical",
    "Treatment",
    "Therapy",
    "Medical",
    "Advice",
    "Future",
    "Conclusion",
    "Results",
    "Methods",
}
_LEADING_STOP = re.compile(
    r"^(?:The|A|An|At|In|Of|From|Like|And|About|Our|Their|His|Her|[A-Z][\w\-]*['’]s)\s+"
)


@dataclass(frozen=True)
class _HeadPatterns:
    """The gazetteer's head nouns and unit words as patterns, with each head's schema.org class."""

    types: dict[str, str]
    head_word: re.Pattern[str]  # any head noun
    unit_of: re.Pattern[str]  # "<unit name> of <organisation>"
    head_first: frozenset[str]  # heads that open the name ("Clínica Vida Nueva")


@lru_cache(maxsize=4)
def _head_patterns(
    heads: tuple[tuple[str, str], ...], units: tuple[str, ...], head_first: frozenset[str] = frozenset()
) -> _HeadPatterns:
    names = sorted((h for h, _ in heads), key=len, reverse=True)
    # `\b(?:Head|...)\b`, written with each head first ('Head(?<!\wHead)' is '\bHead' for a head
    # that starts with a letter) so that the regex engine scans for their first letters
    head_word = re.compile("(?:" + "|".join(rf"{re.escape(h)}(?<!\w{re.escape(h)})" for h in names) + r")\b")
    unit_words = "|".join(re.escape(u) for u in units)
    unit_of = re.compile(rf"^(.*\b(?:{unit_words}))\s+of\s+(?:the\s+)?(.+)$", re.S)
    return _HeadPatterns(dict(heads), head_word, unit_of, head_first)


def extract_countries(text: str, sentences: list[Sentence], gazetteer: Gazetteer) -> list[EntityMention]:
    index = SentenceIndex(sentences)
    out = []
    for start, surface in _leftmost_longest(gazetteer.country_index.occurrences(text, before=".")):
        sentence = index.at(start)
        if sentence is None:
            continue
        code = gazetteer.countries[surface]
        out.append(
            EntityMention(
                kind="country",
                name=gazetteer.country_names.get(code, surface),
                code=code,
                surface=surface,
                evidence=Evidence(Span(start, start + len(surface)), sentence, "country.gazetteer"),
            )
        )
    return out


def _leftmost_longest(occurrences: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Non-overlapping occurrences, scanning left to right and taking the longest at each start
    (what one regex alternation of the names, longest first, finds)."""
    longest: dict[int, str] = {}
    for start, name in occurrences:
        if len(name) > len(longest.get(start, "")):
            longest[start] = name
    out: list[tuple[int, str]] = []
    for start in sorted(longest):
        if not out or start >= out[-1][0] + len(out[-1][1]):
            out.append((start, longest[start]))
    return out


def _non_overlapping(occurrences: list[tuple[int, str]]) -> dict[str, list[int]]:
    """Starts of each name's occurrences that do not overlap an earlier one of the same name."""
    out: dict[str, list[int]] = {}
    for start, name in sorted(occurrences):
        starts = out.setdefault(name, [])
        if not starts or start >= starts[-1] + len(name):
            starts.append(start)
    return out


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def extract_organizations(
    text: str, sentences: list[Sentence], gazetteer: Gazetteer, countries: list[EntityMention]
) -> list[EntityMention]:
    """Organizations by head-noun pattern, gazetteer aliases and provider-brand contexts."""
    index = SentenceIndex(sentences)
    found: list[tuple[int, int, str, str, str]] = []  # start, end, canonical, type, rule
    country_surfaces = {c.surface for c in countries}
    heads = _head_patterns(
        tuple(sorted(gazetteer.org_heads.items())), gazetteer.unit_words, gazetteer.head_first
    )
    matches, units = _without_units(_org_matches(text, heads), heads)
    for start, surface, m_end in matches:
        lead = _LEADING_STOP.match(surface)
        while lead:
            start += lead.end()
            surface = surface[lead.end() :]
            lead = _LEADING_STOP.match(surface)
        if _NOT_ORG_AFTER.match(text[m_end:]) or surface in heads.types or surface in units:
            continue
        head = next(h for h in sorted(heads.types, key=len, reverse=True) if h in surface)
        found.append((start, start + len(surface), surface, heads.types[head], "org.head-noun"))
    known = _non_overlapping(gazetteer.org_index.occurrences(text))
    for org in gazetteer.orgs:
        for name in (org.name, *org.aliases):
            for start in known.get(name, []):
                found.append((start, start + len(name), org.name, org.org_type, "org.gazetteer"))
    for name in _brands(text, country_surfaces):
        for m in re.finditer(rf"\b{re.escape(name)}\b", text):
            found.append((m.start(), m.end(), name, "Organization", "org.provider-brand"))
    # leftmost-longest, then merge short names into the longer names they start
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str, str, str]] = []
    for f in found:
        if kept and f[0] < kept[-1][1]:
            continue
        kept.append(f)
    canon = {}
    for f in sorted(kept, key=lambda f: -len(f[2])):
        first = f[2].split()[0]
        target = next((c for c in canon.values() if c.split()[0] == first and " " in c), None)
        canon[f[2]] = target if (target and " " not in f[2]) else canon.get(f[2], f[2])
    out = []
    for start, end, name, org_type, rule in kept:
        sentence = index.at(start)
        if sentence is None:
            continue
        canonical = canon.get(name, name)
        out.append(
            EntityMention(
                kind="organization",
                name=canonical,
                code=slug(canonical),
                surface=text[start:end],
                evidence=Evidence(Span(start, end), sentence, rule),
                org_type=org_type,
            )
        )
    return out


def _org_matches(text: str, heads: _HeadPatterns) -> list[tuple[int, str, int]]:
    """Names ending in (or built on) a head noun, found from each head noun outwards in linear time,
    or opening with one ("Clínica Vida Nueva"); split where 'and' joins two complete names ('X
    University and Y Hospital')."""
    out = []
    head_word = heads.head_word
    for head in head_word.finditer(text):
        if head.group(0) in heads.head_first:
            named = _NAME_AFTER_HEAD.match(text, head.end())
            if named and named.end() > head.end():
                out.append((head.start(), text[head.start() : named.end()], named.end()))
            continue
        before = _NAME_BEFORE.search(text, max(0, head.start() - 200), head.start())
        start = before.start() if before else head.start()
        end = _NAME_AFTER.match(text, head.end()).end()
        parts = re.split(r"(\s+(?:and|&)\s+)", text[start:end])
        pieces = [parts[0]]
        for sep, part in zip(parts[1::2], parts[2::2], strict=False):
            if head_word.search(pieces[-1]) and head_word.search(part):
                pieces.append(part)
            else:
                pieces[-1] = pieces[-1] + sep + part
        offset = start
        for piece in pieces:
            idx = text.index(piece, offset)
            out.append((idx, piece, idx + len(piece)))
            offset = idx + len(piece)
    return out


def _without_units(
    matches: list[tuple[int, str, int]], heads: _HeadPatterns
) -> tuple[list[tuple[int, str, int]], set[str]]:
    """Names of units of an organisation ("International Patient Center of X Hospital") replaced by
    the organisation; the unit's name, wherever else it stands alone, is not an organisation."""
    out, units = [], set()
    for start, surface, end in matches:
        m = heads.unit_of.match(surface)
        if m and heads.head_word.search(m.group(2)):
            units.add(_LEADING_STOP.sub("", m.group(1)))
            start, surface = start + m.start(2), m.group(2)
        out.append((start, surface, end))
    return out, units


def _brands(text: str, country_surfaces: set[str]) -> list[str]:
    """Capitalised names used as providers: 'At X, ...' and 'X treatment' / 'a X video'."""
    candidates: set[str] | None = None
    for rx in _BRAND_CONTEXTS:
        found = {m.group(1) for m in rx.finditer(text)}
        candidates = found if candidates is None else candidates & found
        if not candidates:
            return []
    counts: dict[str, int] = {}
    for m in _BRAND.finditer(text):
        if m.group(1) in candidates:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    common_words = set(re.findall(r"(?<![\w'’])[a-z][a-z'’\-]*", text))
    return [
        name
        for name, count in sorted(counts.items())
        if count >= 2
        and name not in country_surfaces
        and not set(name.split()) & _STOP_BRANDS
        and not all(w.lower() in common_words for w in name.split())
    ]
