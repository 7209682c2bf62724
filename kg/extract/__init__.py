"""Extract: a Document in, an Extraction (concepts, entities, studies, claims) out."""

from __future__ import annotations

from kg.extract.claims import extract_claims
from kg.extract.concepts import extract_concepts
from kg.extract.entities import extract_countries, extract_organizations
from kg.extract.studies import extract_studies
from kg.gazetteer import load_gazetteer
from kg.lexicon import load_lexicon
from kg.model import ConceptMention, Document, EntityMention, Extraction
from kg.screen import SHARED
from kg.text import split_sentences
from kg.vocab import load_vocabulary

__all__ = ["extract_document"]


def extract_document(doc: Document) -> Extraction:
    """Run every extractor over one document."""
    vocab, lexicon, gazetteer = load_vocabulary(), load_lexicon(), load_gazetteer()
    sentences = split_sentences(doc.text)
    # one pass of the cue screen over the text serves every sentence's cue searches
    whole, passages = SHARED.passages(doc.text, [(s.span.start, s.span.end) for s in sentences])
    concepts = extract_concepts(whole, sentences, vocab)
    countries = extract_countries(doc.text, sentences, gazetteer)
    organizations = extract_organizations(doc.text, sentences, gazetteer, countries)
    concepts = _outside(concepts, organizations)  # "Rhein Stem Cell Clinic" names no cells
    entities = organizations + countries
    studies = extract_studies(doc, sentences, passages, concepts, entities, lexicon, whole)
    claims = extract_claims(doc, sentences, passages, concepts, studies, lexicon)
    return Extraction(doc, sentences, concepts, entities, studies, claims)


def _outside(concepts: list[ConceptMention], organizations: list[EntityMention]) -> list[ConceptMention]:
    """The concept mentions that are not part of an organisation's name."""
    names = [(o.evidence.span.start, o.evidence.span.end) for o in organizations]
    return [
        c
        for c in concepts
        if not any(start <= c.evidence.span.start and c.evidence.span.end <= end for start, end in names)
    ]
