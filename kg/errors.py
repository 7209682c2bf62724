"""Domain errors, raised by the library and turned into one-line CLI errors."""


class KGError(Exception):
    """Base class for errors the user can act on."""


class IngestError(KGError):
    """A document could not be read."""


class StoreError(KGError):
    """The graph store is missing, locked or unreadable."""


class QueryError(KGError):
    """A SPARQL query was rejected or failed."""


class EvalError(KGError):
    """A gold file is malformed."""


class OntologyError(KGError):
    """A file in ontology/ (vocabulary, lexicon, rules) cannot be used as written."""
