"""Extraction on small documents written for the tests (other wording than the demo corpus)."""

from __future__ import annotations

import random
import re

from kg.extract import extract_document
from kg.ingest import Source, read_document


def extract(write_docs, text: str, name: str = "doc.txt"):
    folder = write_docs({name: text})
    return extract_document(read_document(Source(folder / name, name)))


def keys(x, ctype=None):
    return {c.key for c in x.concepts if ctype in (None, c.ctype)}


def test_concepts_variants_abbreviations_and_hierarchy_keys(write_docs):
    x = extract(
        write_docs,
        "Our hUC-MSCs are given by IV drip or lumbar puncture. Wharton's-jelly MSCs improve GMFM-88 "
        "scores and lower muscle-tone in kids with spastic diplegia. MRI showed no harm.",
    )
    assert keys(x, "cell_source") == {"uc-msc"}
    assert keys(x, "route") == {"iv", "intrathecal"}
    assert {"gross-motor-function", "spasticity", "brain-structure", "adverse-events"} <= keys(x, "outcome")
    assert keys(x, "condition") == {"spastic-cerebral-palsy"}


def test_tissue_specialises_a_generic_stem_cell_mention(write_docs):
    x = extract(write_docs, "The clinic uses stem cells harvested from the patient's own adipose tissue.")
    assert keys(x, "cell_source") == {"ad-msc"}


def test_anaphora_resolves_these_stem_cells(write_docs):
    x = extract(
        write_docs, "Bone marrow mononuclear cells are collected. These stem cells then home to the brain."
    )
    assert keys(x, "cell_source") == {"bm-mnc"}


def test_case_sensitive_abbreviations_are_not_matched_in_lower_case(write_docs):
    x = extract(write_docs, "We iv the patient. The cp of the device was low.")
    assert not keys(x, "route") and not keys(x, "condition")


def test_organizations_and_countries(write_docs):
    x = extract(
        write_docs,
        "Researchers at Seoul National University Hospital and the Karolinska Institute in Sweden "
        "collaborated with NeoCell in South Korea. At NeoCell, families receive care. "
        "NeoCell therapy costs less.",
    )
    orgs = {e.name for e in x.entities if e.kind == "organization"}
    countries = {e.code for e in x.entities if e.kind == "country"}
    assert orgs == {"Seoul National University Hospital", "Karolinska Institute", "NeoCell"}
    assert countries == {"SE", "KR"}


def test_study_mentions_with_design_size_year_venue_and_identifiability(write_docs):
    x = extract(
        write_docs,
        "In 2018, a randomised placebo-controlled trial published in Cytotherapy treated 36 children "
        "with bone marrow MSCs.\n\n"
        "Some experts disagree.\n\n"
        "One small case series described eight toddlers who improved after treatment.\n\n"
        "A case report from India described a 4-year-old boy who walked after therapy.\n\n"
        "A widely shared study proved that cord blood restores speech.",
    )
    studies = [(s.design, s.n, s.year, s.venue, s.identifiable) for s in x.studies]
    assert studies == [
        ("rct", 36, 2018, "Cytotherapy", True),
        ("case-series", 8, None, None, False),
        ("case-report", 1, None, None, False),
        ("unspecified", None, None, None, False),
    ]


def test_testimonials_and_named_cases(write_docs):
    x = extract(
        write_docs,
        "Our patients say the results are amazing. One such case is Maria from Chile, treated in "
        "March 2022, whose mother reported better sleep after the treatment.",
    )
    designs = [(s.design, s.n) for s in x.studies]
    assert ("testimonial", 1) in designs
    named = next(s for s in x.studies if s.n == 1)
    assert named.year == 2022 and named.identifiable


def test_claims_types_and_hedging(write_docs):
    x = extract(
        write_docs,
        "Cerebral palsy is caused by brain injury around birth.\n\n"
        "Umbilical cord MSCs might reduce spasticity in some children.\n\n"
        "Our MSC treatment is safe and has no side effects.\n\n"
        "Treatment with cord blood costs $9,000 at our centre in Panama.\n\n"
        "Stem cells release growth factors that repair damaged neurons.\n\n"
        "What should parents ask their doctor?",
    )
    claims = {c.evidence.sentence.text.split()[0]: (c.claim_type, c.hedged) for c in x.claims}
    assert claims == {
        "Umbilical": ("efficacy", True),
        "Our": ("safety", False),
        "Treatment": ("access", False),
        "Stem": ("mechanism", False),
    }


def test_every_item_keeps_exact_provenance(write_docs):
    text = "Intro line\n\nA 2015 study published in Neurology found that cord blood improved walking."
    x = extract(write_docs, text)
    items = (
        [c.evidence for c in x.claims] + [s.evidence for s in x.studies] + [m.evidence for m in x.concepts]
    )
    assert items
    for ev in items:
        assert text[ev.sentence.span.start : ev.sentence.span.end] == ev.sentence.text
        assert ev.sentence.span.start <= ev.span.start < ev.span.end <= ev.sentence.span.end
        assert ev.rule


