"""Extraction on wording the demo corpus does not use: other clinics, abstracts without "this
study", news and blog pages (each test names the pattern it guards)."""

from __future__ import annotations

from kg.extract import extract_document
from tests.extraction import claim_in, extract, own_study, read, study_in

CLINIC = (
    "Cerebral Palsy Program\n\n"
    "Our institute has offered stem cell therapy since 2012. Our protocol combines bone marrow cells "
    "with cord tissue cells, and our team has treated patients from 30 countries.\n\n"
    "Results\n\n"
    "Clinical studies show that 80% of patients improve. Over 90% of our patients show improvement "
    "after the first course.\n\n"
    '"He is crawling now," says his father. "She sits alone," writes her mother from Peru.\n\n'
    "The program costs $20,000."
)


def test_clinic_page_speaking_of_its_own_services_is_clinic_marketing(write_docs):
    # "results", "patients" and "clinical studies" alone read like an abstract
    assert read(write_docs, CLINIC).kind == "clinic-marketing"


def test_provider_outcome_figures_are_claims_and_quoted_parents_testimonials(write_docs):
    x = extract(write_docs, CLINIC)
    claim = claim_in(x, "Over 90% of our patients")
    assert claim is not None and claim.claim_type == "efficacy"
    designs = [s.design for s in x.studies]
    assert designs.count("testimonial") == 1  # one per paragraph: both quotes stand together
    assert study_in(x, "says his father").design == "testimonial"


ABSTRACT = (
    "Bone marrow cells for spastic cerebral palsy: a randomised, single-blind, controlled trial\n\n"
    "Objective: To assess intrathecal bone marrow mononuclear cells in spastic cerebral palsy.\n\n"
    "Methods: Forty-two children were screened. Sixty children aged 3 to 12 years were randomly "
    "allocated to cells plus rehabilitation (n = 30) or rehabilitation alone (n = 30).\n\n"
    "Results: GMFM-88 scores improved more in the cell group (p = 0.03).\n\n"
    "Conclusions: The cells produced a modest improvement in gross motor function."
)


def test_abstract_reports_its_own_trial_without_saying_this_study(write_docs):
    doc = read(write_docs, ABSTRACT)
    assert doc.kind == "abstract"
    x = extract_document(doc)
    own = [s for s in x.studies if s.self_report]
    assert len(own) == 1
    assert own[0].evidence.rule == "study.own-methods"
    assert "randomly allocated" in own[0].evidence.sentence.text
    assert own[0].design == "rct"
    assert own[0].n == 60  # the total before the arms' "n = 30"
    assert own[0].identifiable


def test_abstract_without_methods_wording_reports_no_own_study(write_docs):
    x = extract(
        write_docs,
        "Abstract\n\nStem cells have been used for cerebral palsy. Only two studies are reported. One "
        "from a hospital in China reported 51 patients whose symptoms improved after treatment.",
    )
    assert not any(s.self_report for s in x.studies)


NEWS = (
    "# Do stem cells help children with cerebral palsy?\n\n"
    "*Health Desk*\n\n"
    "A 2020 systematic review and meta-analysis in Developmental Medicine & Child Neurology pooled "
    "eight trials with 363 children.\n\n"
    "The largest trial of cord blood, led by Joanne Kurtzberg at Duke University in the United "
    "States, randomised 63 children.\n\n"
    '"There is no good evidence that these cells repair the brain," said a neurologist.'
)


def test_news_citing_a_meta_analysis_is_news_not_a_review(write_docs):
    assert read(write_docs, NEWS).kind == "news"


def test_the_trial_led_by_a_named_investigator_is_a_study_not_the_document_itself(write_docs):
    x = extract(write_docs, NEWS)
    trial = study_in(x, "led by Joanne Kurtzberg")
    assert not trial.self_report
    assert (trial.design, trial.n, trial.investigator) == ("rct", 63, "Joanne Kurtzberg")
    assert trial.identifiable


def test_journal_named_after_in_is_the_venue(write_docs):
    x = extract(write_docs, NEWS)
    review = study_in(x, "meta-analysis in Developmental")
    assert review.venue == "Developmental Medicine & Child Neurology"
    assert (review.year, review.identifiable) == (2020, True)


BLOG = (
    "What Science Says About Cord Blood\n\n"
    "Posted by a mom and CP advocate.\n\n"
    "Researchers at Duke University found that children who received their own cord blood made "
    "greater gains in motor function than children who received a placebo. The trial was "
    "published in Stem Cells Translational Medicine in 2017.\n\n"
    "A 2018 review by Novak and colleagues concluded that the benefit is small.\n\n"
    "If you are thinking about stem cells, look for a registered clinical trial."
)


def test_findings_attributed_to_researchers_at_a_named_place_are_a_study(write_docs):
    x = extract(write_docs, BLOG)
    duke = study_in(x, "Researchers at Duke University")
    assert duke.evidence.rule == "study.research-attribution"
    assert (duke.design, duke.year, duke.venue) == ("rct", 2017, "Stem Cells Translational Medicine")
    assert duke.identifiable


def test_author_and_colleagues_is_an_investigator(write_docs):
    review = study_in(extract(write_docs, BLOG), "Novak and colleagues")
    assert review.investigator == "Novak et al."
    assert review.identifiable


def test_any_trial_one_should_look_for_is_not_a_study_mention(write_docs):
    x = extract(write_docs, BLOG)
    assert not any("look for" in s.evidence.sentence.text for s in x.studies)


def test_methodological_quality_is_evidence_and_recommendations_are_not_claims(write_docs):
    x = extract(
        write_docs,
        "Results: Most trials of stem cell therapy were at high risk of bias.\n\n"
        "Conclusions: Stem cell therapy should be offered only within well-designed trials.",
    )
    bias = claim_in(x, "risk of bias")
    assert bias is not None and bias.claim_type == "evidence"
    assert claim_in(x, "should be offered only") is None


def test_unnamed_publications_are_a_vague_citation(write_docs):
    x = extract(
        write_docs,
        "Our stem cell therapy is effective. Our doctors have published their results in "
        "peer-reviewed journals.",
    )
    claim = claim_in(x, "peer-reviewed journals")
    assert claim is not None and claim.claim_type == "evidence" and claim.vague_citation


def test_background_on_usual_care_is_not_a_claim(write_docs):
    x = extract(
        write_docs,
        "Introduction: Dyskinetic cerebral palsy is a disabling disorder with few effective treatments.",
    )
    assert x.claims == []


