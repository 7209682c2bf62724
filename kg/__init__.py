"""Evidence-grading knowledge graph for health claims."""

__version__ = "0.1.0"
