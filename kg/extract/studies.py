"""Study mentions: references to research evidence (named or not) and testimonials."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.lexicon import CueSet, Lexicon
from kg.model import (
    ConceptMention,
    Document,
    EntityMention,
    Evidence,
    Sentence,
    Span,
    StudyMention,
)
from kg.screen import SHARED, Screened, screened
from kg.text import is_heading, is_list_item, is_title

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
# a number in digits or words, "ninety-six" whole (never its "six" alone)
_NUM = rf"(?<![\w\-])(\d[\d,]*|(?:{_TENS})[\s\-](?:{_UNITS})\b|" + "|".join(NUMBER_WORDS) + r")"
_POPULATION = (
    r"(?:patients|children|participants|subjects|infants|adults|cases|boys|girls|individuals|"
    r"toddlers|kids|people|persons|volunteers|neonates|newborns)"
)
_POPULATION_WORDS = frozenset(_POPULATION.strip("(?:)").split("|"))
_N_RX = screened(rf"\b{_NUM}\s+(?:[A-Za-z\-]+\s+){{0,2}}{_POPULATION}\b", re.IGNORECASE)
_NUMBER_BEFORE = re.compile(rf"\b{_NUM}\s+(?:[\w\-]+\s+){{0,2}}$", re.IGNORECASE)
_N_EQ = screened(r"\b[nN]\s*=\s*(\d[\d,]*)")
_POPULATION_WORD = screened(rf"\b{_POPULATION}\b", re.I)
# `\b(19[6-9]\d|20[0-4]\d)\b`, the first digit ahead of its `\b` so that it is scanned for
_YEAR = re.compile(r"((?:1(?<!\w1)9[6-9]|2(?<!\w2)0[0-4])\d)\b")
_VENUE = re.compile(
    r"\bpublished\s+(?:(?:online|recently|today|yesterday|this\s+week|last\s+week|\w+day)\s+)?(?:in|by)\s+"
    r"(?:the\s+(?:journal\s+)?)?"
    r"((?:[A-Z][\w\-]*|&|of|and|in|for|the)(?:\s+(?:[A-Z][\w\-]*|&|of|and|in|for|the))*)"
)
_INVESTIGATOR = re.compile(
    r"\b(?:led by|conducted by|by)\s+((?:Dr\.?|Prof\.?|Professor)\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})"
    r"|\b([A-Z][a-z]+)\s+(?:et\s+al\b|and\s+(?:colleagues|co-?workers)\b)"
    r"|\b(?:led by|conducted by)\s+([A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+)\b(?!\s+(?:[A-Z]|of\b))"
)
# "in <Capitalised Name>": a journal when the name holds a journal word (lexicon `journal-word`)
_IN_NAME = re.compile(
    r"\bin\s+(?:the\s+(?:journal\s+)?)?((?:[A-Z][\w\-]*)(?:\s+(?:[A-Z][\w\-]*|&|of|and|in|for|the))*)"
)
_CITATION_ENTRY = re.compile(r"^\W*((?:19|20)\d\d)\s*[,.:\u2013-]\s*([A-Z][\w&\- ]{2,80}?)\s*[:.,\u2013]")
_TRAILING_CONNECTOR = re.compile(r"(?:\s+(?:&|of|and|in|for|the))+$")
_ELLIPTIC_MEMBER = re.compile(
    r"^(?:One|Another|The first|The second|The other)\s+(?!of\b)(?:from|by|at|in|was|is)\b"
)
_REVIEWS = {"meta-analysis", "systematic-review", "review"}
_SEARCHED = re.compile(r"\b(?:we|were)\s+(?:systematically\s+)?search(?:ed)?\b", re.I)  # a systematic search
_STUDY_ANAPHOR = re.compile(r"^(?:The|This)\s+(?:new\s+)?(?:study|trial|review|analysis)\b")
_FIRST_PERSON = re.compile(r"\b(?:we|our)\b", re.I)  # "In this review, we summarise..."
# "Sun et al. (2017) randomised 63 children": an author-year citation names a study by itself
_SURNAME = r"(?:[A-Z]|[À-ÖØ-Þ])[\w'\-]+"  # "Sun", "Özbay", "O'Neill"
# ("Sun and Li (2019)" needs its brackets: "January and March 2021" is a date)
_AUTHOR_YEAR = re.compile(
    rf"\b{_SURNAME} (?:et al\.?|and colleagues),? \(?(?:19|20)\d\d[a-z]?\)?"
    rf"|\b{_SURNAME} and {_SURNAME},? \((?:19|20)\d\d[a-z]?\)"
)
_CHILD_PRONOUN = re.compile(r"\b(?:he|she|his|her)\b", re.I)  # a parent writing about one child
# "He said that's why kids walk better": the pronoun of a speaker (the doctor), not of the child
_SPEAKER = re.compile(r"\b(?:he|she)\s+(?:said|says|explained|explains|told|tells|added|adds)\b", re.I)
_DETERMINER_WINDOW = 5  # words allowed between a determiner and the study noun


@dataclass
class _Candidate:
    sentence: Sentence
    rule: str
    span: Span
    testimonial: bool = False
    named_case: bool = False
    self_report: bool = False


def extract_studies(
    doc: Document,
    sentences: list[Sentence],
    passages: list[Screened],
    concepts: list[ConceptMention],
    entities: list[EntityMention],
    lexicon: Lexicon,
    screened_text: Screened,
) -> list[StudyMention]:
    """Study mentions with their details, read from the mention's sentence and those after it
    (`passages`: the sentences screened for cues; `screened_text`: the whole text)."""
    candidates = _find_candidates(doc, sentences, passages, entities, lexicon)
    studies: list[StudyMention] = []
    for i, cand in enumerate(candidates):
        context = _context(cand, candidates[i + 1 :], sentences, doc)
        study = _describe(doc, cand, context, passages, concepts, entities, lexicon)
        study.preprint = cand.self_report and bool(lexicon["preprint"].search(screened_text))
        studies.append(study)
    return studies


def _find_candidates(doc, sentences, passages, entities, lexicon) -> list[_Candidate]:
    singular = lexicon["study-noun"]
    plural = lexicon["study-noun-plural"]
    determiners = lexicon["study-singular-determiner"]
    vague = lexicon["study-vague-quantifier"]
    testimonial = lexicon["testimonial"]
    case_intro = lexicon["case-intro"]
    case_label = lexicon["case-label"]
    generic = lexicon["study-generic-context"]
    change = lexicon["change"]
    attribution = lexicon["research-attribution"]
    called_for = lexicon["study-called-for"]
    abstract_like = doc.own_study  # an abstract, a review, a trial registry record
    # a parent's own blog ("my daughter", "our son"): how the child changed is a testimonial
    narrator = doc.kind == "blog" and lexicon["parent-narrator"].search(doc.text) is not None
    # words by which a document names its own study: an abstract's "the trial", "our study"
    self_determiners = {"this", "the", "our"} if doc.own_study and doc.kind != "review" else {"this"}
    out: list[_Candidate] = []
    open_testimonial_paragraph = -1
    for s in sentences:
        text, passage = s.text, passages[s.index]
        if is_heading(s) or text.rstrip().endswith("?") or is_title(s, doc.title):
            continue  # headings and questions name topics, not studies
        if m := case_intro.search(passage):
            header = out[-1] if out else None
            if (
                header is not None
                and header.testimonial
                and not header.named_case
                and header.sentence.index == s.index - 1
                and header.sentence.paragraph == s.paragraph
            ):
                out.pop()  # "many families have shared results. One such case is X": one study
            out.append(_Candidate(s, "study.named-case", _abs(s, m), True, True))
            open_testimonial_paragraph = s.paragraph
            continue
        if m := case_label.search(passage):
            out.append(_Candidate(s, "study.case-label", _abs(s, m)))  # "Case study: A 7-year-old girl..."
            continue
        if m := testimonial.search(passage):
            if open_testimonial_paragraph != s.paragraph:
                told = _outcome_told_next(s, sentences, passages, change)
                if told is None:
                    out.append(_Candidate(s, "study.testimonial", _abs(s, m), True))
                    open_testimonial_paragraph = s.paragraph
                elif not testimonial.search(passages[told.index]):  # (else it is taken there)
                    out.append(_Candidate(told, "study.testimonial", told.span, True))
                    open_testimonial_paragraph = s.paragraph
            continue
        if (
            narrator
            and (m := change.search(passage))
            and _CHILD_PRONOUN.search(_SPEAKER.sub(" ", text))
            and not lexicon["aspiration"].search(passage)
        ):
            if open_testimonial_paragraph != s.paragraph:
                out.append(_Candidate(s, "study.parent-account", _abs(s, m), True))
                open_testimonial_paragraph = s.paragraph
            continue
        found = _singular_reference(passage, singular, determiners)
        if found and (
            generic.search(passage.part(0, found[1].start()))
            or called_for.search(passage.part(found[1].end()))
        ):
            found = None  # "look for a registered clinical trial", "a randomised trial is warranted"
        if found:
            determiner, m = found
            anaphoric = determiner in {"this", "the"}
            self_described = determiner == "this" and abstract_like and _FIRST_PERSON.search(text)
            continued = out and (
                s.paragraph == out[-1].sentence.paragraph
                or (s.paragraph == out[-1].sentence.paragraph + 1 and _STUDY_ANAPHOR.match(text))
            )
            if anaphoric and continued and not self_described:
                continue  # "the study", "this report": the study already open
            if (anaphoric or determiner == "our") and abstract_like and determiner in self_determiners:
                if not any(c.self_report for c in out):
                    out.append(_Candidate(s, "study.self-reference", _abs(s, m), self_report=True))
                continue
            if not anaphoric or _identified_here(s, passage, entities):
                # "a study", or "the largest trial, led by X, randomised 63 children"
                out.append(_Candidate(s, "study.singular-reference", _abs(s, m)))
            continue
        if m := _AUTHOR_YEAR.search(text):
            out.append(_Candidate(s, "study.author-year", _abs(s, m)))
            continue
        entry = _CITATION_ENTRY.match(text)
        if entry and lexicon["journal-word"].search(entry.group(2)):
            out.append(_Candidate(s, "study.citation-entry", _abs(s, entry)))
            continue
        m = attribution.search(passage)
        if (
            m
            and lexicon["result-verb"].search(passage.part(m.end()))
            and (_has_attribute(s, entities) or _YEAR.search(text))
        ):
            out.append(_Candidate(s, "study.research-attribution", _abs(s, m)))
            continue
        if _ELLIPTIC_MEMBER.match(text) and _recent_plural(passages, s, plural):
            out.append(_Candidate(s, "study.enumerated-member", Span(s.span.start, s.span.start + 3)))
            continue
        if (
            (m := plural.search(passage))
            and not generic.search(passage.part(0, m.start()))
            and not called_for.search(passage.part(m.end()))
        ):
            before = text[: m.start()]
            has_attribute = _has_attribute(s, entities) or _YEAR.search(text)
            numbered = _NUMBER_BEFORE.search(before)
            quantified = vague.search(" ".join(before.split()[-3:]))
            early = len(before.split()) <= 3
            if numbered:
                continue
            if has_attribute or (
                early and not quantified and lexicon["result-verb"].search(passage.part(m.end()))
            ):
                out.append(_Candidate(s, "study.plural-with-detail", _abs(s, m)))
    if doc.own_study:
        _add_own_study(out, doc, sentences, passages, lexicon["own-study"])
    return out


def _outcome_told_next(s: Sentence, sentences, passages, change) -> Sentence | None:
    """The next sentence of the paragraph when it reports the outcome that the parent's words in
    `s` do not ("We want to give him every chance," said his mother; ★★★★★ "Amazing results!"
    — then "After two sessions he started saying full sentences"): that one is the testimonial."""
    if change.search(passages[s.index]) or s.index + 1 >= len(sentences):
        return None
    nxt = sentences[s.index + 1]
    return nxt if nxt.paragraph == s.paragraph and change.search(passages[nxt.index]) else None


def _identified_here(s: Sentence, passage: Screened, entities: list[EntityMention]) -> bool:
    """The sentence names the study it refers to: an investigator, a year or sample size with
    an organisation or place."""
    if _INVESTIGATOR.search(s.text):
        return True
    return _has_attribute(s, entities) and bool(_YEAR.search(s.text) or _sample_size(passage))


def _add_own_study(out: list[_Candidate], doc, sentences, passages, own_study) -> None:
    """An abstract that reports its own study without calling it "this study" before its methods:
    the first sentence of its methods ("Sixty children were randomly allocated...") introduces it,
    not a later "the trial was not powered to..." (an earlier "This study aimed..." still does)."""
    named = next((c for c in out if c.self_report), None)
    found = [
        (s, m)
        for s in sentences
        if not (is_heading(s) or is_title(s, doc.title)) and (m := own_study.search(passages[s.index]))
    ]
    if not found:
        return
    # the sentence that gives the cohort's size ("Seventy-two children were randomly assigned"),
    # else the first ("Children aged 2 to 10 years were enrolled")
    s, m = next(((s, m) for s, m in found if _sample_size(passages[s.index])), found[0])
    if named is not None and named.sentence.index < s.index:
        return
    methods = {x.index for x, _ in found}  # "We searched ... and included randomised trials": its own methods
    out[:] = [c for c in out if c.sentence.index not in methods and c is not named]
    own = _Candidate(s, "study.own-methods", _abs(s, m), self_report=True)
    at = next((i for i, c in enumerate(out) if c.sentence.index > s.index), len(out))
    out.insert(at, own)


def _abs(s: Sentence, m: re.Match[str]) -> Span:
    return Span(s.span.start + m.start(), s.span.start + m.end())


def _singular_reference(passage: Screened, singular, determiners) -> tuple[str, re.Match[str]] | None:
    """A singular study noun introduced by a determiner a few words before it."""
    text = passage.text
    for m in singular.finditer(passage):
        noun = _noun_key(m.group(0))
        words = text[: m.start()].split()[-_DETERMINER_WINDOW:]
        for j in range(len(words) - 1, -1, -1):
            w = words[j].strip(",;:()").lower()
            if determiners.pattern.fullmatch(w) or (
                j > 0 and determiners.pattern.fullmatch(f"{words[j - 1].lower()} {w}")
            ):
                between = words[j + 1 :]
                if any(re.search(r"[.;:]$", x) for x in between):
                    break
                if noun not in _lower_terms(singular.terms):
                    break
                return w, m
            if w in {"of", "and", "or", "to", "by"}:  # ("this preprint by peer review": no review)
                break
    return None


def _noun_key(noun: str) -> str:
    """A study noun compared without case, hyphens or extra spaces ("Follow-up  data")."""
    return re.sub(r"[\s\-]+", " ", noun.lower())


@lru_cache(maxsize=8)
def _lower_terms(terms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_noun_key(t) for t in terms)


def _recent_plural(passages, s, plural) -> bool:
    start = max(0, s.index - 2)
    return any(plural.search(x) for x in passages[start : s.index])


def _has_attribute(s: Sentence, entities: list[EntityMention]) -> bool:
    return any(e.evidence.sentence.index == s.index for e in entities)


def _context(cand, later, sentences, doc) -> list[Sentence]:
    """The mention's sentence and the following ones that describe the same study."""
    stop = later[0].sentence.index if later else len(sentences)
    if cand.self_report:  # the document describes its own study throughout
        return [x for x in sentences[:stop] if not is_title(x, doc.title)]
    out = [cand.sentence]
    paragraph = cand.sentence.paragraph
    listed = is_list_item(cand.sentence, doc.text)
    for s in sentences[cand.sentence.index + 1 : stop]:
        if listed and is_list_item(s, doc.text):
            break  # a study named in one list item says nothing about the next item
        if s.paragraph != paragraph:
            if s.paragraph != paragraph + 1 or not _STUDY_ANAPHOR.match(s.text):
                break
            paragraph = s.paragraph  # "The trial will randomly assign 90 children...": still this study
        out.append(s)
    return out