HOSPITAL = (
    "Stem Cell Therapy for Cerebral Palsy\n\n"
    "Our team has performed over 5,000 stem cell procedures at our hospital.\n\n"
    "In our analysis of 108 children, 91% showed clinical improvement at six months.\n\n"
    "We have published more than 25 research papers in international journals.\n\n"
    'Rahul, 6, from Dubai, could not stand without support before treatment. "Within four months '
    'he started taking steps with a walker," says his father.'
)


def test_a_providers_own_series_and_its_figures(write_docs):
    x = extract(write_docs, HOSPITAL)
    series = study_in(x, "In our analysis of 108 children")
    assert (series.design, series.n, series.identifiable) == ("case-series", 108, False)
    claim = claim_in(x, "91% showed clinical improvement")
    assert claim is not None and claim.claim_type == "efficacy"


def test_appeal_to_the_providers_publications_is_a_vague_evidence_claim(write_docs):
    claim = claim_in(extract(write_docs, HOSPITAL), "25 research papers")
    assert claim is not None and claim.claim_type == "evidence" and claim.vague_citation


def test_named_patient_with_an_age_opens_a_case_and_the_baseline_is_no_claim(write_docs):
    x = extract(write_docs, HOSPITAL)
    case = study_in(x, "Rahul, 6, from Dubai")
    assert (case.design, case.n) == ("testimonial", 1)
    assert claim_in(x, "could not stand without support before treatment") is None
    assert claim_in(x, "started taking steps").anecdotal


def test_number_words_with_a_hyphen_count_whole(write_docs):
    x = extract(
        write_docs,
        "Cord blood with erythropoietin: a randomized trial\n\nAbstract\n\nNinety-six children with "
        "cerebral palsy were randomly assigned to cord blood (n = 31), erythropoietin (n = 33) or "
        "placebo (n = 32). Motor scores improved more with cord blood.",
    )
    assert own_study(x).n == 96


LOCAL_NEWS = (
    "# Family raises money for stem cell trip\n\n"
    "**By Laura Chen, Staff Reporter**\n\n"
    '"We just want to give him every chance," said his mother. "Other parents told us their kids made '
    'huge progress after the injections."\n\n'
    '"The trials show small benefits at best," she said.\n\n'
    "A Cochrane review published in 2023 found no reliable evidence that stem cell treatments help.\n\n"
    "The clinic did not respond to requests for comment."
)


def test_local_news_with_attributed_quotes_is_news(write_docs):
    assert read(write_docs, LOCAL_NEWS).kind == "news"


def test_the_parents_outcome_not_the_hope_before_it_is_the_testimonial(write_docs):
    x = extract(write_docs, LOCAL_NEWS)
    testimonials = [s for s in x.studies if s.design == "testimonial"]
    assert [t.evidence.sentence.text[:30] for t in testimonials] == ['"Other parents told us their k']


def test_a_review_cited_by_its_source_is_identifiable(write_docs):
    review = study_in(extract(write_docs, LOCAL_NEWS), "Cochrane review")
    assert (review.design, review.venue, review.year) == ("systematic-review", "Cochrane", 2023)
    assert review.identifiable


CLINIC_FAQ = (
    "Fetal Stem Cell Therapy\n\n"
    "For more than 20 years, our clinic has used fetal stem cells for cerebral palsy.\n\n"
    "Unlike adult stem cells, they can become any type of brain cell and replace the neurons lost "
    "in cerebral palsy.\n\n"
    "According to our internal statistics, 87% of children improve after two procedures.\n\n"
    "Our results were presented at international medical conferences.\n\n"
    "Is it safe?\n\n"
    "In two decades we have never seen a serious side effect.\n\n"
    "Patients come to us from Israel, the UK and Australia."
)


def test_provider_statistics_conferences_safety_record_and_reach(write_docs):
    x = extract(write_docs, CLINIC_FAQ)
    assert study_in(x, "our internal statistics").identifiable is False
    assert claim_in(x, "replace the neurons").claim_type == "mechanism"
    conferences = claim_in(x, "presented at international medical conferences")
    assert conferences.claim_type == "evidence" and conferences.vague_citation
    assert claim_in(x, "never seen a serious side effect").claim_type == "safety"
    assert claim_in(x, "Patients come to us").claim_type == "access"


def test_uncontrolled_abstract_whose_methods_say_children_received(write_docs):
    x = extract(
        write_docs,
        "Safety of autologous cord blood in cerebral palsy: an open-label phase 1 study\n\nAbstract\n\n"
        "Twenty children aged 1 to 6 years with cerebral palsy received a single intravenous infusion "
        "of their own umbilical cord blood. Three children had mild hypersensitivity reactions. "
        "Randomised trials are needed to establish efficacy.",
    )
    own = own_study(x)
    assert (own.design, own.n) == ("case-series", 20)
    assert claim_in(x, "hypersensitivity").claim_type == "safety"
    needed = claim_in(x, "Randomised trials are needed")
    assert needed is not None and needed.hedged


PRESS = (
    "University launches trial of cord blood cells for cerebral palsy\n\n"
    "SYDNEY, 14 March 2024 – Researchers at the University of Sydney have begun enrolling children "
    "in a new clinical trial that will test whether donor cord blood cells can improve movement.\n\n"
    "The trial will randomly assign 90 children to donor cord blood or a placebo infusion.\n\n"
    "The trial is funded by the Cerebral Palsy Alliance and registered as ACTRN12623000123456.\n\n"
    "Media contact: press@example.org"
)


def test_press_release_is_news_and_its_trial_is_described_in_the_next_paragraphs(write_docs):
    doc = read(write_docs, PRESS)
    assert doc.kind == "news"
    x = extract_document(doc)
    trial = study_in(x, "a new clinical trial")
    assert (trial.design, trial.n, trial.identifiable) == ("rct", 90, True)
    assert claim_in(x, "will test whether") is None
    assert "Cerebral Palsy Alliance" in {e.name for e in x.entities if e.kind == "organization"}


def test_this_review_with_we_is_the_document_even_after_another_study(write_docs):
    x = extract(
        write_docs,
        "MSCs for childhood neurological disorders: a narrative review\n\nAbstract\n\n"
        "Preclinical studies show that MSCs secrete trophic factors. In this review, we summarise the "
        "clinical evidence in cerebral palsy.\n\nConclusions: Randomised trials are required.",
    )
    own = own_study(x)
    assert own.design == "review" and "In this review" in own.evidence.sentence.text


def test_a_parents_forum_post_is_a_blog(write_docs):
    post = (
        "Re: Has anyone tried stem cells?\n\nPosted by jen_mum\n\nMy daughter has cerebral palsy. "
        "Honestly, I think it helped. It cost us $40,000."
    )
    assert read(write_docs, post).kind == "blog"


