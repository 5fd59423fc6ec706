"""The gazetteer rule layer: known agencies, states, members of Congress, committees, institutions.

`entries` (the data) imports no spaCy; `recognizer` and `matcher` (the spaCy layer) do.
"""
from extraction.gazetteer.entries import GazetteerEntry, load_entries

__all__ = ["GazetteerEntry", "load_entries"]
