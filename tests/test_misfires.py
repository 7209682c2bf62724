"""Ordinary sentences that rules written for one wording must not misfire on (found by review:
each was wrong before its fix)."""

from __future__ import annotations

import pytest

from kg.analyse import ClaimRecord, _denies_strong_effect
from kg.lexicon import load_lexicon
from tests.extraction import claim_in, extract, study_in


def test_a_disclaimer_does_not_silence_the_promise_after_it(write_docs):
    x = extract(
        write_docs,
        "Despite limited evidence, umbilical cord stem cells are proven to restore motor function in "
        "children with cerebral palsy.",
    )
    assert claim_in(x, "are proven to restore").polarity == "positive"


@pytest.mark.parametrize(
    "sentence",
    [
        "We treat spasticity with umbilical cord stem cells, which improve walking in most children.",
        "We have treated more than 3,000 children, and 90% improved their motor skills.",
    ],
)
def test_reach_or_service_wording_does_not_hide_an_outcome_promise(write_docs, sentence):
    x = extract(write_docs, "Stem cell clinic\n\n" + sentence)
    assert claim_in(x, sentence[:20]).claim_type == "efficacy"


def test_a_numbered_item_after_a_lead_in_is_a_listed_claim(write_docs):
    x = extract(
        write_docs,
        "Benefits of our stem cell program:\n\n1. Proven results in motor function.\n2. Safe and natural.",
    )
    assert claim_in(x, "Proven results in motor function") is not None


def test_scholarly_wording_in_a_clinic_page_and_dates_are_not_citations(write_docs):
    x = extract(
        write_docs,
        "Regenera Stem Cell Clinic\n\n## Introduction\n\nSun et al. (2017) and Gu et al. (2020) and "
        "Li et al. (2021) studied stem cells. Between January and March 2021, 40 children attended our "
        "clinic.\n\nContact us for a free consultation. Our patients come from 30 countries. The "
        "treatment package costs $20,000.",
    )
    assert x.document.kind == "clinic-marketing"
    assert not any("Between January" in s.evidence.sentence.text for s in x.studies)


def test_a_parent_asking_a_question_does_not_make_every_change_a_testimonial(write_docs):
    x = extract(
        write_docs,
        "# Ask the expert\n\n**Q: My son's therapist mentioned stem cells. Are they safe?**\n\n"
        "Dr. Lee and her team have improved the protocol over ten years.",
    )
    assert not any(s.design == "testimonial" for s in x.studies)


@pytest.mark.parametrize(
    "sentence",
    [
        "After the first injection, children are monitored in hospital for 24 hours.",
        "During stem cell treatment, one child fell and broke an arm.",
    ],
)
def test_time_phrases_and_falls_are_not_improvements(write_docs, sentence):
    claim = claim_in(extract(write_docs, "Stem cell treatment\n\n" + sentence), sentence[:20])
    assert claim is None or claim.claim_type != "efficacy"


@pytest.mark.parametrize(
    "sentence",
    [
        "Many clinics promise results, but our bone marrow stem cells are proven to restore walking.",
        "Ask about our success rates: 95% of children improve after bone marrow stem cells.",
    ],
)
def test_a_reported_or_advice_opening_does_not_drop_the_claim_after_it(write_docs, sentence):
    assert claim_in(extract(write_docs, "Stem cell clinic\n\n" + sentence), sentence[:20]) is not None


def test_neural_circuits_named_as_the_damage_are_not_repair(write_docs):
    x = extract(write_docs, "Cerebral palsy is caused by damage to the neural circuits that control walking.")
    assert "neurogenesis" not in {c.key for c in x.concepts}


def test_a_bold_case_label_and_a_curly_apostrophe(write_docs):
    x = extract(
        write_docs,
        "Stem cell clinic\n\n**Case study:** A 7-year-old girl received two treatments.\n\n"
        "“I’ve seen children walk for the first time after our protocol,” says our director.",
    )
    assert (study_in(x, "Case study").design, study_in(x, "Case study").n) == ("case-report", 1)
    assert claim_in(x, "I’ve seen children walk").anecdotal


def test_a_denied_strong_word_beside_an_affirmed_one_still_affirms():
    def claim(quote: str, strong: list[str]) -> ClaimRecord:
        return ClaimRecord("c", "d", quote, "efficacy", False, "r", False, False, strong_cues=strong)

    lexicon = load_lexicon()
    significant = "87% of children improved significantly (p < 0.05)."
    assert not _denies_strong_effect(claim(significant, []), lexicon)  # "significant" dropped, not denied
    assert _denies_strong_effect(claim("Stem cells are not a cure.", []), lexicon)
