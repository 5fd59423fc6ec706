"""Question analysis: linked entities, expected answer type, asked-about predicates, constraints.

Answer types come from the wh-word and from ontology class labels (and alternate labels) named
right after "which"/"what"; predicates from the ontology's predicate labels
(`Ontology.predicate_by_phrase`); entities from span sources over the question, linked by the
store's name and alias search (exact name or alias matches only: the rule layer never guesses).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from extraction.records import normalize_name
from graph.store import GraphStore
from graph.visibility import Scope as Visibility
from ontology.schema import Ontology
from qa.models import Analysis, EntityLink, LinkedEntity
from qa.spans import SpanSource

WH_WORDS = ("who", "whom", "whose", "which", "what", "when", "where", "how")
_WORD = re.compile(r"[\w'’]+")
_PARENTHESES = re.compile(r"\([^()]{0,40}\)")
_YEAR = re.compile(r"\b(1[7-9]\d\d|20\d\d)\b")
# nouns for people by their role: answer type Person ("which senator", "what official")
ROLE_NOUNS = frozenset("""senator senators representative congressman congresswoman secretary president governor
leader member chairman chairwoman chair official officials minister general justice judge ambassador director
administrator commissioner speaker mayor person man woman officer diplomat nominee""".split())
ACRONYM_NOUNS = frozenset({"acronym", "abbreviation", "initials", "initialism"})
TITLE_WORDS = frozenset("""senator president secretary general governor dr dr. mr mr. mrs mrs. ms ms. representative
congressman congresswoman speaker vice chairman judge justice ambassador admiral director""".split())
LINK_MIN_SCORE = 0.95  # the store's rank gives ≥ 0.95 only to exact name or alias matches
STOP_WORDS = frozenset("""a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
now of off on once only or other our ours ourselves out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under until up very was we were what when
where which while who whom whose why will with would you your yours yourself according among said say says did
named name called""".split())


class RulesAnalyzer:
    """Question analysis by rules over the ontology's labels and the graph's names."""

    name = "rules"

    def __init__(self, store: GraphStore, ontology: Ontology, span_sources: Sequence[SpanSource]) -> None:
        self.store = store
        self.ontology = ontology
        self.span_sources = list(span_sources)
        self._class_phrases = self._class_label_phrases()

    def _class_label_phrases(self) -> list[tuple[list[str], str]]:
        phrases: dict[tuple[str, ...], str] = {}
        for cls in self.ontology.classes():
            if cls.name in ("Entity",):
                continue
            for label in (cls.label, *cls.alt_labels):
                words = tuple(label.casefold().split())
                phrases.setdefault(words, cls.name)
                if not words[-1].endswith("s"):
                    phrases.setdefault((*words[:-1], words[-1] + "s"), cls.name)
        # "state or region" names a state (first), and "u.s. state" is one too (its head noun, after)
        labels = [(label.casefold(), cls.name) for cls in self.ontology.classes() if cls.name != "Entity"
                  for label in (cls.label, *cls.alt_labels)]
        for label, name in labels:
            for part in label.split(" or ") if " or " in label else []:
                phrases.setdefault(tuple(part.split()), name)
        for label, name in labels:
            phrases.setdefault((label.split()[-1],), name)
        return sorted(((list(k), v) for k, v in phrases.items()), key=lambda kv: -len(kv[0]))

    def analyze(self, question: str, access: Visibility | None = None) -> Analysis:
        """The question's analysis; entities link only to what `access` may see."""
        words = [w.casefold() for w in _WORD.findall(question)]
        wh, answer_types, wants_acronym = self._answer_types(words)
        links = self.link_entities(question, access)
        predicates = self.ontology.predicate_by_phrase(question)
        years = sorted({int(y) for y in _YEAR.findall(question)})
        keywords = list(dict.fromkeys(w for w in words if w not in STOP_WORDS and w not in WH_WORDS and len(w) > 1))
        return Analysis(question=question, wh=wh, answer_types=answer_types, predicates=predicates, links=links,
                        years=years, keywords=keywords, wants_acronym=wants_acronym, phrases=date_phrases(question))

    # -- answer type ---------------------------------------------------------------------
    def _answer_types(self, words: list[str]) -> tuple[str | None, list[str], bool]:
        index = next((i for i, w in enumerate(words) if w in WH_WORDS), None)
        if index is None:
            return None, [], False
        wh = words[index]
        if wh in ("who", "whom", "whose"):
            # "who is/was the <title> ...": the title is given, a person is asked for
            following = words[index + 1 : index + 6]
            if following[:1] and following[0] in ("is", "was", "are", "were") and \
                    any(p in TITLE_WORDS or p in ROLE_NOUNS for w in following[1:5] for p in w.split("-")):
                return wh, ["Person"], False
            return wh, ["Person", "Position"], False
        if wh == "when":
            return wh, ["Date"], False
        if wh == "where":
            return wh, ["Location"], False
        if wh == "how":
            following = words[index + 1 : index + 2]
            if following and following[0] in ("much", "many"):
                return f"how {following[0]}", (["MonetaryAmount"] if following[0] == "much" else []), False
            return wh, [], False
        # which / what: the class named by the words that follow (skipping numbers such as a year)
        after = [w for w in words[index + 1 : index + 7] if not w.isdigit()]
        for i in range(min(4, len(after))):
            if after[i] in ACRONYM_NOUNS:
                return wh, ["Acronym"], True
            for phrase, cls in self._class_phrases:
                if after[i : i + len(phrase)] == phrase:
                    return wh, self._with_related(cls), False
            if after[i] in ROLE_NOUNS:
                return wh, ["Person", "Position"], False
        return wh, [], False

    @staticmethod
    def _with_related(cls: str) -> list[str]:
        if cls == "Person":
            return ["Person", "Position"]
        if cls == "Position":
            return ["Position", "GovernmentOrganization"]  # "what office": a title, or the body it heads
        return [cls]

    # -- entity linking --------------------------------------------------------------------
    def link_entities(self, question: str, access: Visibility | None = None) -> list[EntityLink]:
        mentions: dict[tuple[int, int], str] = {}
        # parenthesised asides ("Bernard (Bernie) Sanders") blanked out, offsets kept
        plain = _PARENTHESES.sub(lambda m: " " * len(m.group()), question)
        for source in self.span_sources:
            for span in [*source.spans(question), *(source.spans(plain) if plain != question else [])]:
                if span.type in ("Date", "Acronym") and not span.text.isupper():
                    continue
                mentions.setdefault((span.start, span.end), span.text)
        links: dict[str, EntityLink] = {}
        for (start, end), text in sorted(mentions.items(), key=lambda kv: -(kv[0][1] - kv[0][0])):
            hint = self._class_before(question[:start])
            for variant, offset in _variants(text.strip(" \"'“”‘’")):
                offset += len(text) - len(text.lstrip(" \"'“”‘’"))
                hit = self._lookup(variant, hint, access)
                if hit is None:
                    continue
                known = links.get(hit.id)
                if known is None or (end - start) > (known.end - known.start):
                    links[hit.id] = EntityLink(entity=LinkedEntity(id=hit.id, name=hit.name, type=hit.type),
                                               text=variant, start=start + offset, end=start + offset + len(variant),
                                               score=hit.score)
                break
        # a shorter mention inside a longer linked one names the same thing ("Intelligence" in a committee)
        kept = sorted(links.values(), key=lambda link: -(link.end - link.start))
        out: list[EntityLink] = []
        for link in kept:
            if any(o.start <= link.start and link.end <= o.end and o.entity.id != link.entity.id for o in out):
                continue
            out.append(link)
        return sorted(out, key=lambda link: link.start)

    def _class_before(self, text: str) -> str | None:
        """The class a mention is introduced as ("a subcommittee named X", "the agency X")."""
        words = [w.casefold() for w in _WORD.findall(text)][-3:]
        for i in range(len(words)):
            for phrase, cls in self._class_phrases:
                if words[i : i + len(phrase)] == phrase:
                    return cls
        return None

    def _lookup(self, text: str, hint: str | None = None, access: Visibility | None = None):  # type: ignore[no-untyped-def]
        norm = normalize_name(text)
        if len(norm) < 2 or norm in STOP_WORDS or norm in TITLE_WORDS or norm in ROLE_NOUNS:
            return None  # a bare title ("President") names no one
        hits = self.store.search_entities(text, limit=10 if hint else 3, scope=access)
        exact = next((h for h in hits if h.score >= LINK_MIN_SCORE and normalize_name(h.matched) == norm), None)
        if hint is None or (exact is not None and self._is_a(exact.type, hint)):
            return exact
        # introduced as a class the exact match is not: an entity of that class named after it
        named = [h for h in hits if self._is_a(h.type, hint) and f" {norm}" in f" {normalize_name(h.name)} "]
        return named[0] if len(named) == 1 else exact

    def _is_a(self, child: str, parent: str) -> bool:
        try:
            return self.ontology.is_subclass(child, parent)
        except Exception:
            return child == parent


def _variants(text: str) -> list[tuple[str, int]]:
    """The mention, then without a leading title ("Senator Chuck Grassley" → "Chuck Grassley")."""
    out = [(text, 0)]
    words = text.split()
    text = " ".join(words)
    offset = 0
    while len(words) > 1 and words[0].casefold().rstrip(".") in {w.rstrip(".") for w in TITLE_WORDS}:
        offset += len(words[0]) + 1
        words = words[1:]
        out.append((" ".join(words), offset))
    return out


_MONTHS = {m: i for i, m in enumerate(("january february march april may june july august september october "
                                        "november december").split(), start=1)}
_DATE = re.compile(r"\b(" + "|".join(m.title() for m in _MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})\b")


def date_phrases(question: str) -> list[str]:
    """Dates of the question as records write them (2017-01-20); a range "from A to B" as "A to B" alone."""
    dates = [f"{int(y):04d}-{_MONTHS[m.casefold()]:02d}-{int(d):02d}" for m, d, y in _DATE.findall(question)]
    if len(dates) == 2:
        return [f"{dates[0]} to {dates[1]}"]
    return list(dict.fromkeys(dates))
