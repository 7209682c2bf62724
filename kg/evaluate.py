"""Score what the graph holds against a gold file (GOLD-FORMAT.md, version 1)."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.build import build
from kg.errors import EvalError, IngestError
from kg.ingest import Source, read_document
from kg.namespaces import HCKG, OA, PROV, SKOS
from kg.store import GraphStore
from kg.text import split_sentences

SECTIONS = ("documents", "concepts", "organizations", "countries", "studies", "claims")


# The concept keys GOLD-FORMAT (version 1) defines; a concept of the vocabulary with no key there
# (autism, say) cannot be in a gold file, so it is not scored either way.
GOLD_CONCEPT_KEYS: dict[str, frozenset[str]] = {
    "cell_source": frozenset(
        [
            "stem-cell",
            "msc",
            "uc-msc",
            "bm-msc",
            "ad-msc",
            "cord-blood",
            "autologous-cord-blood",
            "allogeneic-cord-blood",
            "bm-mnc",
            "nsc",
            "esc",
            "fetal",
        ]
    ),
    "route": frozenset(
        [
            "iv",
            "intrathecal",
            "intramuscular",
            "intracerebral",
            "intra-arterial",
            "intranasal",
            "subcutaneous",
        ]
    ),
    "outcome": frozenset(
        [
            "motor-function",
            "gross-motor-function",
            "fine-motor-function",
            "spasticity",
            "muscle-strength",
            "trunk-control",
            "posture",
            "coordination",
            "balance",
            "speech-language",
            "cognition",
            "adl",
            "quality-of-life",
            "inflammation",
            "immune-function",
            "neurogenesis",
            "sleep",
            "emotional-regulation",
            "adverse-events",
            "brain-structure",
            "dystonia",
        ]
    ),
    "condition": frozenset(
        [
            "cerebral-palsy",
            "spastic-cerebral-palsy",
            "hypoxic-ischemic-encephalopathy",
            "intracranial-hemorrhage",
            "parkinsons-disease",
            "rheumatoid-arthritis",
            "traumatic-brain-injury",
            "aplastic-anemia",
            "liver-disease",
        ]
    ),
}


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false_hits: list[str] = field(default_factory=list)

    def scores(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class Accuracy:
    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, ok: bool, note: str) -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.wrong.append(note)

    @property
    def value(self) -> float:
        return round(self.right / self.total, 4) if self.total else 0.0


def load_gold(path: Path) -> list[dict[str, Any]]:
    """Gold records, one per document; raises EvalError naming the line that is wrong."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"{path}: cannot read gold file ({exc})") from exc
    records = []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path}:{i}: not valid JSON ({exc.msg})") from exc
        if not isinstance(rec, dict) or not isinstance(rec.get("doc"), str):
            raise EvalError(f"{path}:{i}: each line must be an object with a 'doc' name")
        records.append(rec)
    if not records:
        raise EvalError(f"{path}: no gold records")
    return records


def evaluate(gold_path: Path, docs_dir: Path) -> dict[str, Any]:
    """Build `docs_dir` into a temporary store and score it against the gold file."""
    gold = load_gold(gold_path)
    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        build([docs_dir], Path(tmp), exports=())
        store = GraphStore(Path(tmp), read_only=True)
        predicted = _predictions(store)
        del store
    texts = {}
    for rec in gold:
        path = _find(docs_dir, rec["doc"])
        if path is None:
            raise EvalError(f"{gold_path}: document {rec['doc']!r} not found in {docs_dir}")
        try:  # the text the graph's offsets refer to (an HTML page's article text, not its markup)
            texts[rec["doc"]] = read_document(Source(path, rec["doc"])).text
        except IngestError as exc:
            raise EvalError(f"{gold_path}: {exc}") from exc
    return score(gold, predicted, texts)


def _find(folder: Path, name: str) -> Path | None:
    direct = folder / name
    if direct.is_file():
        return direct
    found = sorted(folder.rglob(Path(name).name))
    return found[0] if found else None


