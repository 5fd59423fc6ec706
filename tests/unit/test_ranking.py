"""Search ranking shared by both stores."""
from __future__ import annotations

from graph.ranking import EXACT, PREFIX, SUBSTRING, WORD_PREFIX, Candidate, name_score, rank


def test_name_score_tiers():
    assert name_score("department of defense", "Department of Defense") == EXACT
    assert name_score("department", "Department of Defense") == PREFIX
    assert name_score("defense", "Department of Defense") == WORD_PREFIX
    assert name_score("efens", "Department of Defense") == SUBSTRING
    assert 0 < name_score("defence", "Department of Defense") < SUBSTRING  # a typo still finds it
    assert name_score("agriculture", "Department of Defense") == 0


def test_rank_one_hit_per_entity_best_alias_wins():
    candidates = [
        Candidate("dod", "Department of Defense", 10),
        Candidate("dod", "Defense Department", 10),
        Candidate("darpa", "Defense Advanced Research Projects Agency", 1),
    ]
    ranked = rank("defense", candidates, 10)
    assert [r.entity_id for r in ranked] == ["dod", "darpa"]
    assert ranked[0].matched == "Defense Department"


def test_popularity_breaks_ties():
    ranked = rank("iowa", [Candidate("a", "Iowa", 0), Candidate("b", "IOWA", 500)], 10)
    assert [r.entity_id for r in ranked] == ["b", "a"]
