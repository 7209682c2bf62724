"""IRI prefixes used throughout (plain strings, for pyoxigraph and rdflib alike)."""

HCKG = "https://w3id.org/hckg/ontology#"
VOC = "https://w3id.org/hckg/vocab/"
ID = "https://w3id.org/hckg/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "https://schema.org/"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES = {
    "hckg": HCKG,
    "voc": VOC,
    "id": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dct": DCT,
    "prov": PROV,
    "oa": OA,
    "schema": SCHEMA,
}

ONTOLOGY_GRAPH = ID + "graph/ontology"
VOCABULARY_GRAPH = ID + "graph/vocabulary"
ANALYSIS_GRAPH = ID + "graph/analysis"
