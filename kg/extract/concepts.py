"""Concept mentions through the SKOS vocabulary, with tissue specialisation and anaphora."""

from __future__ import annotations

import bisect
import re

from kg.model import ConceptMention, Evidence, Sentence, Span
from kg.screen import Screened
from kg.vocab import Hit, Vocabulary

_DERIVATION = re.compile(
    r"\b(derived|obtained|harvested|collected|isolated|taken|extracted|sourced)\s+from\b|-derived\b",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(r"\b(these|those|such)\s+$", re.IGNORECASE)
ANAPHORA_WINDOW = 3  # sentences back to look for the antecedent of "these stem cells"


class SentenceIndex:
    """Find the sentence that holds a character offset."""

    def __init__(self, sentences: list[Sentence]):
        self.sentences = sentences
        self._starts = [s.span.start for s in sentences]

    def at(self, offset: int) -> Sentence | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.sentences[i].span.end:
            return self.sentences[i]
        return None


def extract_concepts(
    screened: Screened, sentences: list[Sentence], vocab: Vocabulary
) -> list[ConceptMention]:
    """Concept mentions in a document's text, each tied to its sentence."""
    text = screened.text
    index = SentenceIndex(sentences)
    hits = vocab.match(screened)
    placed: list[tuple[Hit, Sentence, str]] = []
    for hit in hits:
        sentence = index.at(hit.start)
        if sentence is not None:
            placed.append((hit, sentence, "vocabulary"))
    placed = _merge_compounds(text, placed, vocab)
    placed = _specialise_tissues(text, placed, vocab)
    placed = _resolve_anaphora(text, placed, vocab)
    mentions = []
    for hit, sentence, rule in placed:
        concept = vocab.concept(hit.concept)
        if concept.ctype == "tissue":
            continue
        mentions.append(
            ConceptMention(
                concept=concept.iri,
                key=concept.key,
                ctype=concept.ctype,
                surface=hit.surface,
                evidence=Evidence(Span(hit.start, hit.end), sentence, f"concept.{rule}"),
            )
        )
    return mentions


def _is_specific_cell(vocab: Vocabulary, iri: str) -> bool:
    c = vocab.concept(iri)
    return c.ctype == "cell_source" and not c.generic


def _is_generic_cell(vocab: Vocabulary, iri: str) -> bool:
    c = vocab.concept(iri)
    return c.ctype == "cell_source" and c.generic


def _merge_compounds(text, placed, vocab):
    """'UC-MSC stem cells': a generic cell mention right after a specific one belongs to it."""
    out = []
    for hit, sentence, rule in placed:
        if out and _is_generic_cell(vocab, hit.concept):
            prev_hit, prev_sentence, _ = out[-1]
            gap = text[prev_hit.end : hit.start]
            if (
                prev_sentence is sentence
                and _is_specific_cell(vocab, prev_hit.concept)
                and re.fullmatch(r"[\s\-]{0,2}", gap)
            ):
                merged = Hit(prev_hit.start, hit.end, prev_hit.concept, text[prev_hit.start : hit.end])
                out[-1] = (merged, sentence, "compound")
                continue
        out.append((hit, sentence, rule))
    return out


def _specialise_tissues(text, placed, vocab):
    """A tissue named next to a generic cell mention ('stem cells from bone marrow')."""
    out = []
    by_sentence: dict[int, list[Hit]] = {}
    for hit, sentence, _ in placed:
        by_sentence.setdefault(sentence.index, []).append(hit)
    specialised: set[int] = set()
    for hit, sentence, _rule in placed:
        concept = vocab.concept(hit.concept)
        if concept.ctype != "tissue" or not concept.implies:
            continue
        near = by_sentence.get(sentence.index, []) + by_sentence.get(sentence.index - 1, [])
        has_cells = any(_is_generic_cell(vocab, h.concept) for h in near)
        if has_cells or _DERIVATION.search(sentence.text):
            out.append((Hit(hit.start, hit.end, concept.implies, hit.surface), sentence, "tissue"))
            specialised.add(sentence.index)
    for hit, sentence, rule in placed:
        c = vocab.concept(hit.concept)
        top_generic = c.generic and not c.broader
        if sentence.index in specialised and c.ctype == "cell_source" and top_generic:
            continue
        out.append((hit, sentence, rule))
    out.sort(key=lambda p: (p[0].start, p[0].end))
    return out


def _resolve_anaphora(text, placed, vocab):
    """'these stem cells' refers to the most recent specific cell source nearby."""
    out = []
    last_specific: tuple[str, int] | None = None
    for hit, sentence, rule in placed:
        if _is_specific_cell(vocab, hit.concept):
            last_specific = (hit.concept, sentence.index)
        elif (
            _is_generic_cell(vocab, hit.concept)
            and last_specific is not None
            and sentence.index - last_specific[1] <= ANAPHORA_WINDOW
            and _ANAPHOR.search(text[max(0, hit.start - 12) : hit.start])
        ):
            hit = Hit(hit.start, hit.end, last_specific[0], hit.surface)
            rule = "anaphora"
        out.append((hit, sentence, rule))
    return out
