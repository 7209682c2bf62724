"""Plain data passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Character offsets into a document's text (end exclusive)."""

    start: int
    end: int


@dataclass
class Document:
    """An ingested document: its text and what we know of it."""

    doc_id: str
    name: str
    text: str
    title: str
    kind: str
    kind_reason: str
    sha256: str
    media_type: str = "text/plain"
    date: str | None = None  # publication or update date (ISO 8601) when the page states one
    own_study: bool = False  # it reports a study of its own (an abstract, a review, a registry record)


@dataclass(frozen=True)
class Sentence:
    index: int
    span: Span
    text: str
    paragraph: int


@dataclass(frozen=True)
class Evidence:
    """Provenance of one extracted item: where it stands and which rule found it."""

    span: Span
    sentence: Sentence
    rule: str


@dataclass
class ConceptMention:
    concept: str  # concept IRI
    key: str  # reporting key (skos:notation or hckg:reportingKey)
    ctype: str  # cell_source | route | outcome | condition
    surface: str
    evidence: Evidence


@dataclass
class EntityMention:
    """An organization or country named in the text."""

    kind: str  # organization | country
    name: str  # canonical name
    code: str  # org slug, or ISO 3166-1 alpha-2 code
    surface: str
    evidence: Evidence
    org_type: str = "Organization"


@dataclass
class StudyMention:
    """A reference to a piece of research evidence (or a testimonial)."""

    evidence: Evidence
    context: Span  # sentences the study's details were read from
    design: str = "unspecified"
    design_rule: str = ""
    n: int | None = None
    year: int | None = None
    venue: str | None = None
    institution: str | None = None
    investigator: str | None = None
    countries: list[str] = field(default_factory=list)
    cell_sources: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    controlled: bool | None = None
    randomised: bool | None = None
    blinded: bool | None = None
    result: str = "unreported"  # positive | negative | mixed | unreported
    adverse_events: str = "unreported"  # none-reported | reported | unreported
    identifiable: bool = False
    identifiable_by: str = ""
    self_report: bool = False  # the document reports its own study (an abstract)
    preprint: bool = False


@dataclass
class Claim:
    """A sentence asserting something about the intervention."""

    evidence: Evidence
    claim_type: str
    type_rule: str
    hedged: bool
    hedge_cues: list[str]
    strong_cues: list[str]
    polarity: str  # positive | negative
    cell_sources: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    cites: list[int] = field(default_factory=list)  # indexes into Extraction.studies
    vague_citation: bool = False  # leans on "studies show", "research supports"
    anecdotal: bool = False  # leans on parents' or patients' reports


@dataclass
class Extraction:
    """Everything extracted from one document."""

    document: Document
    sentences: list[Sentence]
    concepts: list[ConceptMention]
    entities: list[EntityMention]
    studies: list[StudyMention]
    claims: list[Claim]