def _describe(doc, cand, context, passages, concepts, entities, lexicon) -> StudyMention:
    first = cand.sentence
    passage = passages[first.index]
    ctx = SHARED.joined([passages[s.index] for s in context])
    # its design from the sentences about it, not from "a randomised trial is warranted"
    design_ctx = SHARED.joined(
        [passages[s.index] for s in context if not _calls_for_study(passages[s.index], lexicon)]
    )
    ctx_text = ctx.text
    ctx_ids = {s.index for s in context}
    span = Span(context[0].span.start, context[-1].span.end)
    study = StudyMention(
        evidence=Evidence(first.span, first, cand.rule),
        context=span,
        self_report=cand.self_report,
    )
    # design: an abstract's title names its own study's design ("...: an open-label phase 1 study")
    # before anything its text says ("randomised trials are needed"); otherwise the mention first
    if cand.testimonial:
        study.design, study.design_rule = "testimonial", "design.testimonial"
    else:
        found = (
            next((c for c in _designs(ctx, lexicon) if c.search(doc.title)), None)
            if cand.self_report
            else None
        )
        found = (
            found
            or next((c for c in _designs(passage, lexicon) if c.search(passage)), None)  # its own words first
            or next(
                (c for c in _designs(design_ctx, lexicon) if c.label != "review" and c.search(design_ctx)),
                None,
            )
        )
        if cand.self_report and doc.kind == "review" and (found is None or found.label not in _REVIEWS):
            # a review's own study is the review ("We searched for randomised trials"), whatever
            # the designs it searched for
            found = (
                lexicon["design-systematic-review"]
                if _SEARCHED.search(ctx_text)
                else lexicon["design-review"]
            )
        if found:
            study.design, study.design_rule = found.label, f"design.cue.{found.label}"
    # size
    study.n = _sample_size(passage) or _sample_size(ctx)
    one_patient = (
        cand.named_case
        or cand.rule == "study.parent-account"
        or study.design == "case-report"
        or (cand.testimonial and lexicon["one-relative"].search(cand.sentence.text) is not None)
    )
    if study.n is None and (one_patient or lexicon["single-patient"].search(ctx)):
        study.n = 1
    if study.design == "unspecified" and study.n and study.n > 1 and _POPULATION_WORD.search(ctx):
        study.design, study.design_rule = "case-series", "design.inferred.uncontrolled-series"
    # bibliographic detail
    year = _YEAR.search(first.text) or _YEAR.search(ctx_text)
    study.year = int(year.group(1)) if year else None
    journals = lexicon["journal-word"], lexicon["journal-name"]
    study.venue = _venue(passage, *journals) or _venue(ctx, *journals)
    inv = _INVESTIGATOR.search(first.text)
    if inv:
        study.investigator = (inv.group(1) or inv.group(3) or f"{inv.group(2)} et al.").strip()
    orgs = [e for e in entities if e.kind == "organization" and e.evidence.sentence.index == first.index]
    if not orgs:  # "The study of 90 children, led by researchers at Duke University, ...": the next
        # sentences name the study's institution when they are about the study or its researchers
        about = {
            s.index
            for s in context[1:]
            if _STUDY_ANAPHOR.match(s.text) or lexicon["research-attribution"].search(passages[s.index])
        }
        orgs = [e for e in entities if e.kind == "organization" and e.evidence.sentence.index in about]
    if orgs:
        study.institution = orgs[0].name
    study.countries = sorted(
        {e.code for e in entities if e.kind == "country" and e.evidence.sentence.index == first.index}
    )
    # what was studied: the mention's own sentence first, the sentences describing it otherwise
    in_context = [c for c in concepts if c.evidence.sentence.index in ctx_ids]
    for ctype, bucket, own_first in (
        ("cell_source", study.cell_sources, True),
        ("route", study.routes, True),
        ("outcome", study.outcomes, False),
        ("condition", study.conditions, False),
    ):
        found = [c for c in in_context if c.ctype == ctype]
        own = [c for c in found if c.evidence.sentence.index == first.index]
        bucket.extend(dict.fromkeys(c.concept for c in (own if (own_first and own) else found)))
    # conduct
    study.controlled = True if lexicon["control"].search(ctx) else None
    if lexicon["no-control"].search(ctx):
        study.controlled = False
    if study.design in {"rct", "controlled-trial"}:
        study.controlled = True
    elif study.design in {"case-series", "case-report", "testimonial"}:
        study.controlled = False
    study.randomised = True if lexicon["randomised"].search(ctx) else None
    study.blinded = True if lexicon["blinded"].search(ctx) else None
    negative = lexicon["negative-result"].search(ctx)
    positive = lexicon["change"].search(lexicon["negative-result"].sub(" ", ctx) if negative else ctx)
    study.result = (
        "mixed"
        if positive and negative
        else "positive"
        if positive
        else "negative"
        if negative
        else "unreported"
    )
    if lexicon["adverse-reported"].search(ctx):
        study.adverse_events = "reported"
    elif lexicon["adverse-none"].search(ctx):
        study.adverse_events = "none-reported"
    study.identifiable, study.identifiable_by = _identifiable(study, cand, ctx, lexicon)
    return study


