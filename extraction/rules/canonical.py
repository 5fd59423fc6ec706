"""The name an entity is known by when its surface is one of its variants (the resolver's `canonical`)."""
from __future__ import annotations

from extraction.names import singular_title
from extraction.rules.dates import iso_date
from extraction.rules.parties import canonical_party
from extraction.rules.places import canonical_city, canonical_country


def canonical_name(cls: str, text: str) -> str | None:
    """The name an entity of this class is known by, when the surface is one of its variants: a date's ISO
    value ("May 24, 2025" → 2025-05-24), a country's, party's or city's usual name ("U.S." → United States,
    "D" → Democratic Party), a title in the singular ("Senators" → Senator). None: the surface is the name."""
    if cls == "Date":
        return iso_date(text)
    if cls == "Country":
        return canonical_country(text)
    if cls == "PoliticalParty":
        return canonical_party(text)
    if cls == "City":
        return canonical_city(text)
    if cls == "Position":
        return singular_title(text)
    return None