def _empty_prediction() -> dict[str, Any]:
    """What the graph holds for a document with nothing extracted."""
    return {
        "kind": None,
        "concepts": {},
        "organizations": set(),
        "org_aliases": {},
        "countries": set(),
        "studies": [],
        "claims": [],
    }


def _predictions(store: GraphStore) -> dict[str, dict[str, Any]]:
    """Per document (by file base name): what the graph holds, in gold terms."""
    out: dict[str, dict[str, Any]] = {}
    docs = {d.doc_id: Path(d.name).name for d in store.documents().values()}
    for name in docs.values():
        out[name] = _empty_prediction()

    def rows(q: str):
        for row in store.query(q):
            yield {k: (row[k].value if row[k] is not None else None) for k in _vars(q)}

    q_kinds = f"""SELECT ?id ?kind WHERE {{
      ?doc <http://purl.org/dc/terms/identifier> ?id ; <{HCKG}kind> ?kind }}"""
    for r in rows(q_kinds):
        out[docs[r["id"]]]["kind"] = r["kind"]

    q_concepts = f"""SELECT ?id ?key ?type WHERE {{
      ?doc <http://purl.org/dc/terms/identifier> ?id ; <https://schema.org/mentions> ?c .
      ?c <{SKOS}inScheme> ?scheme . ?scheme <{HCKG}conceptType> ?type .
      OPTIONAL {{ ?c <{HCKG}reportingKey> ?rk }} ?c <{SKOS}notation> ?n .
      BIND(COALESCE(?rk, ?n) AS ?key) }}"""
    for r in rows(q_concepts):
        out[docs[r["id"]]]["concepts"].setdefault(r["type"], set()).add(r["key"])
    q_entities = f"""SELECT ?id ?kind ?label ?alias ?code WHERE {{
      ?m <{HCKG}refersTo> ?e ; <{PROV}wasDerivedFrom> ?doc ; <{OA}hasSelector>/<{OA}exact> ?alias .
      ?doc <http://purl.org/dc/terms/identifier> ?id .
      ?e <http://www.w3.org/2000/01/rdf-schema#label> ?label .
      OPTIONAL {{ ?e <{HCKG}iso3166> ?code }}
      BIND(IF(BOUND(?code), "country", "organization") AS ?kind) }}"""
    for r in rows(q_entities):
        rec = out[docs[r["id"]]]
        if r["kind"] == "country":
            rec["countries"].add(r["code"])
        else:
            rec["organizations"].add(r["label"])
            rec["org_aliases"].setdefault(r["label"], set()).add(r["alias"])
    q_studies = f"""SELECT ?id ?s ?start ?end ?design ?n ?year ?ident WHERE {{
      ?s a <{HCKG}StudyMention> ; <{PROV}wasDerivedFrom> ?doc ; <{OA}hasSelector> ?sel ;
         <{HCKG}design> ?design ; <{HCKG}identifiable> ?ident .
      ?sel <{OA}start> ?start ; <{OA}end> ?end .
      ?doc <http://purl.org/dc/terms/identifier> ?id .
      OPTIONAL {{ ?s <{HCKG}sampleSize> ?n }} OPTIONAL {{ ?s <{HCKG}year> ?year }} }}"""
    for r in rows(q_studies):
        out[docs[r["id"]]]["studies"].append(
            {
                "start": int(r["start"]),
                "end": int(r["end"]),
                "design": r["design"],
                "n": int(r["n"]) if r["n"] else None,
                "year": int(r["year"]) if r["year"] else None,
                "identifiable": r["ident"] == "true",
                "iri": r["s"],
            }
        )
    q_claims = f"""SELECT ?id ?c ?start ?end ?type ?hedged ?status WHERE {{
      ?c a <{HCKG}Claim> ; <{PROV}wasDerivedFrom> ?doc ; <{OA}hasSelector> ?sel ;
         <{HCKG}claimType> ?type ; <{HCKG}hedged> ?hedged .
      ?sel <{OA}start> ?start ; <{OA}end> ?end .
      ?doc <http://purl.org/dc/terms/identifier> ?id .
      OPTIONAL {{ ?c <{HCKG}supportStatus> ?status }} }}"""
    for r in rows(q_claims):
        out[docs[r["id"]]]["claims"].append(
            {
                "start": int(r["start"]),
                "end": int(r["end"]),
                "type": r["type"],
                "hedged": r["hedged"] == "true",
                "iri": r["c"],
                "status": r["status"],
                "reasons": set(),
            }
        )
    q_reasons = f"""SELECT ?c ?reason WHERE {{ ?c <{HCKG}flagReason> ?f . ?f <{HCKG}reasonCode> ?reason }}"""
    reasons: dict[str, set[str]] = {}
    for r in rows(q_reasons):
        reasons.setdefault(r["c"], set()).add(r["reason"])
    for rec in out.values():
        for c in rec["claims"]:
            c["reasons"] = reasons.get(c["iri"], set())
        rec["studies"].sort(key=lambda s: s["start"])
        rec["claims"].sort(key=lambda c: c["start"])
    return out