def _calls_for_study(passage: Screened, lexicon: Lexicon) -> bool:
    """The sentence asks for a study or announces one ("a larger randomised trial is warranted")."""
    called_for = lexicon["study-called-for"]
    return any(
        called_for.search(passage.part(m.end()))
        for noun in (lexicon["study-noun"], lexicon["study-noun-plural"])
        for m in noun.finditer(passage)
    )


def _designs(text: Screened, lexicon: Lexicon) -> list[CueSet]:
    """The design cue sets that can apply to `text` ("uncontrolled": no controlled design)."""
    uncontrolled = lexicon["no-control"].search(text)
    return [
        c
        for c in lexicon.prefixed("design-")
        if c.label != "testimonial" and not (uncontrolled and c.label in {"rct", "controlled-trial"})
    ]


def _venue(text: Screened, journal_word, journal_name) -> str | None:
    """The journal: "published in X", else "in X" where X holds a journal word, else a source
    cited by name ("a Cochrane review")."""
    plain = text.text
    if m := _VENUE.search(plain):
        return _TRAILING_CONNECTOR.sub("", m.group(1).strip())
    for m in _IN_NAME.finditer(plain):
        name = _TRAILING_CONNECTOR.sub("", m.group(1))  # (what the name starts with)
        if journal_word.search(text.part(m.start(1), m.start(1) + len(name))):
            return name
    if (entry := _CITATION_ENTRY.match(plain)) and journal_word.search(entry.group(2)):
        return entry.group(2).strip()
    named = journal_name.search(text)
    return named.group(0) if named else None


