"""Demonyms and nationality adjectives: never a place ("Iraqi", "Iraqis", "Americans", "Israeli", "German").

pycountry has no demonyms, so this is a compact hand-written table of the common ones (countries,
regions and peoples, US states, a few cities), with plurals derived by rule.
"""
from __future__ import annotations

import re
from functools import lru_cache

_SINGULAR = """
Afghan Albanian Algerian American Andorran Angolan Antiguan Argentine Argentinian Armenian Australian Austrian
Azerbaijani Azeri Bahamian Bahraini Bangladeshi Barbadian Belarusian Belarussian Belgian Belizean Beninese
Bhutanese Bolivian Bosnian Botswanan Motswana Brazilian British Briton Bruneian Bulgarian Burkinabe Burmese
Burundian Cambodian Cameroonian Canadian Chadian Chilean Chinese Colombian Comoran Congolese Croatian Croat Cuban
Cypriot Czech Danish Dane Djiboutian Dominican Dutch Dutchman Ecuadorian Ecuadorean Egyptian Emirati English
Englishman Eritrean Estonian Ethiopian Fijian Filipino Filipina Finnish Finn French Frenchman Frenchwoman Gabonese
Gambian Georgian German Ghanaian Greek Grenadian Guatemalan Guinean Guyanese Haitian Honduran Hungarian Icelandic
Icelander Indian Indonesian Iranian Iraqi Irish Irishman Israeli Italian Ivorian Jamaican Japanese Jordanian
Kazakh Kazakhstani Kenyan Korean Kosovar Kuwaiti Kyrgyz Lao Laotian Latvian Lebanese Liberian Libyan
Liechtensteiner Lithuanian Luxembourgish Luxembourger Macedonian Malagasy Malawian Malaysian Maldivian Malian
Maltese Marshallese Mauritanian Mauritian Mexican Micronesian Moldovan Monegasque Mongolian Montenegrin Moroccan
Mozambican Namibian Nauruan Nepali Nepalese Nicaraguan Nigerien Nigerian Norwegian Omani Pakistani Palauan
Palestinian Panamanian Paraguayan Peruvian Polish Pole Portuguese Qatari Romanian Russian Rwandan Salvadoran
Salvadorean Samoan Saudi Scottish Scot Scotsman Senegalese Serbian Serb Seychellois Singaporean Slovak Slovakian
Slovenian Slovene Somali Somalian Spanish Spaniard Sudanese Surinamese Swazi Swedish Swede Swiss Syrian Taiwanese
Tajik Tanzanian Thai Tibetan Togolese Tongan Trinidadian Tobagonian Tunisian Turkish Turk Turkmen Tuvaluan Ugandan
Ukrainian Uruguayan Uzbek Vanuatuan Venezuelan Vietnamese Welsh Welshman Yemeni Yemenite Zambian Zimbabwean
African Asian European Arab Arabian Latino Latina Latinx Hispanic Scandinavian Nordic Slavic Balkan Kurdish Kurd
Persian Pashtun Tajik Uighur Uyghur Soviet Yugoslav Prussian Bavarian Anglo Saxon Celtic Gaelic Creole Aboriginal
Bedouin Berber Hmong Inuit Eskimo Yankee Indigenous Midwestern Midwesterner Southerner Northerner Westerner
Texan Californian Hawaiian Alaskan Floridian Virginian Kansan Ohioan Iowan Oklahoman Oregonian Nevadan Arizonan
Michigander Michiganian Wisconsinite Minnesotan Hoosier Tennessean Kentuckian Louisianan Louisianian Missourian
Coloradan Utahn Idahoan Montanan Nebraskan Vermonter Mainer Pennsylvanian Marylander Carolinian Mississippian
Alabamian Alabaman Arkansan Illinoisan Indianan Washingtonian Dakotan Delawarean Wyomingite Bostonian Parisian
Londoner Berliner Muscovite Chicagoan Angeleno Roman Athenian Viennese Venetian Neapolitan Milanese Genoese
Pekingese Cantonese Shanghainese Texian Sicilian Corsican Catalan Basque Flemish Walloon Andalusian
"""

# two-word demonyms whose words are not demonyms alone
_PHRASES = """
Costa Rican|Cape Verdean|Sri Lankan|Sierra Leonean|South African|North Korean|South Korean|New Zealander|
Papua New Guinean|Saudi Arabian|Latin American|Middle Eastern|East Timorese|Central African|South Sudanese|
North African|West African|East African|New Yorker|New Jerseyan|New Mexican|New Englander|Rhode Islander|
West Virginian|North Carolinian|South Carolinian|North Dakotan|South Dakotan|Native American|First Nations|
Puerto Rican|Pacific Islander|Native Hawaiian|Native Alaskan|Alaska Native|Asian Pacific|Pacific Asian
"""

_SPLIT = re.compile(r"[\s\-‐–—]+")


def _plurals(word: str) -> set[str]:
    if word.endswith("man"):
        return {word[:-3] + "men"}
    if word.endswith(("ese", "ss", "sh", "ch")) or word in {"Swiss", "Seychellois", "Malagasy", "Thai", "Lao"}:
        return {word}
    return {word + "s"}


@lru_cache(maxsize=1)
def demonyms() -> frozenset[str]:
    """Every demonym, singular and plural, casefolded."""
    words: set[str] = set()
    for word in _SINGULAR.split():
        words |= {word, *_plurals(word)}
    for phrase in _PHRASES.replace("\n", "").split("|"):
        phrase = phrase.strip()
        if phrase:
            head, last = phrase.rsplit(" ", 1)
            words |= {phrase, *(f"{head} {p}" for p in _plurals(last))}
    return frozenset(w.casefold() for w in words)


def is_demonym(text: str) -> bool:
    """True for a demonym or nationality adjective, singular or plural, possessive or not, and for
    compounds of them ("Asian American", "Israeli-Palestinian", "Pacific Islanders")."""
    known = demonyms()
    text = re.sub(r"(?:'s|’s|'|’)$", "", text.strip()).strip()
    if not text:
        return False
    folded = _SPLIT.sub(" ", text).casefold()
    if folded in known:
        return True
    parts = folded.split(" ")
    if len(parts) < 2:
        return False
    # every part a demonym, or a two-word demonym followed by demonyms
    i = 0
    while i < len(parts):
        if i + 1 < len(parts) and f"{parts[i]} {parts[i + 1]}" in known:
            i += 2
        elif parts[i] in known:
            i += 1
        else:
            return False
    return True


def names_a_demonym(text: str) -> bool:
    """A demonym, or a hyphenated compound ending in one ("U.S.-German", "U.S.-Israeli"): no place's name."""
    text = text.strip()
    if is_demonym(text):
        return True
    parts = [p for p in _SPLIT.split(text) if p]
    return "-" in text and len(parts) > 1 and is_demonym(parts[-1])