def test_a_year_before_the_population_is_not_the_sample_size(write_docs):
    x = extract(
        write_docs,
        "A peer-reviewed study published in Cytotherapy in 2019 reported that children treated with "
        "umbilical cord MSCs improved their gross motor scores.",
    )
    study = study_in(x, "Cytotherapy")
    assert (study.n, study.year, study.design) == (None, 2019, "unspecified") and study.identifiable


def test_own_study_anchored_where_the_methods_give_the_cohort_size(write_docs):
    x = extract(
        write_docs,
        "Cord blood in cerebral palsy: a randomised, double-blind, placebo-controlled trial\n\n"
        "Methods: Children aged 2 to 10 years with cerebral palsy were enrolled at two centres. "
        "Seventy-two children were randomly assigned to cord blood (n = 36) or placebo (n = 36).\n\n"
        "Results: Secondary outcomes were also similar.",
    )
    own = own_study(x)
    assert own.evidence.sentence.text.startswith("Seventy-two children") and own.n == 72
    assert claim_in(x, "were also similar") is not None


def test_clinic_outcomes_in_a_program_and_harms_after_a_safety_claim(write_docs):
    x = extract(
        write_docs,
        "Results: in many cases, children begin to speak or walk for the first time.\n\n"
        "The procedure is performed by experienced doctors and is very safe. Some children may have a "
        "mild fever or headache for one or two days.\n\n"
        "The two-week program costs $21,000.\n\n"
        '"Mia learned to sit on her own after her first treatment," shares her mother.',
    )
    assert claim_in(x, "children begin to speak").claim_type == "efficacy"
    harm = claim_in(x, "mild fever or headache")
    assert harm.claim_type == "safety" and harm.hedged
    assert claim_in(x, "program costs").claim_type == "access"
    assert claim_in(x, "Mia learned to sit").anecdotal


def test_listed_benefits_under_a_lead_in_are_claims_and_prices_are_access(write_docs):
    x = extract(
        write_docs,
        "# Cerebral Palsy Program\n\n**Benefits of our stem cell program:**\n\n"
        "- Improved muscle tone and reduced spasticity\n- Better balance and coordination\n"
        "- Safe, natural and non-surgical\n\n**Why us?**\n\nPackage price: from USD 18,000.",
        name="page.md",
    )
    assert claim_in(x, "**Benefits") is None  # bold is not a bullet
    assert claim_in(x, "Improved muscle tone").claim_type == "efficacy"
    assert claim_in(x, "Better balance").claim_type == "efficacy"
    assert claim_in(x, "Safe, natural").claim_type == "safety"
    assert claim_in(x, "Package price").claim_type == "access"


def test_a_retrospective_review_of_records_is_the_abstracts_own_series(write_docs):
    x = extract(
        write_docs,
        "Umbilical cord MSCs in cerebral palsy: a retrospective case series\n\n"
        "Patients and methods: We retrospectively reviewed the records of 25 children with cerebral "
        "palsy treated at our hospital.\n\nResults: No child had a serious adverse event.\n\n"
        "Conclusion: The therapy appeared safe.",
    )
    own = own_study(x)
    assert (own.design, own.n) == ("case-series", 25)
    assert claim_in(x, "No child had a serious adverse event").claim_type == "safety"
    assert claim_in(x, "appeared safe").hedged


def test_structured_abstract_whose_participants_line_gives_the_cohort(write_docs):
    x = extract(
        write_docs,
        "Cord blood for spastic cerebral palsy: randomised controlled trial\n\n"
        "Design: Randomised, double blind, placebo controlled crossover trial.\n\n"
        "Participants: 63 children aged 1 to 6 years with spastic cerebral palsy.\n\n"
        "Results: Overall, the change in GMFM-66 did not differ between groups. Infusions were well "
        "tolerated.",
    )
    own = own_study(x)
    assert (own.design, own.n) == ("rct", 63) and own.evidence.sentence.text.startswith("Participants")
    assert claim_in(x, "did not differ between groups") is not None


def test_a_bank_is_an_organisation_and_harms_answer_a_safety_question(write_docs):
    x = extract(
        write_docs,
        "From the LifeVault Cord Blood Bank blog.\n\n"
        "A: The treatment is minimally invasive. Temporary back pain after the lumbar puncture is the "
        "most common side effect.",
    )
    assert "LifeVault Cord Blood Bank" in {e.name for e in x.entities if e.kind == "organization"}
    assert claim_in(x, "Temporary back pain").claim_type == "safety"


def test_unstructured_abstract_with_groups_and_p_values(write_docs):
    doc = read(
        write_docs,
        "Bone marrow mononuclear cells in children with cerebral palsy\n\nAbstract\n\n"
        "A total of 94 children with cerebral palsy were divided into a transplantation group "
        "(n = 47) and a control group (n = 47). GMFM-88 scores improved significantly more in the "
        "transplantation group (P < 0.05).",
    )
    assert doc.kind == "abstract"
    x = extract_document(doc)
    own = own_study(x)
    assert (own.design, own.n) == ("controlled-trial", 94)
    result = claim_in(x, "improved significantly")
    assert result is not None and not result.strong_cues  # statistical, not a boast


def test_myths_and_facts_page_and_a_story_to_watch(write_docs):
    page = (
        "# Stem Cells and Cerebral Palsy: Myths and Facts\n\n*Cerebral Palsy Family Network*\n\n"
        "**Myth: Stem cells can cure cerebral palsy.**\nFact: No study has shown that stem cells cure "
        "cerebral palsy."
    )
    doc = read(write_docs, page, name="myths.md")
    assert doc.kind == "blog"
    x = extract_document(doc)
    assert "Cerebral Palsy Family Network" in {e.name for e in x.entities if e.kind == "organization"}
    fact = claim_in(x, "No study has shown")
    assert fact.claim_type == "evidence" and not fact.strong_cues  # "cure" is negated
    story = extract(
        write_docs,
        "Watch Sebastian's story: after two treatments at our clinic, Sebastian, 7, from Chile, took "
        "his first independent steps.",
    )
    assert story.studies[0].design == "testimonial" and story.studies[0].n == 1


def test_our_study_in_an_abstract_is_the_document_itself(write_docs):
    x = extract(
        write_docs,
        "Stem cells in cerebral palsy: a case series\n\nAbstract\n\nBackground: Few options exist.\n\n"
        "Methods: In our study, 40 children with cerebral palsy received umbilical cord MSCs.\n\n"
        "Conclusions: Motor scores improved.",
    )
    own = [s for s in x.studies if s.self_report]
    assert len(own) == 1 and len(x.studies) == 1 and own[0].n == 40


