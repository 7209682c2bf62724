"""Validate: check a built graph against the SHACL shapes (`ontology/shapes.ttl`) and the vocabulary.

Checks, one result:
- SHACL Core constraints (cardinalities, datatypes, sh:in, ...) with pyshacl;
- the shapes' SHACL-SPARQL constraints (sh:sparql), each run once over the whole graph by Oxigraph
  rather than once per focus node by rdflib (same results; from ~30 s to well under a second on
  the bundled corpus). Every such query binds $this in a triple pattern, which makes the two
  evaluations equivalent; tests/test_ontology.py compares them with pyshacl's;
- ambiguous vocabulary labels: one label (after the matcher's case and plural folding) naming two
  concepts, which the matcher would resolve silently in favour of one of them;
- `hckg:` terms used in the graph but not declared in the ontology (warnings).

The data graph is the union of the store's named graphs (documents, analysis, vocabulary, ontology).
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD

from kg.errors import KGError
from kg.namespaces import HCKG, ONTOLOGY_GRAPH, PREFIXES, VOCABULARY_GRAPH
from kg.paths import ontology_dir
from kg.store import GraphStore
from kg.text import normalise_label
from kg.vocab import label_variants

log = logging.getLogger(__name__)

HCKG_NS = Namespace(HCKG)
SHAPES_FILE = "shapes.ttl"
SEVERITIES = ("Violation", "Warning", "Info")
_DECLARATION_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDFS.Datatype,
    RDF.Property,
)
_MATCHED_LABELS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
_THIS = re.compile(r"\$this\b")
_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")

Query = Callable[[str], ox.QuerySolutions]


class ValidationError(KGError):
    """The shapes, or a file to validate, cannot be read."""


@dataclass(frozen=True)
class Violation:
    """One problem: the node it is about, the property path, the offending value and why."""

    focus: str
    path: str | None
    message: str
    severity: str = "Violation"  # Violation | Warning | Info
    value: str | None = None
    check: str = ""  # SHACL constraint component (MinCountConstraintComponent, ...) or check id


@dataclass
class ValidationResult:
    """Whether the graph conforms (no result of severity Violation), and every result."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity != "Violation"]

    def to_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "violations": len(self.errors),
            "warnings": len(self.warnings),
            "triples": self.triples,
            "seconds": round(self.seconds, 3),
            "results": [asdict(v) for v in self.violations],
        }


# -- entry points ---------------------------------------------------------------------------------
def validate_store(
    out_dir: Path, shapes: Path | None = None, store_url: str | None = None
) -> ValidationResult:
    """Validate the graph built in `out_dir` (or held by the endpoint `store_url`; all named
    graphs together) against the shapes."""
    started = time.perf_counter()
    shapes_graph = load_shapes(shapes)
    store = GraphStore(out_dir, read_only=True, store_url=store_url)
    data, ontology, vocabulary = read_store(store)
    violations = core_violations(data, shapes_graph)
    violations += sparql_violations(store.query, shapes_graph)
    violations += ambiguous_labels(vocabulary)
    violations += undeclared_terms(data, ontology)
    return _result(violations, len(data), started)


def validate_vocabulary(path: Path, shapes: Path | None = None) -> ValidationResult:
    """Check a SKOS vocabulary file on its own: the concept shapes plus ambiguous labels."""
    started = time.perf_counter()
    shapes_graph = load_shapes(shapes)
    graph = parse_turtle(path)
    violations = core_violations(graph, shapes_graph)
    violations += sparql_violations(_memory_store(graph).query, shapes_graph)
    violations += ambiguous_labels(graph)
    return _result(violations, len(graph), started)


def validate_graph(graph: Graph, shapes: Path | None = None) -> ValidationResult:
    """Validate an rdflib graph (all of a build's graphs merged) with the shapes, as `validate_store`."""
    started = time.perf_counter()
    shapes_graph = load_shapes(shapes)
    violations = core_violations(graph, shapes_graph)
    violations += sparql_violations(_memory_store(graph).query, shapes_graph)
    return _result(violations, len(graph), started)


def read_store(store: GraphStore) -> tuple[Graph, Graph, Graph]:
    """The union of the store's graphs as one rdflib graph, plus its ontology and vocabulary graphs."""
    data, ontology, vocabulary = Graph(), Graph(), Graph()
    for q in store.quads():
        triple = (_term(q.subject), _term(q.predicate), _term(q.object))
        data.add(triple)
        graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
        if graph == ONTOLOGY_GRAPH:
            ontology.add(triple)
        elif graph == VOCABULARY_GRAPH:
            vocabulary.add(triple)
    return data, ontology, vocabulary


# -- SHACL ------------------------------------------------------------------------------------------
def load_shapes(path: Path | None = None) -> Graph:
    return parse_turtle(path or ontology_dir() / SHAPES_FILE)


