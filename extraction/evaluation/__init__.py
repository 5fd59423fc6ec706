"""Evaluation of the extraction pipeline end to end, through the production import path."""
from extraction.evaluation.facts import evaluate_facts
from extraction.evaluation.gold import GoldSentence, load_gold
from extraction.evaluation.report import FactsEvaluation

__all__ = ["FactsEvaluation", "GoldSentence", "evaluate_facts", "load_gold"]
