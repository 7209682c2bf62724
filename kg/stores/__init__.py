"""Store back ends and what they share: build cache, grouped writes, exports, remote SPARQL."""