def core_violations(data: Graph, shapes: Graph, include_sparql: bool = False) -> list[Violation]:
    """Run pyshacl without inference (the graph states its types); SPARQL constraints only if asked."""
    if not include_sparql:
        core = Graph()
        for triple in shapes:
            if triple[1] != SH.sparql:
                core.add(triple)
        shapes = core
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", inplace=True, allow_warnings=True, allow_infos=True
    )
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        component = report.value(result, SH.sourceConstraintComponent)
        out.append(
            Violation(
                focus=compact(report.value(result, SH.focusNode)),
                path=_path_text(report, path) if path is not None else None,
                message=str(report.value(result, SH.resultMessage) or _local(component)),
                severity=_local(severity) if severity else "Violation",
                value=compact(value) if value is not None else None,
                check=_local(component) if component else "",
            )
        )
    return out


@dataclass(frozen=True)
class SparqlConstraint:
    shape: URIRef | BNode
    query: str  # a SELECT with ?this (and ?value, ?path, ... as the shape's author chose)
    message: str
    severity: str


def sparql_constraints(shapes: Graph) -> list[SparqlConstraint]:
    """Each sh:sparql of a node shape as one whole-graph query over the shape's targets."""
    out = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        if _deactivated(shapes, shape) or _deactivated(shapes, constraint):
            continue
        targets = _target_patterns(shapes, shape)
        select = shapes.value(constraint, SH.select)
        if not targets or select is None:
            continue
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for source in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(source, SH.declare)
        )
        union = " UNION ".join(f"{{ {t} }}" for t in targets)
        query = f"{prefixes}SELECT * WHERE {{ {union} {{ {_THIS.sub('?this', str(select))} }} }}"
        severity = shapes.value(shape, SH.severity)
        out.append(
            SparqlConstraint(
                shape=shape,
                query=query,
                message=str(shapes.value(constraint, SH.message) or shapes.value(shape, SH.message) or ""),
                severity=_local(severity) if severity else "Violation",
            )
        )
    return out


def sparql_violations(query: Query, shapes: Graph) -> list[Violation]:
    """Run the shapes' SPARQL constraints with `query` (a store's SPARQL function)."""
    out = []
    for c in sparql_constraints(shapes):
        try:
            solutions = query(c.query)
            names = [v.value for v in solutions.variables]
            rows = list(solutions)
        except (SyntaxError, OSError, ValueError) as exc:
            raise ValidationError(f"shape {compact(c.shape)}: SPARQL constraint failed ({exc})") from exc
        for row in rows:
            bound = {name: row[name] for name in names if row[name] is not None}
            value = bound.get("value", bound["this"])  # as SHACL: the focus node when ?value is unbound
            path = bound.get("path")
            out.append(
                Violation(
                    focus=compact(_term(bound["this"])),
                    path=compact(_term(path)) if path is not None else None,
                    message=_fill(c.message, bound) or f"SPARQL constraint of {compact(c.shape)}",
                    severity=c.severity,
                    value=compact(_term(value)),
                    check="SPARQLConstraintComponent",
                )
            )
    return out


def _target_patterns(shapes: Graph, shape) -> list[str]:
    """SPARQL patterns binding ?this to the shape's focus nodes (the four standard target kinds)."""
    rdf_type, sub_class = f"<{RDF.type}>", f"<{RDFS.subClassOf}>"
    patterns = [f"?this {rdf_type}/{sub_class}* <{c}> ." for c in shapes.objects(shape, SH.targetClass)]
    patterns += [f"?s <{p}> ?this ." for p in shapes.objects(shape, SH.targetObjectsOf)]
    patterns += [f"?this <{p}> ?o ." for p in shapes.objects(shape, SH.targetSubjectsOf)]
    nodes = " ".join(f"<{n}>" for n in shapes.objects(shape, SH.targetNode) if isinstance(n, URIRef))
    if nodes:
        patterns.append(f"VALUES ?this {{ {nodes} }}")
    return [f"SELECT DISTINCT ?this WHERE {{ {p} }}" for p in patterns]


def _fill(message: str, bound: dict[str, object]) -> str:
    def sub(m: re.Match[str]) -> str:
        term = bound.get(m.group(1))
        return compact(_term(term)) if term is not None else m.group(0)

    return _PLACEHOLDER.sub(sub, message)


def _deactivated(shapes: Graph, node) -> bool:
    flag = shapes.value(node, SH.deactivated)
    return flag is not None and flag.toPython() is True


# -- text output ------------------------------------------------------------------------------------
def summary(result: ValidationResult) -> str:
    """One line: conforms or not, with counts."""
    verdict = "conforms" if result.conforms else "does not conform"
    errors, warnings = len(result.errors), len(result.warnings)
    return (
        f"{verdict}: {errors} violation{'' if errors == 1 else 's'}, "
        f"{warnings} warning{'' if warnings == 1 else 's'} "
        f"({result.triples:,} triples checked in {result.seconds:.2f}s)"
    )