def test_citation_entries_and_a_study_published_on_a_weekday(write_docs):
    x = extract(
        write_docs,
        "# Clinical evidence\n\nKey studies:\n\n- **2017, Stem Cells Translational Medicine:** 63 children "
        "received autologous cord blood; those given an adequate dose improved.\n- **2020, Journal of "
        "Translational Medicine:** a trial of 50 children found that cord MSCs reduced spasticity "
        "compared with rehabilitation alone.",
        name="evidence.md",
    )
    first = study_in(x, "2017, Stem Cells")
    assert (first.year, first.venue, first.n, first.identifiable) == (
        2017,
        "Stem Cells Translational Medicine",
        63,
        True,
    )
    second = study_in(x, "2020, Journal of")
    assert (second.design, second.venue) == ("controlled-trial", "Journal of Translational Medicine")
    news = extract(
        write_docs,
        "DURHAM, N.C. (AP) — Toddlers who received their own cord blood showed small improvements, "
        "according to a study published Tuesday in JAMA Pediatrics.\n\n"
        "The study of 90 children, led by researchers at Duke University, compared cord blood with "
        "placebo.",
    )
    assert len(news.studies) == 1  # "The study of 90 children" goes on describing it
    study = news.studies[0]
    assert (study.venue, study.n, study.design) == ("JAMA Pediatrics", 90, "rct")
    # the next sentence, about the study, names its institution: with the size, it can be found
    assert (study.institution, study.identifiable) == ("Duke University", True)


def test_meta_analysis_methods_are_its_own_and_names_stop_at_a_full_stop(write_docs):
    x = extract(
        write_docs,
        "Stem cell therapy for cerebral palsy: a meta-analysis of randomised controlled trials\n\n"
        "Abstract\n\nMethods: We searched PubMed to March 2021 and included randomised controlled "
        "trials.\n\nResults: We included 9 RCTs (n = 412). The certainty of the evidence is low.\n\n"
        '"We do not know yet," said Professor Nadia Badawi of the University of Sydney. A handful of '
        "trials suggest small gains.",
    )
    assert [(s.design, s.n) for s in x.studies] == [("meta-analysis", 412)]
    assert claim_in(x, "The certainty of the evidence is low").claim_type == "evidence"
    assert "University of Sydney" in {e.name for e in x.entities if e.kind == "organization"}


def test_a_hospital_reports_its_own_figures_and_its_units_are_not_organisations(write_docs):
    x = extract(
        write_docs,
        "Jinhua Neuro Hospital | International Patient Center\n\n"
        "Welcome to the International Patient Center of Jinhua Neuro Hospital.\n\n"
        "According to our hospital's follow-up data of 1,200 patients, the total effective rate is "
        "87.5%.\n\n"
        "No serious side effects have been observed in our 15 years of clinical practice.\n\n"
        "Amir, 6, from Riyadh, could not sit before coming to us. Two months after his treatment his "
        "mother says he sits alone.\n\n"
        "The standard package is USD 26,500, including accommodation.",
        "hospital.txt",
    )
    figures = study_in(x, "follow-up data")  # "follow-up data" is a study noun, hyphen or not
    assert (figures.design, figures.n, figures.identifiable) == ("case-series", 1200, False)
    assert claim_in(x, "the total effective rate is 87.5%") is not None  # an outcome rate
    assert claim_in(x, "No serious side effects have been observed").claim_type == "safety"
    assert claim_in(x, "his mother says he sits alone") is not None  # a testimonial is a claim
    assert claim_in(x, "The standard package is USD 26,500").claim_type == "access"  # a price
    orgs = {e.name for e in x.entities if e.kind == "organization"}
    assert orgs == {"Jinhua Neuro Hospital"}  # not its "International Patient Center"


def test_a_regulator_names_itself_and_reported_claims_advice_and_running_trials_are_not_evidence(
    write_docs,
):
    x = extract(
        write_docs,
        "# Stem cell treatments for cerebral palsy\n\n"
        "*Consumer information from the Therapeutic Goods Administration*\n\n"
        "Clinics often say the cells will repair brain damage or restore movement.\n\n"
        "Australian researchers are running clinical trials of cord blood cells, and families can ask "
        "whether a registered trial is suitable.\n\n"
        "Cell therapies are offered in private centres in India, but outcomes outside trials are "
        "poorly documented.\n\n"
        "Before agreeing to treatment, ask what evidence supports it and what it costs.",
        "warning.md",
    )
    assert "Therapeutic Goods Administration" in {e.name for e in x.entities if e.kind == "organization"}
    assert x.studies == []  # trials being run, "a registered trial" to ask about, "outside trials"
    assert claim_in(x, "Clinics often say") is None  # the page reports others' claims
    assert claim_in(x, "Before agreeing to treatment, ask") is None  # advice
    assert "neurogenesis" in {c.concept.rsplit("/", 1)[-1] for c in x.concepts}  # "repair brain damage"


def test_a_study_in_one_numbered_item_is_not_cited_by_the_next_items(write_docs):
    x = extract(
        write_docs,
        "# CelulaViva Regenerative Center\n\n"
        "At CelulaViva we treat children with cerebral palsy using allogeneic mesenchymal stem cells "
        "isolated from Wharton's jelly.\n\n"
        "## Why families choose us\n\n"
        "1. A Duke University study showed that cord blood cells improve motor skills.\n"
        "2. Wharton's jelly cells are immune-privileged, so no donor matching is needed.\n"
        "3. Treatment is painless and free of side effects.",
        "clinic.md",
    )
    assert claim_in(x, "At CelulaViva we treat children").claim_type == "access"
    duke = claim_in(x, "A Duke University study showed")
    assert duke.cites and not claim_in(x, "Treatment is painless").cites
    privileged = claim_in(x, "immune-privileged")
    assert (privileged.cites, privileged.hedged, privileged.claim_type) == ([], False, "property")
    # "mesenchymal stem cells isolated from Wharton's jelly" are UC-MSCs, not MSCs of any source
    first = {c.concept.rsplit("/", 1)[-1] for c in x.concepts if "At CelulaViva" in c.evidence.sentence.text}
    assert "uc-msc" in first and "msc" not in first


