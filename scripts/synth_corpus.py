"""Generate a synthetic corpus N times the size of the bundled one, for benchmarks.

Each synthetic document starts from one bundled document (round-robin, so the mix of kinds and
lengths matches the bundled corpus) and is rebuilt paragraph by paragraph: the base document's own
paragraphs, paragraphs borrowed from the other bundled documents, and paragraphs written from
templates (study reports, claims, testimonials, prices, caveats). Every paragraph is then varied:
cell sources, routes and outcomes are swapped for other labels from `ontology/vocabulary.ttl`,
years, sample sizes and prices are redrawn, clinics, investigators, journals and countries come
from name lists, and common verbs are reworded. Output is deterministic for a given seed.

    .venv/bin/python scripts/synth_corpus.py OUT_DIR --scale 100 [--seed 7]
    .venv/bin/python scripts/synth_corpus.py OUT_DIR --mutate 0.01     # change 1% of the files

Files go into sub-folders of 1,000 (`d000/synth_000000.txt`, ...).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import SKOS

from kg.paths import BUNDLED_CORPUS, ontology_dir

HCKG = Namespace("https://w3id.org/hckg/ontology#")
PER_FOLDER = 1000

FIRST = ["Anna", "Wei", "Carlos", "Priya", "John", "Mariam", "Kenji", "Olga", "Luis", "Fatima", "Tom", "Mei"]
SURNAMES = [
    "Kurtzberg", "Nguyen", "Garcia", "Sharma", "Petrov", "Kim", "Tanaka", "Okafor", "Schmidt", "Rossi",
    "Haddad", "Larsen", "Moreno", "Chen", "Novak", "Silva", "Ahmed", "Kowalski", "Dubois", "Yilmaz",
]  # fmt: skip
CLINIC_A = [
    "Nova",
    "Regena",
    "Vita",
    "Cellular",
    "Renew",
    "Bright",
    "Axon",
    "Neuro",
    "Gen",
    "Life",
    "Stellar",
]
CLINIC_B = ["Stem Cell Clinic", "Cell Center", "Regenerative Institute", "Medical Clinic", "Health"]
INSTITUTIONS = [
    "{city} University Hospital", "University of {city}", "{city} Children's Hospital",
    "{city} Medical University", "National Institute of Neurology in {city}",
]  # fmt: skip
CITIES = {
    "Bangkok": "Thailand", "Panama City": "Panama", "New Delhi": "India", "Tijuana": "Mexico",
    "Hanoi": "Vietnam", "Kyiv": "Ukraine", "Istanbul": "Turkey", "Bogota": "Colombia",
    "Nicosia": "Cyprus", "San Jose": "Costa Rica", "Moscow": "Russia", "Osaka": "Japan",
    "Seoul": "South Korea", "Sydney": "Australia", "Sao Paulo": "Brazil", "Madrid": "Spain",
    "Dusseldorf": "Germany", "Beijing": "China", "Durham": "United States", "Manchester": "United Kingdom",
}  # fmt: skip
COUNTRIES = sorted(set(CITIES.values()))
VENUES = [
    "Stem Cells Translational Medicine", "Journal of Translational Medicine", "Cell Transplantation",
    "Cytotherapy", "Neural Regeneration Research", "Stem Cell Research & Therapy", "Pediatric Neurology",
    "Developmental Medicine & Child Neurology", "Frontiers in Neurology", "BMJ Open",
]  # fmt: skip
DESIGNS = [
    "randomized controlled trial", "double-blind, placebo-controlled trial", "open-label study",
    "case series", "case report", "meta-analysis", "systematic review", "cohort study", "pilot study",
]  # fmt: skip
WORDING = {
    "improve": ["improve", "enhance", "boost"],
    "improved": ["improved", "enhanced", "got better"],
    "significant": ["significant", "marked", "notable"],
    "children": ["children", "kids", "young patients"],
    "treatment": ["treatment", "therapy", "procedure"],
    "help": ["help", "assist", "support"],
    "showed": ["showed", "demonstrated", "revealed"],
}
TITLES = [
    "{Cell} for Cerebral Palsy: What Families Should Know",
    "Can {cell} Help Children with Cerebral Palsy?",
    "{Cell} Therapy for Cerebral Palsy at {clinic}",
    "A {year} Update on {cell} and Cerebral Palsy",
    "Cerebral Palsy and {cell}: Evidence, Costs and Risks",
]
HEADINGS = ["What the research says", "Patient stories", "Cost and access", "How it works", "Safety"]
SENTENCES = {
    "study": [
        "A {year} {design} published in {venue} enrolled {n} children with cerebral palsy and found that "
        "{cell} {improved} {outcome}.",
        "In {year}, researchers at {institution} in {country} treated {n} patients with {route} {cell}; "
        "{outcome} {improved} after {months} months.",
        "Dr. {first} {surname} and colleagues at {institution} reported a {design} of {n} children in "
        "{venue} ({year}), with no serious adverse events.",
        "A {year} randomized, double-blind, placebo-controlled trial of {n} children found no significant "
        "difference in {outcome} between {cell} and placebo.",
        "A {year} case report from {country} described a {age}-year-old child whose {outcome} improved "
        "after {route} {cell}.",
        "Headache and fever were reported in {k} of {n} patients who received {cell} in a {year} {design}.",
    ],
    "claim": [
        "{Cell} {strong} {improve} {outcome} in children with cerebral palsy.",
        "Our {cell} treatment is completely safe and has no side effects.",
        "{Cell} may help {improve} {outcome}, although larger trials are needed.",
        "Studies show that {cell} can repair brain damage and restore {outcome}.",
        "Research has proven that {route} delivery of {cell} restores {outcome}.",
        "Experts agree that {cell} is the most effective option for {outcome}.",
    ],
    "story": [
        "After treatment at {clinic}, {child} began to {skill} within {weeks} weeks, his mother says.",
        "Parents report that their children {skill} after the {clinic} program.",
        "{child}, a {age}-year-old from {country}, received {k} infusions of {cell} and can now {skill}.",
    ],
    "access": [
        "Treatment at {clinic} in {city}, {country} costs from ${price} and includes {k} infusions.",
        "{clinic} has treated more than {big} patients from {k} countries since {year}.",
    ],
    "caveat": [
        "There is currently limited evidence that {cell} {improve} {outcome}, and results remain "
        "inconsistent.",
        "{Cell} are thought to release growth factors that reduce inflammation and support neural repair.",
        "The {regulator} has not approved any stem cell product for cerebral palsy.",
    ],
}
SKILLS = ["walk with a walker", "sit without support", "say new words", "hold a spoon", "crawl", "stand"]
CHILDREN = ["Tiago", "Emma", "Noah", "Sofia", "Liam", "Aisha", "Mateo", "Yuki", "Leon", "Amira"]
STRONG = ["dramatically", "significantly", "consistently", "reliably"]
REGULATORS = ["FDA", "European Medicines Agency", "TGA"]


@dataclass(frozen=True)
class Labels:
    cell: tuple[str, ...]
    route: tuple[str, ...]
    outcome: tuple[str, ...]


def vocabulary_labels() -> Labels:
    """Specific cell source, route and outcome labels (preferred and alternative) from the vocabulary."""
    g = Graph().parse(ontology_dir() / "vocabulary.ttl")
    scheme_type = {s: str(t) for s, t in g.subject_objects(HCKG.conceptType)}
    found: dict[str, set[str]] = {"cell_source": set(), "route": set(), "outcome": set()}
    for concept, scheme in g.subject_objects(SKOS.inScheme):
        ctype = scheme_type.get(scheme)
        specific = (concept, SKOS.broader, None) in g and (concept, HCKG.generic, None) not in g
        if ctype in found and (specific or ctype != "cell_source"):
            for p in (SKOS.prefLabel, SKOS.altLabel):
                for label in g.objects(concept, p):
                    text = str(label)
                    if 4 <= len(text) <= 60 and "(" not in text:
                        found[ctype].add(text)
    return Labels(*(tuple(sorted(found[k])) for k in ("cell_source", "route", "outcome")))


def corpus_paragraphs(folder: Path = BUNDLED_CORPUS) -> list[list[str]]:
    """Each bundled document as its list of paragraphs (blank-line separated)."""
    docs = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        docs.append([p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()])
    return docs


class Generator:
    """Deterministic document generator (one `random.Random` per document)."""

    def __init__(self, seed: int = 7):
        self.seed = seed
        self.labels = vocabulary_labels()
        self.base = corpus_paragraphs()
        self.base_sizes = [len("\n\n".join(d).encode()) for d in self.base]
        self._segments = [[self._segment(p) for p in doc] for doc in self.base]

    def _segment(self, para: str) -> list[tuple[str, str]]:
        """Split a bundled paragraph once into literal text and variable slots (kind, original)."""
        rx = _slot_pattern(self.labels)
        out: list[tuple[str, str]] = []
        last = 0
        for m in rx.finditer(para):
            out.append(("text", para[last : m.start()]))
            out.append((m.lastgroup or "text", m.group(0)))
            last = m.end()
        out.append(("text", para[last:]))
        return out

    def document(self, index: int) -> str:
        rnd = random.Random(f"{self.seed}:{index}")
        base_i = index % len(self.base)
        target = self.base_sizes[base_i] * rnd.uniform(0.65, 1.15)
        slots = self._slots(rnd)
        parts = [self._fill(rnd.choice(TITLES), slots, rnd)]
        own = list(self._segments[base_i][1:])
        size = len(parts[0])
        while size < target:
            roll = rnd.random()
            if roll < 0.5 and own:
                para = self._vary(own.pop(0), slots, rnd)
            elif roll < 0.7:
                other = rnd.choice(self._segments)
                para = self._vary(rnd.choice(other), slots, rnd)
            elif roll < 0.78:
                para = rnd.choice(HEADINGS)
            else:
                kind = rnd.choice(list(SENTENCES))
                para = " ".join(
                    self._fill(rnd.choice(SENTENCES[kind]), slots, rnd) for _ in range(rnd.randint(1, 4))
                )
            parts.append(para)
            size += len(para) + 2
        return "\n\n".join(parts) + "\n"

    def _slots(self, rnd: random.Random) -> dict[str, str]:
        city = rnd.choice(list(CITIES))
        cell = rnd.choice(self.labels.cell)
        return {
            "cell": cell,
            "Cell": cell[:1].upper() + cell[1:],
            "clinic": f"{rnd.choice(CLINIC_A)}{rnd.choice(['', 'Cell', 'Gen'])} {rnd.choice(CLINIC_B)}",
            "city": city,
            "country": CITIES[city],
            "institution": rnd.choice(INSTITUTIONS).format(city=city),
            "first": rnd.choice(FIRST),
            "surname": rnd.choice(SURNAMES),
            "venue": rnd.choice(VENUES),
            "design": rnd.choice(DESIGNS),
            "child": rnd.choice(CHILDREN),
            "regulator": rnd.choice(REGULATORS),
        }

    def _fill(self, template: str, slots: dict[str, str], rnd: random.Random) -> str:
        values = dict(slots)
        values.update(
            year=str(rnd.randint(2004, 2025)),
            n=str(rnd.choice([rnd.randint(3, 40), rnd.randint(40, 400)])),
            k=str(rnd.randint(2, 12)),
            months=str(rnd.choice([3, 6, 12, 18, 24])),
            weeks=str(rnd.randint(2, 16)),
            age=str(rnd.randint(2, 14)),
            price=f"{rnd.randint(5, 60)},000",
            big=f"{rnd.randint(1, 30)},000",
            route=rnd.choice(self.labels.route),
            outcome=rnd.choice(self.labels.outcome),
            improve=rnd.choice(["improve", "enhance", "restore"]),
            improved=rnd.choice(["improved", "got better", "improved significantly"]),
            strong=rnd.choice(STRONG),
            skill=rnd.choice(SKILLS),
        )
        return template.format(**values)

    def _vary(self, segments: list[tuple[str, str]], slots: dict[str, str], rnd: random.Random) -> str:
        """A bundled paragraph with its concepts, numbers, names and some wording swapped."""
        out = []
        for kind, text in segments:
            if kind == "cell":
                text = slots["cell"] if rnd.random() < 0.6 else text
            elif kind == "outcome":
                text = rnd.choice(self.labels.outcome) if rnd.random() < 0.3 else text
            elif kind == "year":
                text = str(rnd.randint(2004, 2025))
            elif kind == "number":
                text = str(max(1, int(int(text) * rnd.uniform(0.5, 1.8))))
            elif kind == "country":
                text = rnd.choice(COUNTRIES)
            elif kind == "brand":
                text = slots["clinic"].split()[0]
            elif kind == "word":
                text = rnd.choice(WORDING[text])
            out.append(text)
        return "".join(out)


@lru_cache(maxsize=1)
def _slot_pattern(labels: Labels) -> re.Pattern[str]:
    def alternation(items) -> str:
        return "|".join(re.escape(x) for x in sorted(items, key=len, reverse=True))

    return re.compile(
        rf"(?P<cell>(?i:{alternation(labels.cell)}))"
        rf"|\b(?P<outcome>(?i:{alternation(labels.outcome)}))\b"
        r"|\b(?P<year>19[89]\d|20[0-2]\d)\b"
        r"|(?<![\d,.$])\b(?P<number>[1-9]\d{0,2})\b(?![\d,.%-])"
        rf"|\b(?P<country>{alternation(COUNTRIES)})\b"
        r"|\b(?P<brand>Beike|Vinmec|Duke)\b"
        rf"|\b(?P<word>{alternation(WORDING)})\b"
    )


def doc_path(out: Path, index: int) -> Path:
    return out / f"d{index // PER_FOLDER:03d}" / f"synth_{index:06d}.txt"


def generate(out: Path, scale: float, seed: int = 7) -> tuple[int, int]:
    """Write `scale` × the bundled corpus (5 × scale documents) into `out`; returns (files, bytes)."""
    gen = Generator(seed)
    count = max(1, round(len(gen.base) * scale))
    total = 0
    for i in range(count):
        path = doc_path(out, i)
        if i % PER_FOLDER == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        data = gen.document(i).encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return count, total


def mutate(out: Path, fraction: float, seed: int = 11) -> list[Path]:
    """Change `fraction` of the documents under `out` (append a generated paragraph); returns them."""
    files = sorted(out.rglob("synth_*.txt"))
    rnd = random.Random(seed)
    chosen = sorted(rnd.sample(files, max(1, round(len(files) * fraction)))) if files else []
    gen = Generator(seed)
    for i, path in enumerate(chosen):
        extra = gen.document(10_000_000 + i).split("\n\n")[1:3]
        with path.open("a", encoding="utf-8") as fh:
            fh.write("\n" + "\n\n".join(extra))
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="Folder to write the documents into.")
    parser.add_argument("--scale", type=float, default=1.0, help="Multiple of the bundled corpus.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mutate", type=float, default=None, help="Change this fraction of existing files.")
    args = parser.parse_args(argv)
    if args.mutate is not None:
        changed = mutate(args.out, args.mutate, args.seed)
        print(f"changed {len(changed)} files under {args.out}")
        return 0
    files, size = generate(args.out, args.scale, args.seed)
    print(f"wrote {files:,} files, {size / 1e6:.1f} MB, into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
