"""The government rule layer (extraction/rules): titles, legislation, places, parties, dates."""
from __future__ import annotations

import pytest

from extraction.records import Document, Sentence, document_id
from extraction.rules.common import RuleContext, tokenize
from extraction.rules.dates import iso_date
from extraction.rules.demonyms import is_demonym, names_a_demonym
from extraction.rules.parties import canonical_party
from extraction.rules.places import canonical_city, canonical_country, country_code, place_type, state_code
from extraction.rules.recognizer import GovernmentRecognizer

CONTEXT = RuleContext(state_keys=frozenset({"state:TX", "state:MO", "state:OH", "state:IN"}),
                      org_acronyms=frozenset({"FBI"}))


@pytest.fixture(scope="module")
def recognizer() -> GovernmentRecognizer:
    return GovernmentRecognizer(CONTEXT)


def marks(recognizer: GovernmentRecognizer, text: str, kind: str | None = None) -> list[tuple[str, str]]:
    spans = recognizer.spans(tokenize(text))
    return [(text[s.start:s.end], s.type) for s in spans if kind is None or s.type == kind]


# --- titles --------------------------------------------------------------------------------------------


def test_titles_with_modifiers_and_fixed_complements(recognizer):
    text = "Gina Raimondo served as Secretary of Commerce while Deputy Secretary Don Graves ran the office."
    assert marks(recognizer, text, "Position") == [("Secretary of Commerce", "Position"),
                                                   ("Deputy Secretary", "Position")]
    text = "Jane Roe is the Principal Deputy Director of Cybersecurity Policy at the firm."
    assert marks(recognizer, text, "Position") == [("Principal Deputy Director of Cybersecurity Policy", "Position")]
    text = "He was Special Assistant to the President for Economic Policy and Senior Director for Europe."
    assert marks(recognizer, text, "Position") == [
        ("Special Assistant to the President for Economic Policy", "Position"), ("Senior Director", "Position")]


def test_a_named_body_or_place_stays_out_of_the_title(recognizer):
    text = "Michael Regan is the Administrator of the Environmental Protection Agency."
    assert marks(recognizer, text, "Position") == [("Administrator", "Position")]
    text = "She met President Emmanuel Macron of France and the Secretary of the Ohio Department of Health."
    assert marks(recognizer, text) == [("President", "Position"), ("France", "Country"), ("Secretary", "Position"),
                                       ("Ohio Department of Health", "Department")]
    # a known organisation's acronym before a head title is that organisation; a topic word is the title's
    text = "FBI Director Christopher Wray spoke after Litigation Director Ann Lee and Climate Coordinator Bo Kim."
    assert marks(recognizer, text, "Position") == [("Director", "Position"), ("Litigation Director", "Position"),
                                                   ("Climate Coordinator", "Position")]


def test_plural_and_lower_case_titles(recognizer):
    text = "Senators Grassley and Wyden wrote to several governors, and Members of Congress replied."
    assert marks(recognizer, text, "Position") == [("Senators", "Position"), ("Members of Congress", "Position")]
    text = "She served as governor for eight years and was the first director of the state's energy office."
    assert marks(recognizer, text, "Position") == [("governor", "Position"), ("director", "Position")]
    text = "Kathy Hochul is the fifty-seventh governor of the state of New York."
    assert marks(recognizer, text, "Position") == [("governor", "Position")]


def test_generic_roles_and_names_that_look_like_titles_are_not_positions(recognizer):
    assert marks(recognizer, "He worked as a senior advisor and an aide to the attorney.", "Position") == []
    assert marks(recognizer, "Dr. Martin Luther King spoke in 1963 about justice.", "Position") == []
    text = "The Council of Governors met the Republican Governors Association and the Joint Chiefs of Staff."
    assert marks(recognizer, text) == [("Council of Governors", "Committee"),
                                       ("Republican Governors Association", "Organization")]
    text = "The Office of the Vice President drafted the President’s Council of Advisors report."
    assert marks(recognizer, text, "Position") == []


# --- legislation and programmes ---------------------------------------------------------------------------


def test_acts_with_years_numbers_and_orders(recognizer):
    text = "President Johnson signed the Civil Rights Act of 1964 and later the Higher Education Act."
    assert marks(recognizer, text, "Legislation") == [("Civil Rights Act of 1964", "Legislation"),
                                                      ("Higher Education Act", "Legislation")]
    assert marks(recognizer, text, "Date") == []  # the year belongs to the name
    text = "The House passed H.R. 3684, the Senate passed S. 1260, and Executive Order 14008 followed."
    assert marks(recognizer, text, "Legislation") == [("H.R. 3684", "Legislation"), ("S. 1260", "Legislation"),
                                                      ("Executive Order 14008", "Legislation")]


