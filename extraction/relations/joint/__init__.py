"""The joint relation extractor: a pair head over the NER model's own encoding (SpERT-style sharing).

The NER model's encoder runs once per sentence; its final hidden states, pooled to words, are kept
(extraction/ner/encodings.py) and a small head classifies each ordered pair of the sentence's mentions
into `no_relation` or an ontology predicate. The encoder stays frozen, so NER figures do not move, and
relation extraction costs no second encoder pass.

model.py: features, head, folder; data.py: labelled pairs (Re-DocRED, the rule layer, the shipped
records); train.py: encodings once, head training, calibration, card; evaluate.py: per-predicate scores;
extractor.py: the pipeline component `joint`.
"""
