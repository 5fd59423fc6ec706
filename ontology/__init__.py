"""GovKG ontology package."""