def test_a_parents_own_account_is_a_testimonial_and_its_changes_are_anecdotes(write_docs):
    x = extract(
        write_docs,
        "# Mateo's journey: round three\n\n*Posted on our family blog*\n\n"
        "We just got back from Panama City after Mateo's third round of umbilical cord stem cells.\n\n"
        "Since the first round he has been saying more words and sleeping through the night. His "
        "physical therapist says his legs are looser than ever.\n\n"
        "We know there are no guarantees, and we are still doing his therapy five days a week.",
        "blog.md",
    )
    [story] = x.studies
    assert (story.design, story.n, story.evidence.sentence.text[:16]) == (
        "testimonial",
        1,
        "Since the first ",
    )
    for words in ("Since the first round", "physical therapist says"):
        claim = claim_in(x, words)
        assert (claim.cites, claim.anecdotal) == ([0], True)  # it rests on the story
    assert claim_in(x, "no guarantees") is None  # a denied promise is not a claim
    forum = extract(
        write_docs,
        "My daughter has cerebral palsy. Last year we went to a clinic in Bangkok for stem cell "
        "injections.\n\nHonestly, I think it helped. She is more relaxed and smiles more.",
        "post.txt",
    )
    assert [s.evidence.sentence.text for s in forum.studies] == ["Honestly, I think it helped."]


def test_a_systematic_review_reports_its_own_search_in_the_passive(write_docs):
    x = extract(
        write_docs,
        "Umbilical cord blood cell therapy for children with cerebral palsy: a systematic review\n\n"
        "Data sources: MEDLINE, Embase and CENTRAL were searched to January 2024.\n\n"
        "Results: Seven studies (three randomised trials and four case series; 312 participants) met "
        "the inclusion criteria. Two of the three trials reported greater improvement in gross motor "
        "function with cord blood than with placebo.\n\n"
        "Conclusions: Larger, well-designed trials are needed.",
        "review.txt",
    )
    own = own_study(x)
    assert (own.design, own.n, own.evidence.sentence.text[:22]) == (
        "systematic-review",
        312,
        "Results: Seven studies",
    )
    assert claim_in(x, "Larger, well-designed trials are needed").hedged


def test_a_doctors_own_observation_is_an_anecdote(write_docs):
    x = extract(
        write_docs,
        "Stem cell program\n\n"
        '"In my practice I have seen children walk and speak for the first time after our protocol," '
        "says Dr. Andrés Ramírez, medical director.",
        "clinic.txt",
    )
    assert claim_in(x, "I have seen children walk").anecdotal


def test_a_narrative_review_cites_by_author_and_year(write_docs):
    x = extract(
        write_docs,
        "# Cell-based therapies for cerebral palsy: where do we stand?\n\n## Introduction\n\n"
        "Several cell therapies have moved into clinical trials.\n\n## Clinical evidence\n\n"
        "Sun et al. (2017) randomised 63 children to autologous cord blood or placebo and found greater "
        "motor gains with higher doses. Gu et al. (2020) reported a controlled trial of 39 children given "
        "umbilical cord mesenchymal stem cells. Most other reports are uncontrolled case series.\n\n"
        "## Conclusion\n\nCell therapy for cerebral palsy remains experimental.",
        "review.md",
    )
    assert x.document.kind == "review"
    sun, gu = study_in(x, "Sun et al."), study_in(x, "Gu et al.")
    assert (sun.design, sun.n, sun.year, sun.identifiable) == ("rct", 63, 2017, True)
    assert (gu.design, gu.n) == ("controlled-trial", 39)  # its own words, not the next sentence's
    assert claim_in(x, "remains experimental").polarity == "negative"  # missing evidence promises nothing


def test_a_clinics_case_study_reach_and_an_experts_answers(write_docs):
    x = extract(
        write_docs,
        "NeuroRegen Institute\n\nWe have treated more than 10,000 patients from over 90 countries.\n\n"
        "Case study: A 7-year-old girl with spastic quadriplegia received two cycles of treatment. A "
        "PET-CT scan six months later showed improved metabolism, and her sitting balance improved.",
        "clinic.txt",
    )
    case = study_in(x, "Case study:")
    assert (case.design, case.n, case.identifiable) == ("case-report", 1, False)
    assert claim_in(x, "We have treated more than 10,000").claim_type == "access"
    expert = extract(
        write_docs,
        "# Ask the expert: are stem cell treatments for cerebral palsy safe?\n\n"
        "*Dr. Helen Okafor answers readers' questions.*\n\n"
        "In clinical trials, serious side effects have been rare.\n\n"
        "Some children in trials improved slightly more than children given a placebo.",
        "expert.md",
    )
    assert expert.document.kind == "news"
    assert claim_in(expert, "Some children in trials improved") is not None


def test_an_abstracts_methods_introduce_its_trial_before_its_conclusion_says_the_trial(write_docs):
    x = extract(
        write_docs,
        "Intranasal mesenchymal stem cells for spastic cerebral palsy: a pilot randomised trial\n\n"
        "Aims: To test the feasibility of intranasal bone marrow mesenchymal stem cells.\n\n"
        "Methods: Twenty children aged 2 to 6 years were randomised to intranasal MSCs (n = 10) or sham "
        "administration (n = 10).\n\nResults: No serious adverse events occurred.\n\n"
        "Conclusion: The trial was not powered to detect efficacy.",
        "pilot.txt",
    )
    assert [(s.design, s.n, s.evidence.sentence.text[:16]) for s in x.studies] == [
        ("rct", 20, "Methods: Twenty ")
    ]
    assert claim_in(x, "Aims: To test") is None


def test_a_forum_thread_names_relatives_and_a_clinic_name_is_not_a_concept(write_docs):
    x = extract(
        write_docs,
        "# Thread: Stem cells in Mexico - worth it?\n\n**reply from mamabear22**\n\n"
        "My nephew went to a clinic in Mexico two years ago. Honestly it didn't help at all.",
        "thread.md",
    )
    story = study_in(x, "My nephew went")
    assert (story.design, story.n) == ("testimonial", 1)
    assert claim_in(x, "it didn't help at all").polarity == "negative"
    clinic = extract(
        write_docs,
        "The Rhein Stem Cell Clinic in Düsseldorf offers autologous bone marrow stem cell treatment for "
        "children with cerebral palsy.",
        "clinic.txt",
    )
    assert {c.key for c in clinic.concepts if c.ctype == "cell_source"} == {"bm-msc"}  # not "Stem Cell"
    assert claim_in(clinic, "offers autologous").claim_type == "access"


