"""GovKG ontology package."""
from ontology.schema import Ontology, load_ontology

__all__ = ["Ontology", "load_ontology"]
