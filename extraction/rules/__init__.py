"""Rule layers for government text: titles, legislation and programmes, places, parties, dates.

The recognizer (`extraction.rules.recognizer.GovernmentRecognizer`, registered as "government") runs
them all; `iso_date`, `canonical_country`, `canonical_party`, `canonical_city` and `place_type` name
what a mention of theirs refers to, for the resolver and other recognizers.
"""