def test_hostile_text_is_kept_as_text(write_docs):
    x = extract(write_docs, 'Stem cells <script>alert(1)</script> improve "speech" </title> fast.')
    assert "<script>" in x.claims[0].evidence.sentence.text


def test_where_an_organization_operates(write_docs, tmp_path):
    from kg.assemble import assemble

    folder = write_docs(
        {
            "o.txt": "Doctors at Duke University and the Vinmec International Hospital in Vietnam "
            "ran trials. "
            "Panama's Stem Cell Institute treats children from Canada."
        }
    )
    x = extract_document(read_document(Source(folder / "o.txt", "o.txt")))
    pairs = {
        (str(q.subject.value).rsplit("/", 1)[-1], str(q.object.value).rsplit("/", 1)[-1])
        for q in assemble(x)
        if q.predicate.value.endswith("#operatesIn")
    }
    assert pairs == {("vinmec-international-hospital", "VN"), ("stem-cell-institute", "PA")}


def _glued(pieces: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    glue = [" ", "  ", ".", ". ", ",", "-", "_", "x", "\n", "’s ", ""]

    def text() -> str:
        return "".join(rng.choice(pieces) + rng.choice(glue) for _ in range(rng.randint(1, 8)))

    return [text() for _ in range(count)]


def test_gazetteer_names_are_found_where_their_regexes_find_them():
    """Countries as one alternation of the names, longest first, not after a word character or a
    full stop; known organizations each name on its own; neither inside a longer word."""
    from kg.extract.entities import _leftmost_longest, _non_overlapping
    from kg.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    names = sorted(gazetteer.countries, key=len, reverse=True)
    countries = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])")
    org_names = sorted({n for org in gazetteer.orgs for n in (org.name, *org.aliases)})
    pieces = [*names[::7], "Niger", "Nigeria", "Guinea", "Guinea-Bissau", "Equatorial Guinea", "India"]
    pieces += [*org_names, "Duke", "Stem Cell", "Institute", "FDA FDA", "FDAx"]
    for text in _glued(pieces, 3000, seed=5):
        expected = [(m.start(), m.group(1)) for m in countries.finditer(text)]
        assert _leftmost_longest(gazetteer.country_index.occurrences(text, before=".")) == expected, text
        known = _non_overlapping(gazetteer.org_index.occurrences(text))
        for name in org_names:
            expected_starts = [m.start() for m in re.finditer(rf"(?<![\w]){re.escape(name)}(?![\w])", text)]
            assert known.get(name, []) == expected_starts, (name, text)


def test_head_nouns_and_brand_contexts_match_their_plain_regexes():
    from kg.extract import entities
    from kg.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    patterns = entities._head_patterns(tuple(sorted(gazetteer.org_heads.items())), gazetteer.unit_words)
    heads = "|".join(re.escape(h) for h in sorted(gazetteer.org_heads, key=len, reverse=True))
    head_word = re.compile(rf"\b(?:{heads})\b")
    at_brand = re.compile(rf"\bAt\s+({entities._NAME}),")
    pieces = [*gazetteer.org_heads, "At Cellular Hope,", "At Nova", "That", "XUniversity", "Clinics", "Inc"]
    for text in _glued(pieces, 3000, seed=6):
        assert [m.span() for m in patterns.head_word.finditer(text)] == [
            m.span() for m in head_word.finditer(text)
        ], text
        assert [m.span(1) for m in entities._BRAND_CONTEXTS[0].finditer(text)] == [
            m.span(1) for m in at_brand.finditer(text)
        ], text


def test_year_regex_matches_as_word_bounded_years():
    from kg.extract.studies import _YEAR

    plain = re.compile(r"\b(19[6-9]\d|20[0-4]\d)\b")
    for text in _glued(["1960", "1999", "2049", "2050", "1959", "12019", "2019a", "٣2019", "_2001"], 2000, 8):
        assert [m.group(1) for m in _YEAR.finditer(text)] == [m.group(1) for m in plain.finditer(text)], text


def test_organization_head_nouns_and_unit_words_are_data(tmp_path):
    """A head noun added to gazetteer.ttl names organizations without touching the code."""
    from kg.extract.entities import extract_organizations
    from kg.gazetteer import load_gazetteer
    from kg.paths import ontology_dir
    from kg.text import split_sentences

    text = "Treatment at the Rhein Klinik in Düsseldorf. The Neurology Department of Rhein Klinik."
    path = tmp_path / "gazetteer.ttl"
    path.write_text((ontology_dir() / "gazetteer.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    before = extract_organizations(text, split_sentences(text), load_gazetteer(path), [])
    with path.open("a", encoding="utf-8") as f:
        f.write('gaz:klinik a hckg:OrganizationHead ; rdfs:label "Klinik" ; hckg:headType "Hospital" .\n')
    load_gazetteer.cache_clear()
    after = extract_organizations(text, split_sentences(text), load_gazetteer(path), [])
    load_gazetteer.cache_clear()
    assert before == []
    assert {(o.name, o.org_type) for o in after} == {("Rhein Klinik", "Hospital")}  # not its department
