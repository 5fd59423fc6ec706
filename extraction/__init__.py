"""GovKG extraction package."""