def _vars(q: str) -> list[str]:
    head = q.split("WHERE", 1)[0]
    return re.findall(r"\?(\w+)", head)


def _norm_org(name: str) -> str:
    return re.sub(r"^the\s+", "", name.strip().lower())


def score(gold: list[dict], predicted: dict[str, dict], texts: dict[str, str]) -> dict[str, Any]:
    """Precision/recall/F1 per section, and attribute accuracies over matched items."""
    t = {s: Tally() for s in SECTIONS}
    acc = {k: Accuracy() for k in ("design", "n", "identifiable", "type", "hedged")}
    flags = Tally()
    reasons = Tally()
    has_grades = False
    for rec in gold:
        name = rec["doc"]
        pred = predicted.get(Path(name).name) or _empty_prediction()
        text = texts[name]
        sentences = split_sentences(text)
        if rec.get("kind"):  # one label per document: a wrong kind is a false hit and a miss
            _sets(t["documents"], {rec["kind"]}, {pred["kind"]} - {None}, name)
        gold_concepts = {(ty, k) for ty, keys in (rec.get("concepts") or {}).items() for k in keys}
        pred_concepts = {
            (ty, k)
            for ty, keys in pred["concepts"].items()
            for k in keys
            if k in GOLD_CONCEPT_KEYS.get(ty, ())
        }
        _sets(t["concepts"], gold_concepts, pred_concepts, name)
        gold_orgs = {_norm_org(o) for o in rec.get("organizations") or []}
        pred_orgs: dict[str, set[str]] = {}
        for label in pred["organizations"]:
            pred_orgs[_norm_org(label)] = {_norm_org(a) for a in pred["org_aliases"].get(label, ())}
        matched_gold = set()
        for label, aliases in sorted(pred_orgs.items()):
            hit = next((g for g in sorted(gold_orgs - matched_gold) if g == label or g in aliases), None)
            if hit:
                matched_gold.add(hit)
                t["organizations"].tp += 1
            else:
                t["organizations"].fp += 1
                t["organizations"].false_hits.append(f"{name}: {label}")
        for g in sorted(gold_orgs - matched_gold):
            t["organizations"].fn += 1
            t["organizations"].misses.append(f"{name}: {g}")
        _sets(t["countries"], set(rec.get("countries") or []), pred["countries"], name)
        for gs, ps in _align(rec.get("studies") or [], pred["studies"], text, sentences, t["studies"], name):
            acc["design"].add(
                gs.get("design") == ps["design"],
                f"{name}: {gs['anchor']!r} gold {gs.get('design')} got {ps['design']}",
            )
            acc["n"].add(
                gs.get("n") == ps["n"], f"{name}: {gs['anchor']!r} gold n={gs.get('n')} got {ps['n']}"
            )
            acc["identifiable"].add(
                bool(gs.get("identifiable")) == ps["identifiable"],
                f"{name}: {gs['anchor']!r} gold {gs.get('identifiable')} got {ps['identifiable']}",
            )
        for gc, pc in _align(rec.get("claims") or [], pred["claims"], text, sentences, t["claims"], name):
            acc["type"].add(
                gc.get("type") == pc["type"],
                f"{name}: {gc['anchor']!r} gold {gc.get('type')} got {pc['type']}",
            )
            acc["hedged"].add(
                bool(gc.get("hedged")) == pc["hedged"],
                f"{name}: {gc['anchor']!r} gold hedged={gc.get('hedged')} got {pc['hedged']}",
            )
            if pc.get("status") is None:
                continue
            has_grades = True
            gold_flag = bool(gc.get("flag"))
            pred_flag = bool(pc["reasons"])
            label = f"{name}: {gc['anchor']!r}"
            if gold_flag and pred_flag:
                flags.tp += 1
                g_reasons = set(gc.get("reasons") or [])
                reasons.tp += len(g_reasons & pc["reasons"])
                reasons.fp += len(pc["reasons"] - g_reasons)
                reasons.fn += len(g_reasons - pc["reasons"])
                if g_reasons != pc["reasons"]:
                    reasons.misses.append(f"{label} gold {sorted(g_reasons)} got {sorted(pc['reasons'])}")
            elif gold_flag:
                flags.fn += 1
                flags.misses.append(f"{label} gold {sorted(gc.get('reasons') or [])}")
            elif pred_flag:
                flags.fp += 1
                flags.false_hits.append(f"{label} got {sorted(pc['reasons'])}")
    result: dict[str, Any] = {s: t[s].scores() for s in SECTIONS}
    result["documents"]["kind_accuracy"] = result["documents"]["recall"]
    result["studies"].update(
        design_accuracy=acc["design"].value,
        n_accuracy=acc["n"].value,
        identifiable_accuracy=acc["identifiable"].value,
    )
    result["claims"].update(type_accuracy=acc["type"].value, hedged_accuracy=acc["hedged"].value)
    if has_grades:
        result["flags"] = flags.scores()
        result["reasons"] = reasons.scores()
    details = {s: {"misses": t[s].misses, "false_hits": t[s].false_hits} for s in SECTIONS}
    details.update({f"{k}_errors": {"misses": a.wrong, "false_hits": []} for k, a in acc.items()})
    if has_grades:
        details["flags"] = {"misses": flags.misses, "false_hits": flags.false_hits}
        details["reasons"] = {"misses": reasons.misses, "false_hits": []}
    result["details"] = details
    return result