def test_backronyms_acronyms_and_agreements(recognizer):
    text = "Congress passed the Coronavirus Aid, Relief, and Economic Security (CARES) Act in March."
    assert marks(recognizer, text, "Legislation") == [
        ("Coronavirus Aid, Relief, and Economic Security (CARES) Act", "Legislation")]
    text = "Canada joined the Paris Agreement and the North American Free Trade Agreement (NAFTA)."
    assert marks(recognizer, text) == [("Canada", "Country"), ("Paris Agreement", "Legislation"),
                                       ("North American Free Trade Agreement", "Legislation"),
                                       ("NAFTA", "Legislation")]
    text = "It protects the First Amendment, the Clean Air Act and Clean Water Act, and a new Bill of Rights."
    assert marks(recognizer, text, "Legislation") == [
        ("First Amendment", "Legislation"), ("Clean Air Act", "Legislation"), ("Clean Water Act", "Legislation"),
        ("Bill of Rights", "Legislation")]


def test_programs_and_names_that_are_not_legislation(recognizer):
    text = "Funding for Medicare, Medicaid and the Supplemental Nutrition Assistance Program rose."
    assert marks(recognizer, text, "Program") == [("Medicare", "Program"), ("Medicaid", "Program"),
                                                  ("Supplemental Nutrition Assistance Program", "Program")]
    text = "Tennessee Governor Bill Lee enforced federal law and the Social Security Administration agreed."
    assert marks(recognizer, text, "Legislation") == [] and marks(recognizer, text, "Program") == []


# --- places -------------------------------------------------------------------------------------------


def test_countries_with_official_and_short_names(recognizer):
    text = "Officials of the Republic of Korea, the U.S. and the United Kingdom met in Seoul with US envoys."
    assert marks(recognizer, text) == [("Republic of Korea", "Country"), ("U.S.", "Country"),
                                       ("United Kingdom", "Country"), ("Seoul", "City"), ("US", "Country")]
    assert marks(recognizer, "He is a U.S.-Israeli dual citizen.") == [("U.S.", "Country")]
    assert marks(recognizer, "LET US BEGIN ANEW.") == []
    for name in ("U.S.", "US", "United States", "America", "United States of America", "U.S.A."):
        assert canonical_country(name) == "United States" and country_code(name) == "US"
    assert canonical_country("Republic of Ecuador") == "Ecuador" and canonical_country("Ecuador") == "Ecuador"
    assert canonical_country("the Netherlands") == "Netherlands" and canonical_country("Burma") == "Myanmar"
    assert canonical_country("us") is None and canonical_country("Georgia") is None


def test_cities_beside_their_state_or_country(recognizer):
    text = "She grew up in Dayton, Ohio and studied in Lyon, France before moving to Washington, DC."
    assert marks(recognizer, text) == [("Dayton", "City"), ("Lyon", "City"), ("France", "Country"),
                                       ("Washington, DC", "City")]
    text = "The plant in Mobile, Alabama opened near Jackson, Mississippi."
    assert marks(recognizer, text, "City") == [("Mobile", "City"), ("Jackson", "City")]


def test_ambiguous_city_names_alone_are_not_marked(recognizer):
    text = "In Washington, Andrew Jackson and Lincoln argued over Mobile phones on Columbus Day in Reading."
    assert marks(recognizer, text, "City") == []
    assert marks(recognizer, "The Chicago Tribune reported from Chicago.", "City") == [("Chicago", "City")]


def test_demonyms_are_not_places(recognizer):
    text = "Iraqi officials, Iraqis, Americans and Israeli and German diplomats met Asian Americans."
    assert marks(recognizer, text) == []
    for word in ("Iraqi", "Iraqis", "Americans", "Israeli", "German", "Pacific Islanders", "Americans’"):
        assert is_demonym(word) and place_type(word) is None
    for word in ("Iraq", "Germany", "Dominican Republic", "Pacific"):
        assert not is_demonym(word)


def test_the_ner_recognizer_drops_demonyms_and_types_known_places():
    from extraction.ner.recognizer import _place_kind

    assert _place_kind("Location", "Iraqis") is None and _place_kind("Location", "U.S.-Israeli") is None
    assert names_a_demonym("U.S.-German") and not names_a_demonym("Guinea-Bissau")
    assert _place_kind("Location", "Republic of Ecuador") == "Country"
    assert _place_kind("Location", "Quito") == "City" and _place_kind("Location", "Ohio") == "StateOrRegion"
    assert _place_kind("Location", "Bellevue Palace") == "Location"
    assert _place_kind("Person", "Iraqi") == "Person"  # only places are checked


def test_place_types_for_other_recognizers():
    assert place_type("Ecuador") == "Country" and place_type("Texas") == "StateOrRegion"
    assert place_type("Galveston") == "City" and place_type("Middle East") == "Location"
    assert place_type("Kiev") == "City" and canonical_city("Kiev") == "Kyiv"
    assert canonical_city("Washington, DC") == "Washington, D.C."
    assert state_code("State of Texas") == "TX" and state_code("MO") == "MO"