def result_table(result: ValidationResult, limit: int | None = None) -> str:
    """The results as a terminal table (at most `limit` rows), then the summary line."""
    from kg.formatting import simple_table

    shown = result.violations[:limit] if limit is not None else result.violations
    lines = []
    if shown:
        rows = [(v.severity, v.focus, v.path or "", v.value or "", v.message) for v in shown]
        lines.append(simple_table(("severity", "focus node", "path", "value", "message"), rows))
    hidden = len(result.violations) - len(shown)
    if hidden > 0:
        lines.append(f"... and {hidden} more (--limit 0 shows all; --format json lists every result)")
    lines.append(summary(result))
    return "\n".join(lines)


# -- other checks -----------------------------------------------------------------------------------
def ambiguous_labels(vocabulary: Graph) -> list[Violation]:
    """Labels that name two concepts once folded as the matcher folds them (case, plurals)."""
    folded: dict[str, dict[URIRef, str]] = defaultdict(dict)
    for prop in _MATCHED_LABELS:
        for concept, label in vocabulary.subject_objects(prop):
            for key in label_variants(str(label)):
                folded[key].setdefault(concept, str(label))
    exact: dict[str, dict[URIRef, str]] = defaultdict(dict)
    for concept, label in vocabulary.subject_objects(HCKG_NS.caseSensitiveLabel):
        exact[str(label)].setdefault(concept, str(label))
        # "CP" in the text also meets every concept whose ordinary label folds to "cp"
        for other, other_label in folded.get(normalise_label(str(label)), {}).items():
            exact[str(label)].setdefault(other, other_label)
    out = []
    for table in (folded, exact):
        for concepts in table.values():
            if len(concepts) < 2:
                continue
            names = sorted(concepts, key=str)
            for concept in names:
                others = ", ".join(f'{compact(o)} ("{concepts[o]}")' for o in names if o != concept)
                out.append(
                    Violation(
                        focus=compact(concept),
                        path="skos:prefLabel|skos:altLabel|skos:hiddenLabel|hckg:caseSensitiveLabel",
                        value=concepts[concept],
                        message=f'Ambiguous label: "{concepts[concept]}" also names {others}.',
                        check="vocabulary.ambiguous-label",
                    )
                )
    return out


def undeclared_terms(data: Graph, ontology: Graph) -> list[Violation]:
    """`hckg:` classes and properties the graph uses that the ontology does not declare."""
    declared = {s for t in _DECLARATION_TYPES for s in ontology.subjects(RDF.type, t)}
    used: dict[URIRef, str] = {}
    for _, p, o in data:
        if str(p).startswith(HCKG):
            used.setdefault(p, "property")
        if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(HCKG):
            used.setdefault(o, "class")
    return [
        Violation(
            focus=compact(term),
            path=None,
            message=f"The {kind} {compact(term)} is used in the graph but not declared in the ontology "
            "(ontology/kg.ttl).",
            severity="Warning",
            check="ontology.undeclared-term",
        )
        for term, kind in sorted(used.items())
        if term not in declared
    ]


# -- helpers ----------------------------------------------------------------------------------------
def compact(term) -> str:
    """An IRI as prefix:name when a known prefix fits; literals as their text."""
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return text


def parse_turtle(path: Path) -> Graph:
    """Parse a Turtle file, or raise ValidationError naming the file and the problem."""
    try:
        return Graph().parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise ValidationError(f"{path}: no such file") from exc
    except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
        detail = " ".join(str(exc).split())[:200]
        raise ValidationError(f"{path}: not valid Turtle ({detail})") from exc


def _result(violations: list[Violation], triples: int, started: float) -> ValidationResult:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    unique = sorted(
        set(violations),
        key=lambda v: (order.get(v.severity, 9), v.focus, v.path or "", v.message, v.value or ""),
    )
    return ValidationResult(
        conforms=not any(v.severity == "Violation" for v in unique),
        violations=unique,
        triples=triples,
        seconds=time.perf_counter() - started,
    )


def _memory_store(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _term(term):
    """A pyoxigraph term as an rdflib term (xsd:string literals without a datatype, as rdflib expects)."""
    if not isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


def _local(term) -> str:
    return str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _path_text(graph: Graph, path) -> str:
    """A SHACL property path in SPARQL syntax (^p for inverse, p1/p2 for sequences, p1|p2)."""
    if isinstance(path, URIRef):
        return compact(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_text(graph, p) for p in Collection(graph, alternatives))
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_text(graph, p) for p in Collection(graph, path))
    return compact(path)
