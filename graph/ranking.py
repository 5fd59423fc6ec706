"""Ranking of name/alias candidates for entity search; shared by every store.

Stores fetch candidate (entity, name) pairs their own way (FTS5 trigrams, Neo4j full-text);
this module scores them the same way so both stores rank alike.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from difflib import SequenceMatcher

from extraction.records import normalize_name

EXACT, PREFIX, WORD_PREFIX, SUBSTRING, FUZZY = 1.0, 0.9, 0.8, 0.6, 0.5
MIN_FUZZY_RATIO = 0.6
FUZZY_CANDIDATES = 60  # the typo-tolerant pass scores only the best full-text candidates


@dataclass(frozen=True)
class Candidate:
    entity_id: str
    name: str  # the name or alias as stored
    mention_count: int


@dataclass(frozen=True)
class Ranked:
    entity_id: str
    matched: str
    score: float
    mention_count: int


def name_score(query_norm: str, name: str) -> float:
    """How well one name matches the normalized query, in [0, 1]; 0 means no match."""
    norm = normalize_name(name)
    if not query_norm or not norm:
        return 0.0
    if norm == query_norm:
        return EXACT
    if norm.startswith(query_norm):
        return PREFIX
    if any(word.startswith(query_norm) for word in norm.split()[1:]) or f" {query_norm}" in norm:
        return WORD_PREFIX
    if query_norm in norm:
        return SUBSTRING
    ratio = _ratio(query_norm, norm, MIN_FUZZY_RATIO)
    # compare with the best-aligned window too, so "defence" finds "department of defense"
    words = norm.split()
    width = max(1, len(query_norm.split()))
    for i in range(len(words) - width + 1 if len(words) > width else 0):
        ratio = max(ratio, _ratio(query_norm, " ".join(words[i : i + width]), max(ratio, MIN_FUZZY_RATIO)))
    return FUZZY * ratio if ratio >= MIN_FUZZY_RATIO else 0.0


def _ratio(a: str, b: str, needed: float) -> float:
    """difflib's similarity, skipping the full computation when its cheap upper bounds fall short."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < needed or matcher.quick_ratio() < needed:
        return 0.0
    return matcher.ratio()


def rank(query: str, candidates: list[Candidate], limit: int) -> list[Ranked]:
    """Best match per entity, then by score, then by how often the entity is mentioned."""
    query_norm = normalize_name(query)
    best: dict[str, Ranked] = {}
    for cand in candidates:
        score = name_score(query_norm, cand.name)
        if score <= 0:
            continue
        # popularity breaks ties and nudges: at most +0.05 for very frequent entities
        boosted = score + 0.05 * min(1.0, math.log1p(cand.mention_count) / math.log(1000))
        current = best.get(cand.entity_id)
        if current is None or boosted > current.score:
            best[cand.entity_id] = Ranked(cand.entity_id, cand.name, round(boosted, 4), cand.mention_count)
    ordered = sorted(best.values(), key=lambda r: (-r.score, -r.mention_count, r.matched))
    return ordered[:limit]
