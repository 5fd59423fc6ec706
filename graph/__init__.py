"""GovKG graph package."""
