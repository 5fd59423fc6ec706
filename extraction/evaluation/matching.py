"""When a stored fact states a gold fact: small pure rules, each unit-tested.

- The predicate is the gold one, or the gold one's inverse with subject and object swapped;
  a symmetric predicate (relativeOf) matches in either direction.
- Each argument's entity matches the gold argument text by its name or any alias, after
  `normalize_name`; it may also match a gold mention of the same sentence that co-refers with
  the argument (an acronym of it, a repetition, or a mention the store resolved to the same entity).
- A gold fact is matched at most once, and a stored fact matches at most one gold fact.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extraction.evaluation.gold import GoldEntity, GoldFact
from extraction.records import normalize_name

P = TypeVar("P")
G = TypeVar("G")

_ACRONYM_SKIP = {"of", "the", "and", "for", "on", "in", "to", "at", "a", "an", "&"}


class Argument(BaseModel):
    """A stored fact's subject or object: the entity with every name it is known by."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()


def entity_keys(argument: Argument) -> set[str]:
    """The normalized name and aliases of a stored entity."""
    return {key for key in (normalize_name(n) for n in (argument.name, *argument.aliases)) if key}


def argument_matches(argument: Argument, texts: Iterable[str]) -> bool:
    """True when the entity's name or an alias equals one of the gold texts, normalized."""
    return not entity_keys(argument).isdisjoint(normalize_name(t) for t in texts)


def is_acronym(short: str, full: str) -> bool:
    """True when `short` spells the initials of `full` ("IEA" / "International Energy Agency")."""
    letters = re.sub(r"[^A-Za-z]", "", short)
    if len(letters) < 2 or letters.upper() != letters or " " in short.strip():
        return False
    words = [w for w in re.split(r"[\s\-]+", full) if w]
    significant = "".join(w[0] for w in words if w.casefold() not in _ACRONYM_SKIP and w[0].isalpha())
    every = "".join(w[0] for w in words if w[0].isalpha())
    return letters in (significant.upper(), every.upper())


def coreferent_texts(argument: GoldEntity, mentions: Sequence[GoldEntity],
                     same_entity: Callable[[GoldEntity, GoldEntity], bool] = lambda a, b: False) -> set[str]:
    """The gold argument's text and the texts of the sentence's gold mentions that co-refer with it:
    the same type and an acronym of it (either way), a repetition, or resolved to the same entity."""
    texts = {argument.text}
    for mention in mentions:
        if mention == argument or mention.type != argument.type:
            continue
        if (normalize_name(mention.text) == normalize_name(argument.text)
                or is_acronym(mention.text, argument.text) or is_acronym(argument.text, mention.text)
                or same_entity(argument, mention)):
            texts.add(mention.text)
    return texts


def orientations(stored: str, gold: str, inverse: Mapping[str, str], symmetric: AbstractSet[str]) -> list[bool]:
    """The argument orders in which a stored predicate states the gold one: False as stored,
    True with subject and object swapped; empty when it does not state it."""
    if stored == gold:
        return [False, True] if gold in symmetric else [False]
    if inverse.get(stored) == gold:
        return [True]
    return []


def fact_matches(predicate: str, subject: Argument, obj: Argument, gold: GoldFact,
                 subject_texts: Iterable[str], object_texts: Iterable[str],
                 inverse: Mapping[str, str], symmetric: AbstractSet[str]) -> bool:
    """True when the stored fact (predicate, subject, obj) states the gold fact; `subject_texts` and
    `object_texts` are the texts the gold arguments may be matched by (see `coreferent_texts`)."""
    subject_texts, object_texts = list(subject_texts), list(object_texts)
    for swapped in orientations(predicate, gold.predicate, inverse, symmetric):
        first, second = (obj, subject) if swapped else (subject, obj)
        if argument_matches(first, subject_texts) and argument_matches(second, object_texts):
            return True
    return False


def match_once(predictions: Sequence[P], golds: Sequence[G], matches: Callable[[P, G], bool]) -> dict[int, int]:
    """A maximum one-to-one matching (prediction index → gold index): each gold fact is matched at
    most once and each prediction counts for at most one gold fact (augmenting paths)."""
    edges = [[j for j, gold in enumerate(golds) if matches(prediction, gold)] for prediction in predictions]
    owner: dict[int, int] = {}  # gold index → prediction index

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(predictions)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def canonical_predicate(predicate: str, known: AbstractSet[str], inverse: Mapping[str, str]) -> str:
    """The name a stored predicate is scored under: itself when gold uses it, else its inverse
    when gold uses that (hasHead → headOf), else itself."""
    if predicate in known:
        return predicate
    other = inverse.get(predicate)
    return other if other in known else predicate
