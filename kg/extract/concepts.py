"""Concept mentions through the SKOS vocabulary, with tissue specialisation and anaphora."""

from __future__ import annotations

import bisect
import re

from kg.model import ConceptMention, Evidence, Sentence, Span
from kg.screen import Screened
from kg.vocab import Hit, Vocabulary

_DERIVATION = re.compile(
    r"\b(derived|obtained|harvested|collected|isolated|taken|extracted|sourced)\s+from\b|-derived\b"
    r"|\bcells\s+of\s+(?:the\s+)?",  # "the mesenchymal cells of umbilical cord"
    re.IGNORECASE,
)
_ANAPHOR = re.compile(r"\b(these|those|such)\s+$", re.IGNORECASE)
_COMPOUND_GAP = re.compile(r"[\s\-]{0,2}")
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
    placed = _place(vocab.match(screened), sentences)
    placed = _merge_compounds(text, placed, vocab)
    placed = _specialise_tissues(text, placed, vocab)
    placed = _resolve_anaphora(text, placed, vocab)
    mentions = []
    concepts = vocab.concepts
    for hit, sentence, rule in placed:
        concept = concepts[hit.concept]
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


def _place(hits: list[Hit], sentences: list[Sentence]) -> list[tuple[Hit, Sentence, str]]:
    """The hits (in text order) that lie in a sentence, each with its sentence."""
    placed = []
    k, count = 0, len(sentences)
    for hit in hits:
        while k + 1 < count and sentences[k + 1].span.start <= hit.start:
            k += 1
        if count and sentences[k].span.start <= hit.start < sentences[k].span.end:
            placed.append((hit, sentences[k], "vocabulary"))
    return placed


def _merge_compounds(text, placed, vocab):
    """'UC-MSC stem cells': a generic cell mention right after a specific one belongs to it."""
    out = []
    generic, specific = vocab.generic_cells, vocab.specific_cells
    for hit, sentence, rule in placed:
        if out and hit.concept in generic:
            prev_hit, prev_sentence, _ = out[-1]
            gap = text[prev_hit.end : hit.start]
            if prev_sentence is sentence and prev_hit.concept in specific and _COMPOUND_GAP.fullmatch(gap):
                merged = Hit(prev_hit.start, hit.end, prev_hit.concept, text[prev_hit.start : hit.end])
                out[-1] = (merged, sentence, "compound")
                continue
        out.append((hit, sentence, rule))
    return out


def _specialise_tissues(text, placed, vocab):
    """A tissue named next to a generic cell mention ('stem cells from bone marrow')."""
    tissues = [p for p in placed if p[0].concept in vocab.cell_tissues]
    if not tissues:
        return placed  # (in text order already)
    out = []
    generic_cells: set[int] = set()  # sentences with a generic cell mention
    for hit, sentence, _ in placed:
        if hit.concept in vocab.generic_cells:
            generic_cells.add(sentence.index)
    specialised: dict[int, set[str]] = {}  # sentence -> the generic cells its tissues specialise
    for hit, sentence, _rule in tissues:
        has_cells = sentence.index in generic_cells or sentence.index - 1 in generic_cells
        if has_cells or _DERIVATION.search(sentence.text):
            implies = vocab.concepts[hit.concept].implies
            out.append((Hit(hit.start, hit.end, implies, hit.surface), sentence, "tissue"))
            # "stem cells" and "mesenchymal stem cells ... from Wharton's jelly" name the tissue's cells
            specialised.setdefault(sentence.index, set(vocab.top_generic_cells)).update(
                vocab.ancestors(implies)
            )
    for hit, sentence, rule in placed:
        if hit.concept in specialised.get(sentence.index, ()):
            continue
        out.append((hit, sentence, rule))
    out.sort(key=lambda p: (p[0].start, p[0].end))
    return out


def _resolve_anaphora(text, placed, vocab):
    """'these stem cells' refers to the most recent specific cell source nearby."""
    out = []
    last_specific: tuple[str, int] | None = None
    for hit, sentence, rule in placed:
        if hit.concept in vocab.specific_cells:
            last_specific = (hit.concept, sentence.index)
        elif (
            hit.concept in vocab.generic_cells
            and last_specific is not None
            and sentence.index - last_specific[1] <= ANAPHORA_WINDOW
            and _ANAPHOR.search(text[max(0, hit.start - 12) : hit.start])
        ):
            hit = Hit(hit.start, hit.end, last_specific[0], hit.surface)
            rule = "anaphora"
        out.append((hit, sentence, rule))
    return out
