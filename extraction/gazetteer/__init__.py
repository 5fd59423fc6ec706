"""The gazetteer rule layer: known agencies, states, members of Congress, committees, institutions."""
from extraction.gazetteer.entries import GazetteerEntry, load_entries
from extraction.gazetteer.recognizer import GazetteerRecognizer

__all__ = ["GazetteerEntry", "GazetteerRecognizer", "load_entries"]