def test_a_news_transcript_names_its_speakers(write_docs):
    x = extract(
        write_docs,
        'EVENING NEWS TRANSCRIPT: "The Stem Cell Gamble"\n\n'
        "REPORTER: Eight-year-old Leo has spastic cerebral palsy. His parents paid for stem cell "
        "injections at a clinic in Panama.\n\n"
        "LEO'S MOTHER: Within a month he was holding his cup by himself. I really believe the cells "
        "made a difference.\n\n"
        "DR. ALAN PRICE, NEUROLOGIST: Children also improve with growth and therapy, so a parent's "
        "impression can't tell us whether the cells did anything.",
        "transcript.txt",
    )
    [story] = [s for s in x.studies if s.design == "testimonial"]
    assert (story.n, story.evidence.sentence.text[:20]) == (1, "LEO'S MOTHER: Within")
    told = claim_in(x, "holding his cup")
    assert (told.cites, told.anecdotal) == ([0], True)  # the mother's words are the testimonial


def test_a_clinic_guide_s_wording_of_potential_cell_properties_and_safe_doses(write_docs):
    x = extract(
        write_docs,
        "# Stem Cell Therapy for Cerebral Palsy\n\n"
        "At Nuvida Institute we use umbilical cord-derived mesenchymal stem cells to help children reach "
        "their full potential.\n\n"
        "Stem cells have the unique ability to become many different types of cells.\n\n"
        "Our laboratory follows strict quality controls, so every dose is safe and sterile.",
        "guide.md",
    )
    assert not claim_in(x, "reach their full potential").hedged
    assert claim_in(x, "unique ability").claim_type == "property"
    assert claim_in(x, "every dose is safe").claim_type == "safety"


def test_a_neonatal_study_with_concurrent_controls_and_a_trial_it_calls_for(write_docs):
    x = extract(
        write_docs,
        "Autologous umbilical cord blood cells for neonates with hypoxic-ischemic encephalopathy: a "
        "phase I feasibility study\n\n"
        "Methods: Twenty-three neonates with moderate to severe HIE received up to four intravenous "
        "infusions of their own cord blood cells.\n\n"
        "Results: 74% of survivors had normal development at one year, compared with 41% in a concurrent "
        "group treated with hypothermia alone.\n\nConclusions: A randomised trial is warranted.",
        "hie.txt",
    )
    assert [(s.design, s.n, s.evidence.sentence.text[:16]) for s in x.studies] == [
        ("controlled-trial", 23, "Methods: Twenty-")
    ]  # not rct from the trial it calls for, which is no study itself


def test_a_press_release_from_a_newswire(write_docs):
    x = extract(
        write_docs,
        "# NeuroCell Therapeutics Announces First Patient Dosed\n\n"
        "SAN DIEGO, March 4, 2026 /PRNewswire/ -- NeuroCell Therapeutics, Inc. today announced that the "
        "first patient has been dosed in its Phase 2 trial of NC-101 in children with cerebral palsy.\n\n"
        "About NeuroCell Therapeutics: NeuroCell is a clinical-stage biotechnology company.",
        "release.md",
    )
    assert x.document.kind == "news"
    assert "About NeuroCell Therapeutics" not in {e.name for e in x.entities}


def test_a_translated_clinic_page_names_itself_head_first(write_docs):
    x = extract(
        write_docs,
        "Clínica Vida Nueva - Cell Therapy in Guadalajara\n\n"
        "The mesenchymal cells of umbilical cord not produce rejection.\n\n"
        "With our treatment the children obtain better control of the head.",
        "clinica.txt",
    )
    assert {e.name for e in x.entities if e.kind == "organization"} == {"Clínica Vida Nueva"}
    keys = {c.key for c in x.concepts}
    assert {"uc-msc", "posture"} <= keys and "msc" not in keys


def test_a_plain_language_summary_is_a_review_that_reports_its_own_search(write_docs):
    x = extract(
        write_docs,
        "# Stem cell treatments for children with cerebral palsy\n\n## Plain language summary\n\n"
        "**Why is this question important?** Some clinics offer stem cell injections to children with "
        "cerebral palsy. We wanted to find out whether these treatments help.\n\n"
        "**What did we do?** We searched for randomised controlled trials of stem cells.\n\n"
        "**What did we find?** We found 11 trials with 596 children. Stem cell treatment probably makes "
        "little or no difference to the risk of serious side effects.",
        "pls.md",
    )
    assert x.document.kind == "review"
    assert (own_study(x).design, own_study(x).n) == ("systematic-review", 596)
    assert claim_in(x, "Some clinics offer stem cell").claim_type == "access"
    assert claim_in(x, "We wanted to find out") is None
    assert claim_in(x, "probably makes little").hedged


def test_a_mother_named_in_apposition_credits_the_clinic(write_docs):
    x = extract(
        write_docs,
        "# The $50,000 question\n\nNow seven, she climbs stairs with a walker, and her mother, Grace, "
        "credits three trips to a stem cell clinic in Nairobi.",
        "feature.md",
    )
    assert study_in(x, "her mother, Grace").design == "testimonial"


def test_star_rated_reviews_are_testimonials_of_one_child_each(write_docs):
    x = extract(
        write_docs,
        "# StemLife Pediatric Center - Patient Reviews\n\n## What parents say\n\n"
        '★★★★★ "Amazing results! After two sessions our son Jake started saying full sentences." – '
        "Sarah, mother of Jake (USA)\n\n"
        '★★★★★ "The staff were wonderful and her muscles are much softer now." – Luis, father of Camila',
        "reviews.md",
    )
    assert x.document.kind == "clinic-marketing"
    assert [(s.design, s.n, s.evidence.sentence.text[:18]) for s in x.studies] == [
        ("testimonial", 1, "After two sessions"),  # the outcome, not "Amazing results!"
        ("testimonial", 1, '★★★★★ "The staff w'),
    ]


def test_a_gmfcs_level_is_no_intravenous_route(write_docs):
    x = extract(
        write_docs,
        "We report a 5-year-old boy with cerebral palsy (GMFCS level IV) who received IV infusions.",
    )
    routes = [(c.surface, c.evidence.span.start) for c in x.concepts if c.ctype == "route"]
    assert routes == [("IV", x.document.text.index("IV infusions"))]  # not the "IV" of "level IV"


def test_a_call_for_research_is_an_evidence_claim(write_docs):
    x = extract(
        write_docs,
        "Results: No serious adverse events occurred in the 20 children treated with stem cells.\n\n"
        "Conclusion: The trial was not powered to detect efficacy, and a larger trial is needed. A "
        "randomised trial is warranted.",
        "abstract.txt",
    )
    for words in ("a larger trial is needed", "A randomised trial is warranted"):
        claim = claim_in(x, words)
        assert claim is not None and claim.claim_type == "evidence", words
    assert claim_in(x, "a larger trial is needed").hedged


