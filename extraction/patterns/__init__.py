"""The relation rule layer (`patterns`): titles and their holders, and surface patterns between mentions."""
from extraction.patterns.extractor import PatternRelationExtractor

__all__ = ["PatternRelationExtractor"]
