"""GovKG api package."""