REGISTRY = (
    "ISRCTN registry\n\n"
    "Bone marrow mononuclear cells in children with dyskinetic cerebral palsy\n\n"
    "Sponsor: Example University Hospital\nStudy type: Interventional\nAllocation: Randomized\n"
    "Masking: Double\nRecruitment status: Completed\nTarget sample size: 40\n\n"
    "Plain English summary\n\n"
    "The aim of this study is to find out whether one intrathecal dose of bone marrow mononuclear "
    "cells improves dystonia in children aged 4 to 12 years. The study will enrol 40 children.\n\n"
    "Secondary outcome measures\n\n"
    "Number of participants with serious adverse events up to 12 months."
)


def test_a_trial_registry_record_is_kind_other_and_reports_its_own_study(write_docs):
    x = extract(write_docs, REGISTRY, "record.txt")
    assert x.document.kind == "other" and x.document.own_study
    assert "registry-record cues" in x.document.kind_reason
    assert own_study(x).n == 40
    # the study's question and its outcome measures are not claims
    assert claim_in(x, "to find out whether") is None
    assert claim_in(x, "Number of participants with serious adverse events") is None


def test_a_family_fundraising_page_is_a_blog_with_testimonials(write_docs):
    page = (
        "# Help Aisha get treatment\n\n"
        "Organizer: Sam Okafor (Aisha's uncle)\nBeneficiary: Grace Okafor\n\n"
        "$9,200 raised of $30,000 goal, 95 donations\n\n"
        "Aisha is six and has spastic diplegic cerebral palsy. We found a clinic in Bogotá which treats "
        "children with umbilical cord stem cells. We read stories of other families whose children "
        "began to talk after treatment. One boy from Ohio went from crawling to walking in a year!\n\n"
        "## Update, May 3\n\n"
        "Aisha had her first infusion. Her teacher says her hands are looser and she holds a spoon now.\n\n"
        "Every donation brings Aisha closer to her first steps. Please share!"
    )
    x = extract(write_docs, page, "fundraiser.md")
    assert x.document.kind == "blog"
    assert "spastic-cerebral-palsy" in {c.concept.rsplit("/", 1)[-1] for c in x.concepts}
    assert study_in(x, "stories of other families").design == "testimonial"
    assert study_in(x, "Her teacher says").design == "testimonial"  # the relative's account
    assert not any("closer to her first steps" in s.evidence.sentence.text for s in x.studies)
    assert claim_in(x, "which treats children with umbilical cord stem cells").claim_type == "access"
    assert claim_in(x, "One boy from Ohio went from crawling to walking") is not None


def test_html_title_counts_for_the_kind_and_pubmed_ids_identify_studies(write_docs):
    page = (
        "<!DOCTYPE html><html><head><title>Our Protocol | Example Cell Clinic</title></head><body>"
        "<h1>Our Protocol</h1>"
        "<p>Our scientific director built our cord tissue program in our own laboratory in Lima.</p>"
        "<p>A randomized trial of 90 children found that cord blood improved motor function (Kim et "
        "al., PMID 31234567). Our cord tissue protocol builds on these results.</p>"
        "<ul><li>No serious side effects have been seen with our cells.</li>"
        "<li>Improvements are permanent because the cells integrate into the brain.</li></ul>"
        "</body></html>"
    )
    x = extract(write_docs, page, "science.html")
    assert x.document.kind == "clinic-marketing"
    trial = study_in(x, "A randomized trial of 90 children")
    assert trial.identifiable and trial.identifiable_by == "registry id or DOI"
    # a finding reported by a study is typed by what was found, not as a claim about research
    assert claim_in(x, "found that cord blood improved motor function").claim_type == "efficacy"
    assert claim_in(x, "builds on these results").claim_type == "evidence"
    permanent = claim_in(x, "Improvements are permanent")
    assert permanent is not None and permanent.claim_type == "mechanism"


def test_a_poster_abstract_with_a_numbered_title_and_patients_who_chose_treatment(write_docs):
    text = (
        "P-42. Intravenous cord blood cells in spastic quadriplegia: 1-year results of a matched cohort\n\n"
        "Background: Cord blood cells are sold to families in several countries.\n\n"
        "Methods: 30 children aged 2-8 years (GMFCS III-V) opted for cord blood infusions plus therapy "
        "(n=15) or therapy alone (n=15).\n\n"
        "Results: GMFM-66 rose by 4.0 points with cells and by 2.2 points without (p=0.03).\n\n"
        "Conclusion: Because families chose their group and raters were not blinded, these gains may "
        "reflect selection bias."
    )
    x = extract(write_docs, text, "poster.txt")
    assert x.document.kind == "abstract"
    assert [s.evidence.sentence.text[:11] for s in x.studies] == ["Methods: 30"]  # not the title
    assert own_study(x).n == 30
    routes = [c.surface for c in x.concepts if c.ctype == "route"]
    assert routes == ["Intravenous"]  # the "V" of "GMFCS III-V" is no route, nor "IV" in a range
    limitation = claim_in(x, "these gains may reflect selection bias")
    assert limitation is not None and limitation.claim_type == "evidence" and limitation.hedged


def test_clinic_social_media_posts(write_docs):
    text = (
        "# BrightCell Clinic – posts\n\n"
        "**BrightCell** · 1 day ago\n"
        "Little Mateus, 6, took his first independent steps after two rounds of cord tissue stem cells "
        "#cerebralpalsy #stemcells\n\n"
        "**BrightCell** · 4 days ago\n"
        "Our cord tissue MSCs cross the blood-brain barrier and switch off inflammation in the brain.\n\n"
        "**BrightCell** · 1 week ago\n"
        '"Before, Ana could not hold her head up. Now she sits and plays with her brother." – Lucia, '
        "Ana's grandmother"
    )
    x = extract(write_docs, text, "posts.md")
    keys = {c.concept.rsplit("/", 1)[-1] for c in x.concepts}
    assert {"cerebral-palsy", "stem-cell", "motor-function", "posture"} <= keys
    assert study_in(x, "Little Mateus, 6,").design == "testimonial"
    assert study_in(x, "Now she sits and plays").design == "testimonial"
    assert claim_in(x, "cross the blood-brain barrier").claim_type == "mechanism"
    assert claim_in(x, "Now she sits and plays") is not None


