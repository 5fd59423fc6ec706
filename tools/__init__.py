"""Tooling outside the product: the local Neo4j server, benchmarks and generators.

The product packages never import it (tests/unit/test_layout.py checks)."""
