"""Claims: sentences that assert something about the intervention."""

from __future__ import annotations

import re

from kg.lexicon import Lexicon
from kg.model import Claim, ConceptMention, Document, Evidence, Sentence, StudyMention
from kg.screen import Screened
from kg.text import LIST_ITEM, is_heading, is_list_item, is_title, negated

_ANAPHORIC_SUBJECT = re.compile(
    r"^(?:\W*[\w’']+[\s,]+){0,6}?(?:it|its|it’s|it's|they|their|these|this|such|the cells|the therapy|"
    r"the treatment|them)\b",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(?:we|us|our)\b", re.I)
_QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")


def extract_claims(
    doc: Document,
    sentences: list[Sentence],
    passages: list[Screened],
    concepts: list[ConceptMention],
    studies: list[StudyMention],
    lexicon: Lexicon,
) -> list[Claim]:
    """Claims with type, hedging, the concepts they are about and the studies they lean on
    (`passages`: the sentences screened for cues)."""
    by_sentence: dict[int, list[ConceptMention]] = {}
    for c in concepts:
        by_sentence.setdefault(c.evidence.sentence.index, []).append(c)
    contexts = [(st.context.start, st.context.end) for st in studies]
    treatment = lexicon["treatment"]
    claims: list[Claim] = []
    previous_on_topic = False
    for s, passage in zip(sentences, passages, strict=True):
        mentions = by_sentence.get(s.index, [])
        cells = [m for m in mentions if m.ctype == "cell_source"]
        start, end = s.span.start, s.span.end
        cited = [i for i, (first, last) in enumerate(contexts) if first <= start and end <= last]
        on_topic = bool(cells) or bool(treatment.search(passage))
        reason = _claim_reason(s, passage, doc, mentions, cells, cited, previous_on_topic, lexicon)
        listed = previous_on_topic and is_list_item(s, doc.text)  # a list keeps its lead-in's topic
        previous_on_topic = (
            on_topic or listed or (previous_on_topic and bool(_ANAPHORIC_SUBJECT.match(s.text)))
        )
        if reason is None:
            continue
        claims.append(_describe(s, passage, reason, mentions, cited, studies, lexicon))
    return claims


def _claim_reason(s, passage, doc, mentions, cells, cited, previous_on_topic, lexicon) -> str | None:
    """The rule that makes `s` a claim, or None."""
    marker = LIST_ITEM.match(s.text)  # "- " (a numbered item's "2." is not in the sentence)
    bullet = bool(marker) or is_list_item(s, doc.text)
    body = passage.part(marker.end()) if marker else passage
    text = body.text
    if (is_heading(s) and not bullet) or is_title(s, doc.title) or lexicon["non-claim"].search(body):
        return None
    changed = lexicon["change"].search(body)
    affirmed = _affirms_strongly(text, body, lexicon)
    safety_promise = affirmed and lexicon["type-safety"].search(body)
    priced = lexicon["price"].search(text)
    scarcity = lexicon["evidence-scarcity"].search(body)
    limits = lexicon["type-evidence-limitation"].search(body)
    if lexicon["procedure"].search(body) and not (changed or safety_promise or priced or scarcity or limits):
        return None  # "Cells are given at a dose of 1 million per kg", not "every dose is safe"
    predicate = affirmed or any(
        lexicon[name].search(body)
        for name in (
            "predicate",
            "type-safety",
            "type-access",
            "type-access-offer",
            "type-evidence-backing",
            "type-evidence-limitation",
            "type-access-reach",
            "change",
            "evidence-scarcity",
            "negative-result",
            "adverse-reported",
            "patient-outcome",
            "testimonial",
            "cost",
            "research-call",
        )
    )
    if not predicate:
        return None
    treatment = lexicon["treatment"].search(body)
    background = lexicon["background-treatment"].search(body)
    outcomes = [m for m in mentions if m.ctype == "outcome"]
    if cells:
        return "claim.cell-source-predicate"
    if treatment and not background:
        return "claim.treatment-predicate"
    reported = ("adverse-none", "adverse-reported", "negative-result")  # "Spasticity did not differ"
    if cited and (changed or any(lexicon[name].search(body) for name in reported)):
        return "claim.study-result"
    if changed and (lexicon["testimonial"].search(body) or lexicon["personal-report"].search(body)):
        return "claim.reported-outcome"
    if cited and outcomes and lexicon["testimonial"].search(body):
        return "claim.reported-outcome"  # "LEO'S MOTHER: Within a month he was holding his cup"
    if lexicon["patient-outcome"].search(body):
        return "claim.patient-outcome"
    if lexicon["adverse-none"].search(body):
        return "claim.safety-assertion"  # "in two decades we have never seen a serious side effect"
    if previous_on_topic and lexicon["adverse-reported"].search(body) and not background:
        return "claim.reported-harm"  # "(The procedure is very safe.) Some children may have a fever"
    if priced and (lexicon["type-access"].search(body) or lexicon["cost"].search(body)):
        return "claim.price"  # "Package price: from USD 18,000", "The standard package is USD 26,500"
    if (
        bullet
        and previous_on_topic
        and (lexicon["type-safety"].search(body) or lexicon["strong"].search(body))
    ):
        return "claim.listed-point"  # "Benefits of our program: ... - Safe, natural and non-surgical"
    access = lexicon["type-access"].search(body) or lexicon["type-access-reach"].search(body)
    if access and _FIRST_PERSON.search(text):
        return "claim.provider-access"  # "patients come to us from Israel, the UK and Australia"
    if safety_promise and _FIRST_PERSON.search(text):
        return "claim.provider-safety"  # "Our laboratory is FDA-registered, so every dose is safe"
    if outcomes and changed and previous_on_topic and not background:
        return "claim.outcome-change"
    if previous_on_topic and _ANAPHORIC_SUBJECT.match(text) and not background:
        return "claim.anaphoric-subject"
    if limits and (previous_on_topic or doc.own_study or lexicon["negative-result"].search(body)):
        return "claim.study-limitation"  # "these results may reflect selection and measurement bias"
    condition = any(m.ctype == "condition" for m in mentions)
    if (previous_on_topic or condition or doc.own_study) and scarcity and not background:
        return "claim.state-of-evidence"  # "(Do stem cells work for cerebral palsy?) We do not know."
    if previous_on_topic and affirmed and not background and _boasts(text, body, lexicon):
        return "claim.strong-assertion"  # "(... with our cells.) Results are permanent because ..."
    if (
        lexicon["type-evidence"].search(body)
        and lexicon["research-noun"].search(body)
        and (
            lexicon["strong"].search(body)
            or lexicon["type-safety"].search(body)
            or lexicon["evidence-outlook"].search(body)
            or lexicon["hedge"].search(body)
            or lexicon["evidence-scarcity"].search(body)
            or lexicon["type-evidence-backing"].search(body)
            or changed  # "Some children in trials improved slightly more than..."
        )
    ):
        return "claim.state-of-evidence"
    if lexicon["research-call"].search(body):
        return "claim.research-call"  # "A randomised trial is warranted."
    return None


def _affirms_strongly(text: str, body, lexicon: Lexicon) -> bool:
    """A strong cue that is not negated ("proven", but not "there are no guarantees")."""
    return any(not negated(text, cue) for cue in lexicon["strong"].find(body))


def _boasts(text: str, body, lexicon: Lexicon) -> bool:
    """An unhedged strong cue, not negated and not a statistical term ("results are permanent",
    not "the investment can be significant")."""
    if lexicon["hedge"].search(body):
        return False
    statistical = lexicon["statistical-term"]
    return any(not (negated(text, cue) or statistical.search(cue)) for cue in lexicon["strong"].find(body))


def _unquoted(text: str, cues: list[str]) -> bool:
    """Whether any of the strong `cues` occurs outside quotation marks (a letter quoting a press
    release's "a breakthrough" in order to refute it does not itself promise a breakthrough)."""
    bare = _QUOTED.sub(" ", text).lower()
    return any(cue in bare for cue in cues)


def _cautions(passage, affirmed: bool, lexicon: Lexicon) -> bool:
    """A warning of harm, or a statement that the evidence is missing, that promises nothing
    besides (`affirmed`: a strong word not negated; "Despite limited evidence, the cells are proven
    to restore walking" still promises)."""
    caution = lexicon["harm-warning"].search(passage) or lexicon["evidence-scarcity"].search(passage)
    return bool(caution) and not (affirmed or lexicon["change"].search(passage))


def _describe(s, passage, reason, mentions, cited, studies, lexicon) -> Claim:
    text = s.text
    # "a meta-analysis found that stem cell therapy improved ...": typed by what was found (but
    # "no study has shown that stem cells cure CP" is about the evidence)
    finding = lexicon["finding-clause"].search(passage)
    if finding and negated(text, finding.group(0)):
        finding = None
    typed = passage.part(finding.end()) if finding else passage
    scores = []
    for cue_set in lexicon.prefixed("type-"):
        found = cue_set.find(typed)
        scores.append((cue_set.weight * len(found), -cue_set.priority, cue_set.label, found))
    scores.sort(reverse=True)
    best = next((x for x in scores if x[0] > 0), None)
    outcome_change = lexicon["change"].search(passage) and (
        any(m.ctype == "outcome" for m in mentions) or lexicon["patient-outcome"].search(passage)
    )
    if best and best[2] == "access" and outcome_change:
        # "We have treated 3,000 children, and 90% improved their motor skills": it promises an outcome
        best = next((x for x in scores if x[0] > 0 and x[2] != "access"), None)
    claim_type = best[2] if best else "efficacy"
    if (
        claim_type == "efficacy"
        and lexicon["evidence-scarcity"].search(typed)
        and not (_affirms_strongly(text, typed, lexicon) or lexicon["patient-outcome"].search(typed))
    ):
        claim_type = "evidence"  # "its benefit has not been established", "we do not know"
    hedges = lexicon["hedge"].find(passage)
    affirmed = [cue for cue in lexicon["strong"].find(passage) if not negated(text, cue)]
    cautious = _cautions(passage, _unquoted(text, affirmed), lexicon)
    strong = affirmed
    if reason == "claim.study-result" or lexicon["p-value"].search(passage):
        # "improved significantly (P < 0.05)": statistics, not a boast
        strong = [cue for cue in strong if not lexicon["statistical-term"].search(cue)]
    negative = lexicon["negative-result"].search(passage)
    cited_studies = [studies[i] for i in cited]
    vague = (
        not cited_studies
        and bool(lexicon["type-evidence"].search(passage))  # (screened: cheaper than the regex)
        and bool(lexicon["research-noun"].search(passage))
    )
    anecdotal = any(st.design == "testimonial" for st in cited_studies) or bool(
        lexicon["change"].search(passage) and lexicon["personal-report"].search(passage)
    )

    keys: dict[str, list[str]] = {"cell_source": [], "route": [], "outcome": [], "condition": []}
    for m in mentions:  # each kind's concepts, in order of first mention
        bucket = keys.get(m.ctype)
        if bucket is not None and m.concept not in bucket:
            bucket.append(m.concept)
    return Claim(
        evidence=Evidence(s.span, s, reason),
        claim_type=claim_type,
        type_rule=f"type.{claim_type}" + (f" ({', '.join(best[3][:3])})" if best else ""),
        hedged=bool(hedges),
        hedge_cues=hedges,
        strong_cues=strong,
        polarity="negative" if negative or cautious else "positive",
        cell_sources=keys["cell_source"],
        routes=keys["route"],
        outcomes=keys["outcome"],
        conditions=keys["condition"],
        cites=cited,
        vague_citation=vague,
        anecdotal=anecdotal,
    )