def test_a_hospital_leaflet_answers_without_promising(write_docs):
    text = (
        "Stem cell treatment: information for families\n\n"
        "This leaflet explains what we know about stem cells for cerebral palsy.\n\n"
        "The cells used in trials usually come from cord blood or bone marrow.\n\n"
        "Do stem cells help children with cerebral palsy?\n"
        "We do not know yet. None of these treatments has been shown to repair the brain.\n\n"
        "Some clinics inject cells into the spinal fluid. The safest way to receive stem cells is "
        "within a registered clinical trial."
    )
    x = extract(write_docs, text, "leaflet.txt")
    assert claim_in(x, "This leaflet explains") is None
    assert claim_in(x, "The cells used in trials usually come from") is None
    dont_know = claim_in(x, "We do not know yet")
    assert dont_know is not None and dont_know.claim_type == "evidence"
    assert not any("registered clinical trial" in s.evidence.sentence.text for s in x.studies)
    assert "intrathecal" in {c.concept.rsplit("/", 1)[-1] for c in x.concepts}


def test_a_payers_coverage_policy_is_kind_other_and_states_the_evidence(write_docs):
    text = (
        "Medical Policy: Cord Blood Infusion for Cerebral Palsy\n\n"
        "Policy number: MP-2231\nEffective date: 03/01/2026\n\n"
        "The plan considers cord blood infusion experimental and investigational, as its benefit in "
        "cerebral palsy has not been established.\n\n"
        "A Cochrane review by Smith et al. (2024) rated the certainty of evidence for cell therapies as "
        "low and recommended further trials.\n\n"
        "CPT 38240: not covered."
    )
    x = extract(write_docs, text, "policy.txt")
    assert x.document.kind == "other" and not x.document.own_study
    assert "policy-document cues" in x.document.kind_reason
    assert claim_in(x, "has not been established").claim_type == "evidence"
    rated = claim_in(x, "rated the certainty of evidence")
    assert rated is not None and rated.claim_type == "evidence"  # "recommended" is no dosing advice here


def test_a_clinic_newsletter_and_its_parent_survey(write_docs):
    text = (
        "Subject: News from the Helix Cell Center\n\n"
        "Dear families,\n\n"
        "Our patient coordinator surveyed the parents of 150 children treated since 2022. 88% of "
        "parents reported better muscle tone.\n\n"
        "We use umbilical cord tissue cells grown in our ISO-certified lab. Higher doses mean better "
        "results.\n\n"
        "Join our free webinar on May 2. Reserve your place today!\n\n"
        "The Helix Cell Center team"
    )
    x = extract(write_docs, text, "newsletter.txt")
    assert x.document.kind == "clinic-marketing"
    survey = study_in(x, "surveyed the parents of 150 children")
    assert survey.n == 150 and survey.design == "case-series" and not survey.identifiable
    assert "uc-msc" in {c.concept.rsplit("/", 1)[-1] for c in x.concepts}
    assert claim_in(x, "Higher doses mean better results") is not None


def test_a_family_video_diary(write_docs):
    text = (
        "[Video] Week 1 of stem cell treatment in Tbilisi | Our CP journey\n\n"
        "[00:05] Welcome back to our channel! Today Nika had her second injection into the spine.\n\n"
        "[01:10] The doctor said the cells help damaged nerves regrow. He said that's why kids talk "
        "better after a few months.\n\n"
        "[02:40] We already see changes. Her right hand is a bit more open and she's babbling more."
    )
    x = extract(write_docs, text, "vlog.txt")
    assert x.document.kind == "blog"
    assert [s.evidence.sentence.text[:13] for s in x.studies] == ["Her right han"]  # not "He said"
    assert {"speech-language", "neurogenesis", "intrathecal"} <= {
        c.concept.rsplit("/", 1)[-1] for c in x.concepts
    }


def test_a_preprint_banner_is_not_the_title_and_peer_review_is_no_design(write_docs):
    text = (
        "bioRxiv preprint doi: https://doi.org/10.1101/2026.03.01.123456; this version posted March 3, "
        "2026. The copyright holder has not certified this preprint by peer review.\n\n"
        "Bone marrow cells for spastic cerebral palsy: a randomised controlled trial\n\n"
        "Methods: Sixty children were randomly assigned to bone marrow cells or sham treatment.\n\n"
        "Results: Walking speed improved more with cells. Their added value over therapy alone remains "
        "unclear."
    )
    x = extract(write_docs, text, "preprint.txt")
    assert x.document.title.startswith("Bone marrow cells for spastic cerebral palsy")
    study = own_study(x)
    assert study.design == "rct" and study.n == 60  # "peer review" names no review design
    assert claim_in(x, "added value over therapy alone remains unclear").claim_type == "evidence"


def test_a_supplement_product_page_is_marketing_with_testimonials(write_docs):
    page = (
        "<!DOCTYPE html><html><head><title>CellRise Junior | Nordic Nutri Labs</title></head><body>"
        "<h1>CellRise Junior</h1>"
        "<p>CellRise Junior from Nordic Nutri Labs in Minneapolis supports your child's own stem cells.</p>"
        "<p>Parents of children with cerebral palsy and other conditions tell us they see better sleep.</p>"
        '<p>"My daughter is calmer and her arms are less stiff." – Karen M., Ohio</p>'
        "<p>Only $49.95 for a 30-day supply. Free shipping. Order now!</p>"
        "<p>This product is not intended to diagnose, treat, cure, or prevent any disease.</p>"
        "</body></html>"
    )
    x = extract(write_docs, page, "product.html")
    assert x.document.kind == "clinic-marketing"
    assert "Nordic Nutri Labs" in {e.name for e in x.entities if e.kind == "organization"}
    assert study_in(x, "Parents of children with cerebral palsy").design == "testimonial"
    assert study_in(x, "her arms are less stiff").design == "testimonial"
    assert claim_in(x, "not intended to diagnose") is None


def test_a_letter_to_the_editor_criticising_a_trial(write_docs):
    text = (
        "Correspondence\n\n"
        "To the Editor: The trial by Lim and colleagues (Pediatrics 2026;157:e1) reports that cord blood "
        "improved motor scores in 30 children with cerebral palsy.\n\n"
        "However, the primary outcome did not differ between groups, and the benefit comes from a post "
        "hoc analysis of higher doses. Five children were lost to follow-up.\n\n"
        'A press release called the treatment "a breakthrough for children with cerebral palsy", which '
        "the trial did not show."
    )
    x = extract(write_docs, text, "letter.txt")
    assert x.document.kind == "other" and "letter cues" in x.document.kind_reason
    for words in ("the primary outcome did not differ", "Five children were lost to follow-up"):
        claim = claim_in(x, words)
        assert claim is not None and claim.claim_type in {"evidence", "efficacy"}, words
    refuted = claim_in(x, "which the trial did not show")
    assert refuted is not None and refuted.polarity == "negative"  # the quoted boast is refuted