def test_regions_and_state_of(recognizer):
    text = "Leaders of the Middle East attended the East Asia Summit with the Governor of the State of Indiana."
    assert marks(recognizer, text) == [("Middle East", "Location"), ("East Asia Summit", "Event"),
                                       ("Governor", "Position"), ("State of Indiana", "StateOrRegion")]
    spans = recognizer.spans(tokenize("the State of Indiana"))
    assert spans[0].key == "state:IN"


# --- parties -----------------------------------------------------------------------------------------


def test_party_and_state_tags(recognizer):
    text = "Rep. Jane Doe (D-TX) joined Sen. John Roe (R-Ohio) and Sen. Jim Poe (MO)."
    assert marks(recognizer, text) == [
        ("Rep.", "Position"), ("D", "PoliticalParty"), ("TX", "StateOrRegion"), ("Sen.", "Position"),
        ("R", "PoliticalParty"), ("Ohio", "StateOrRegion"), ("Sen.", "Position"), ("MO", "StateOrRegion")]
    keys = {text[s.start:s.end]: s.key for s in recognizer.spans(tokenize(text))}
    assert keys["TX"] == "state:TX" and keys["MO"] == "state:MO" and keys["D"] is None
    assert canonical_party("D") == "Democratic Party" and canonical_party("Republicans") == "Republican Party"
    assert canonical_party("GOP") == "Republican Party" and canonical_party("I") == "Independent"


def test_party_words(recognizer):
    text = "Democratic senators and Republicans praised Republican Governor Phil Scott."
    assert marks(recognizer, text) == [("Democratic", "PoliticalParty"), ("Republicans", "PoliticalParty"),
                                       ("Republican", "PoliticalParty"), ("Governor", "Position")]
    assert marks(recognizer, "Democratic institutions need the Democratic National Committee.") == [
        ("Democratic National Committee", "Committee")]  # the party's committee, not the party


# --- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("March 27, 2020", "2020-03-27"), ("July 4th, 1776", "1776-07-04"), ("11 November 1918", "1918-11-11"),
    ("January of 2019", "2019-01"), ("September 2001", "2001-09"), ("Christmas Day in 1941", "1941-12-25"),
    ("New Year’s Day, 1863", "1863-01-01"), ("the 4th day of March, 1861", "1861-03-04"),
    ("tenth day of October, in the year of our Lord two thousand twenty-three", "2023-10-10"),
    ("2018", "2018"), ("2009-2017", "2009/2017"), ("February 30, 2020", None), ("1492", None),
])
def test_iso_dates(text, value):
    assert iso_date(text) == value


def test_date_spans_and_the_year_rule(recognizer):
    text = "The law was signed on March 27, 2020, amended in 2021 and in effect since 1998 until 2030."
    assert marks(recognizer, text, "Date") == [("March 27, 2020", "Date"), ("2021", "Date"), ("1998", "Date"),
                                               ("2030", "Date")]
    assert marks(recognizer, "A total of 2000 troops and 1999 volunteers served in 2000 cases.", "Date") == []
    assert marks(recognizer, "It met on the 4th day of March, 1861, at noon.", "Date") == [
        ("the 4th day of March, 1861", "Date")]


# --- the recognizer ------------------------------------------------------------------------------------


def test_recognizer_mentions_carry_document_offsets_and_remember_acronyms(recognizer):
    first = "Canada signed the North American Free Trade Agreement (NAFTA)."
    second = "NAFTA took effect on January 1, 1994."
    text = f"{first} {second}"
    document = Document(id=document_id(text), text=text, title="t", source_path="t", source_name="t", format="txt")
    sentences = [Sentence(document_id=document.id, index=0, start=0, end=len(first), text=first),
                 Sentence(document_id=document.id, index=1, start=len(first) + 1, end=len(text), text=second)]
    mentions = recognizer.run(document, sentences)
    found = [(m.text, m.type, m.sentence_index) for m in mentions]
    assert found == [("Canada", "Country", 0), ("North American Free Trade Agreement", "Legislation", 0),
                     ("NAFTA", "Legislation", 0), ("NAFTA", "Legislation", 1), ("January 1, 1994", "Date", 1)]
    assert all(text[m.start:m.end] == m.text and m.extractor.name == "government" for m in mentions)


def test_organisations_and_events_by_head_word(recognizer):
    text = ("She led the Oregon Health Authority and chaired the Committee on Finance of the Western Governors "
            "Association.")
    assert marks(recognizer, text) == [("Oregon Health Authority", "Agency"), ("Committee on Finance", "Committee"),
                                       ("Western Governors Association", "Organization")]
    text = "He clerked at the U.S. Court of Appeals for the Ninth Circuit before the Paris Peace Conference."
    assert marks(recognizer, text) == [("U.S. Court of Appeals for the Ninth Circuit", "Court"),
                                       ("Paris Peace Conference", "Event")]
    assert marks(recognizer, "The Office said the Committee would meet.") == []  # generic descriptions