def _sample_size(passage: Screened) -> int | None:
    """The first count of people: "n = 51" or "sixty children" (so a total before the arms,
    "Sixty children ... (n = 30) or ... (n = 30)", wins)."""
    text = passage.text
    eq = _N_EQ.search(passage)
    for m in _N_RX.finditer(passage):
        if eq and eq.start() < m.start():
            break
        after = text[m.end() : m.end() + 12]
        if re.match(r"[\s\-]*(year|month|week|day)", after, re.I):
            continue
        raw = m.group(1).lower().replace(",", "")
        if _YEAR.fullmatch(raw) and m.group(0).split()[1].lower() not in _POPULATION_WORDS:
            continue  # "in 2019 reported that children": a year, not a count
        value = int(raw) if raw.isdigit() else sum(NUMBER_WORDS.get(w, 0) for w in re.split(r"[\s\-]", raw))
        if value:
            return value
    return int(eq.group(1).replace(",", "")) if eq else None


def _identifiable(study: StudyMention, cand, ctx: Screened, lexicon: Lexicon) -> tuple[bool, str]:
    if cand.self_report:
        return True, "the document reports this study itself"
    if lexicon["registry-id"].search(ctx):
        return True, "registry id or DOI"
    if study.venue and study.year:
        return True, "journal and year"
    if study.investigator:
        return True, "named investigator"
    if study.institution and (study.year or study.n):
        return True, "institution with year or sample size"
    if cand.named_case and (study.year or re.search(r"\bvideo\b|\bat [A-Z]", ctx.text)):
        return True, "named patient with date or provider"
    return False, ""