def _sets(tally: Tally, gold: set, pred: set, name: str) -> None:
    tally.tp += len(gold & pred)
    tally.fp += len(pred - gold)
    tally.fn += len(gold - pred)
    tally.misses += [f"{name}: {x}" for x in sorted(gold - pred, key=str)]
    tally.false_hits += [f"{name}: {x}" for x in sorted(pred - gold, key=str)]


def _align(gold_items, pred_items, text, sentences, tally, name):
    """Match each gold item to an unused prediction overlapping its anchor's sentence."""
    used: set[int] = set()
    pairs = []
    for g in gold_items:
        anchor = g.get("anchor", "")
        pos = text.find(anchor)
        if not anchor or pos < 0:
            raise EvalError(f"{name}: anchor {anchor!r} is not in the document")
        sent = next((s for s in sentences if s.span.start <= pos < s.span.end), None)
        lo, hi = (sent.span.start, sent.span.end) if sent else (pos, pos + len(anchor))
        match = next(
            (i for i, p in enumerate(pred_items) if i not in used and p["start"] < hi and lo < p["end"]), None
        )
        if match is None:
            tally.fn += 1
            tally.misses.append(f"{name}: {anchor!r}")
            continue
        used.add(match)
        tally.tp += 1
        pairs.append((g, pred_items[match]))
    for i, p in enumerate(pred_items):
        if i not in used:
            tally.fp += 1
            tally.false_hits.append(f"{name}: {text[p['start'] : p['end']][:90]!r}")
    return pairs
