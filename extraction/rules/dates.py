"""Dates, normalised to ISO 8601: "January 11, 2010" -> 2010-01-11, "January of 2019" -> 2019-01,
"New Year's Day in 1863" -> 1863-01-01, "the 30th day of April, 1789" -> 1789-04-30, "in 2018" -> 2018.

A bare year counts only after "in", "since", "of", "by", "during", "until" (not every number is a year),
and only from 1700 to 2099. The mention keeps the surface text; `iso_date(text)` gives the value.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from extraction.rules.common import CONTEXT, LEXICON, PATTERN, RuleSpan

_MONTH_NAMES = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
                     "oct": 10, "nov": 11, "dec": 12})
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)")
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_UNITS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth"]
_ORDINALS = {word: i for i, word in enumerate(_ORDINAL_UNITS) if word}
_ORDINALS.update({"twentieth": 20, "thirtieth": 30})
_ORDINALS.update({f"twenty-{w}": 20 + i for i, w in enumerate(_ORDINAL_UNITS[1:10], 1)})
_ORDINALS.update({"thirty-first": 31})
_ORDINAL = "(?:" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + ")"
_NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)} | {w: 10 * i for i, w in enumerate(_TENS) if w}
_NUMWORD = "(?:" + "|".join(sorted([*_NUMBER_WORDS, "hundred", "thousand"], key=len, reverse=True)) + ")"
_YEAR_WORDS = rf"{_NUMWORD}(?:(?:[\s-]+(?:and\s+)?){_NUMWORD})*"
_YEAR = r"(?:1[789]\d\d|20\d\d)"

_HOLIDAYS: dict[str, Callable[[int], date | None]] = {}


def _fixed(month: int, day: int) -> Callable[[int], date | None]:
    return lambda year: date(year, month, day)


def _nth_weekday(month: int, weekday: int, n: int) -> Callable[[int], date | None]:
    def holiday(year: int) -> date:
        first = date(year, month, 1)
        day = first + timedelta(days=(weekday - first.weekday()) % 7)
        if n > 0:
            return day + timedelta(weeks=n - 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    return holiday


def _thanksgiving(year: int) -> date | None:
    if year < 1863:
        return None
    return _nth_weekday(11, 3, 4 if year >= 1942 else -1)(year)


def _memorial_day(year: int) -> date | None:
    if year < 1868:
        return None
    return _nth_weekday(5, 0, -1)(year) if year >= 1971 else date(year, 5, 30)


def _election_day(year: int) -> date:
    return _nth_weekday(11, 0, 1)(year) + timedelta(days=1)  # the Tuesday after the first Monday


def _inauguration_day(year: int) -> date:
    return date(year, 1, 20) if year >= 1937 else date(year, 3, 4)


_HOLIDAYS.update({
    "new year's day": _fixed(1, 1), "new year's eve": _fixed(12, 31), "christmas day": _fixed(12, 25),
    "christmas eve": _fixed(12, 24), "christmas": _fixed(12, 25), "independence day": _fixed(7, 4),
    "fourth of july": _fixed(7, 4), "juneteenth": _fixed(6, 19), "veterans day": _fixed(11, 11),
    "armistice day": _fixed(11, 11), "flag day": _fixed(6, 14), "valentine's day": _fixed(2, 14),
    "halloween": _fixed(10, 31), "labor day": lambda y: _nth_weekday(9, 0, 1)(y) if y >= 1894 else None,
    "memorial day": _memorial_day, "thanksgiving": _thanksgiving, "thanksgiving day": _thanksgiving,
    "election day": _election_day, "inauguration day": _inauguration_day,
})
_HOLIDAY = (r"(?:New Year['’]s Day|New Year['’]s Eve|Christmas Day|Christmas Eve|Christmas|Independence Day|"
            r"Fourth of July|Juneteenth|Veterans Day|Armistice Day|Flag Day|Memorial Day|Labor Day|"
            r"Thanksgiving Day|Thanksgiving|Inauguration Day|Election Day|Valentine['’]s Day|Halloween)")

# (pattern, confidence); each pattern names groups year, month, day (some optional), holiday, year2
_PATTERNS: list[tuple[re.Pattern[str], float]] = [
    (re.compile(rf"\b(?:the\s+)?(?P<day>\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL})\s+day\s+of\s+(?P<month>{_MONTH})"
                rf"(?:\s*,\s*|\s+)(?:in\s+the\s+year\s+(?:of\s+our\s+Lord\s+)?)?(?P<year>{_YEAR}\b|{_YEAR_WORDS})",
                re.IGNORECASE), LEXICON),
    (re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>{_YEAR})\b"), LEXICON),
    (re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH}),?\s+(?P<year>{_YEAR})\b"),
     LEXICON),
    (re.compile(rf"\b(?P<month>{_MONTH})(?:\s+of|,)?\s+(?P<year>{_YEAR})\b"), PATTERN),
    (re.compile(rf"\b(?P<holiday>{_HOLIDAY})(?:\s+(?:of|in)\s+|,\s*|\s+)(?P<year>{_YEAR})\b"), PATTERN),
    (re.compile(rf"\b(?P<month>\d{{1,2}})/(?P<day>\d{{1,2}})/(?P<year>{_YEAR})\b"), PATTERN),
    (re.compile(rf"\b(?P<year>{_YEAR})-(?P<month>\d{{2}})-(?P<day>\d{{2}})\b"), PATTERN),
]
_RANGE = re.compile(rf"\b(?:in|for|from|during|between|of|through)\s+\(?(?P<span>(?P<year>{_YEAR})\s?[-–—]\s?"
                    rf"(?P<year2>{_YEAR}|\d\d))\b(?![-–]\d)", re.IGNORECASE)
_BARE_YEAR = re.compile(rf"\b(?P<prep>in|since|of|by|during|until)\s+(?P<year>{_YEAR})\b"
                        r"(?![-–—/]\d|,\d|\.\d|\s*(?:%|percent|\$))", re.IGNORECASE)
_AFTER = re.compile(r"\s+([a-z]+)")
_FUNCTION_WORDS = {"and", "or", "to", "the", "a", "was", "were", "is", "are", "when", "that", "which", "with", "in",
                   "on", "at", "for", "by", "as", "but", "we", "i", "it", "he", "she", "they", "had", "has", "have",
                   "until", "through", "after", "before", "this", "these", "our", "his", "her", "their",
                   "its", "from", "into", "onward", "onwards", "forward", "alone", "only", "there", "then", "you",
                   "not", "will", "would", "could", "should", "did", "also", "again", "of"}
_QUANTITY_BEFORE = re.compile(r"(?:total|sum|number|cost|budget|population|amount|salary|rate|price|height|figure|"
                              r"estimate|tune|maximum|minimum|excess|upwards|average|increase|decrease|loss|gain|"
                              r"value|force|army|crowd|list|fleet|group|class|room|page|pages|deficit|surplus|"
                              r"debt|balance|out)\s+of$", re.IGNORECASE)


def _words_to_number(text: str) -> int | None:
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.casefold()):
        if word == "and" or not word:
            continue
        if word in _NUMBER_WORDS:
            current += _NUMBER_WORDS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    return total + current


def _year(text: str) -> int | None:
    value = int(text) if text.isdigit() else _words_to_number(text)
    return value if value is not None and 1700 <= value <= 2099 else None


def _month(text: str) -> int | None:
    if text.isdigit():
        value = int(text)
        return value if 1 <= value <= 12 else None
    return _MONTH_NAMES.get(text.rstrip(".").casefold())


def _day(text: str) -> int | None:
    text = text.casefold()
    if text in _ORDINALS:
        return _ORDINALS[text]
    digits = re.match(r"\d+", text)
    return int(digits.group()) if digits else None


def _iso(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    year = _year(groups["year"])
    if year is None:
        return None
    if groups.get("holiday"):
        rule = _HOLIDAYS.get(groups["holiday"].replace("’", "'").casefold())
        day = rule(year) if rule else None
        return day.isoformat() if day else f"{year:04d}"
    if groups.get("month") is None:
        return f"{year:04d}"
    month = _month(groups["month"])
    if month is None:
        return None
    if groups.get("day") is None:
        return f"{year:04d}-{month:02d}"
    day = _day(groups["day"])
    if day is None or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _range_iso(match: re.Match[str]) -> str | None:
    first, second = match.group("year"), match.group("year2")
    if len(second) == 2:
        second = first[:2] + second
    start, end = _year(first), _year(second)
    if start is None or end is None or not start < end <= start + 100:
        return None
    return f"{start:04d}/{end:04d}"


def iso_date(text: str) -> str | None:
    """The ISO 8601 value of a date text: YYYY, YYYY-MM, YYYY-MM-DD, or YYYY/YYYY for a range of years.

    Takes what the date rule marks ("May 24, 2025", "January of 2019", "New Year's Day in 1863",
    "the 30th day of April, 1789", "2018", "2021-2026"); None when the text is not one date."""
    text = " ".join(text.split()).strip(" ,.")
    for pattern, _ in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _iso(match)
    match = re.fullmatch(rf"(?P<year>{_YEAR})\s?[-–—]\s?(?P<year2>{_YEAR}|\d\d)", text)
    if match:
        return _range_iso(match)
    if re.fullmatch(_YEAR, text):
        return text
    return None


def find_dates(text: str) -> list[RuleSpan]:
    """Date spans of one sentence (character offsets in `text`), none overlapping."""
    found: list[RuleSpan] = []
    if not any(c.isdigit() for c in text) and "day of" not in text.casefold():
        return found
    for pattern, confidence in _PATTERNS:
        for match in pattern.finditer(text):
            if _iso(match):
                found.append(RuleSpan(match.start(), match.end(), "Date", confidence, "date"))
    for match in _RANGE.finditer(text):
        if _range_iso(match):
            found.append(RuleSpan(match.start("span"), match.end("span"), "Date", PATTERN, "date:range"))
    for match in _BARE_YEAR.finditer(text):
        if match.group("prep").casefold() == "of" and not _plausible_of(text, match):
            continue
        if _counted_noun(text, match):
            continue  # "in 2000 cases"
        found.append(RuleSpan(match.start("year"), match.end("year"), "Date", CONTEXT, "date:year"))
    found.sort(key=lambda s: (-(s.end - s.start), s.start))
    taken: list[RuleSpan] = []
    for span in found:
        if all(span.end <= t.start or t.end <= span.start for t in taken):
            taken.append(span)
    return sorted(taken, key=lambda s: s.start)


def _counted_noun(text: str, match: re.Match[str]) -> bool:
    after = _AFTER.match(text, match.end())
    if after is None:
        return False
    word = after.group(1)
    return len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word not in _FUNCTION_WORDS


def _plausible_of(text: str, match: re.Match[str]) -> bool:
    """ "the summer of 1863", "the Class of 2020" — but not "a total of 2000 troops"."""
    if _QUANTITY_BEFORE.search(text[: match.start("prep")].rstrip() + " of"):
        return False
    after = _AFTER.match(text, match.end())
    return after is None or after.group(1) in _FUNCTION_WORDS
