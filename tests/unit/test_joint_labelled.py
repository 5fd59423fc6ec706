"""The joint head on labelled sentences (CoNLL04 style): sentences → labelled pairs, the head behind the
predictor interface, and the strict end-to-end scoring it shares with `govkg evaluate re` (no trained model:
a stub tagger and hand-made predictions)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from extraction.errors import DataError
from extraction.ner.encodings import open_cache
from extraction.ner.tagger import TaggedSpan
from extraction.relations.data import RelationExample, load_relation_dataset
from extraction.relations.evaluate import evaluate_end_to_end, evaluate_given_entities
from extraction.relations.joint.data import labelled_sentences
from extraction.relations.joint.evaluate import (
    JointPredictor,
    entity_classes,
    score_labelled,
)
from extraction.relations.joint.model import JointConfig, JointPairHead, ontology_is_a
from extraction.relations.predictor import PredictedRelation
from ontology.schema import load_ontology

SENTENCE = RelationExample(
    tokens=("John", "Smith", ",", "a", "spokesman", "for", "Acme", "Corp.", "in", "Boston", ",", "said", "so", "."),
    entities=((0, 2, "Peop"), (6, 8, "Org"), (9, 10, "Loc")),
    relations=((0, 1, "Work_For"), (1, 2, "OrgBased_In")),
    document="s1",
)
OTHER = RelationExample(tokens=("Mary", "Jones", "lives", "in", "Paris", "."),
                        entities=((0, 2, "Peop"), (4, 5, "Loc")), relations=((0, 1, "Live_In"),), document="s2")
CLASSES = {"Peop": "Person", "Org": "Organization", "Loc": "Location", "Other": ""}


class StubTagger:
    """Predicts the given spans and encodes each word as a fixed random vector; like the NER tagger, it keeps
    the encodings of the sentences it tags in its version's cache once a consumer opened it."""

    version = "stub-v1"

    def __init__(self, spans: dict[str, list[tuple[int, int, str]]], hidden: int = 8) -> None:
        self.spans = spans
        self.hidden = hidden
        self.encoded = 0

    def predict(self, sentences, documents=None):  # type: ignore[no-untyped-def]
        cache = open_cache(self.version)
        if cache is not None:
            for words, encoding in zip(sentences, self._encode(sentences), strict=True):
                cache.put(words, encoding)
        return [[TaggedSpan(s, e, t, 1.0) for s, e, t in self.spans[d]] for d in documents]

    def word_encodings(self, sentences, documents=None):  # type: ignore[no-untyped-def]
        self.encoded += len(sentences)
        return self._encode(sentences)

    def _encode(self, sentences):  # type: ignore[no-untyped-def]
        rng = np.random.default_rng(len(sentences))
        return [rng.normal(size=(len(s), self.hidden)).astype(np.float32) for s in sentences]


class GoldPredictor:
    """Hand-made predictions: each example's gold relations when its entities are the gold ones."""

    def __init__(self, gold: list[RelationExample]) -> None:
        self.gold = {e.document: e for e in gold}

    def predict(self, examples):  # type: ignore[no-untyped-def]
        out = []
        for example in examples:
            gold = self.gold[example.document]
            index = {span: i for i, span in enumerate(example.entities)}
            out.append([PredictedRelation(index[gold.entities[h]], index[gold.entities[t]], label, 1.0)
                        for h, t, label in gold.relations
                        if gold.entities[h] in index and gold.entities[t] in index])
        return out


def test_labelled_sentences_keep_every_ordered_pair_with_its_own_label_and_the_ontology_class() -> None:
    sentence, other = labelled_sentences([SENTENCE, OTHER], CLASSES.__getitem__)
    assert sentence.words == SENTENCE.tokens and sentence.spans == [(0, 2), (6, 8), (9, 10)]
    assert sentence.classes == ["Person", "Organization", "Location"] and sentence.document == "s1"
    assert len(sentence.pairs) == 6  # 3 entities, ordered pairs
    labels = {(p.subject, p.object): p.predicates for p in sentence.pairs}
    assert labels[0, 1] == ("Work_For",) and labels[1, 2] == ("OrgBased_In",) and labels[1, 0] == ()
    assert {p.sources for p in sentence.pairs} == {("conll04",)}
    assert [(p.subject, p.object, p.predicates) for p in other.pairs] == [(0, 1, ("Live_In",)), (1, 0, ())]


def test_a_perfect_prediction_scores_one_and_a_wrong_span_or_type_scores_zero_end_to_end() -> None:
    gold = [SENTENCE, OTHER]
    perfect = evaluate_end_to_end(GoldPredictor(gold), StubTagger({"s1": list(SENTENCE.entities),  # type: ignore[arg-type]
                                                                   "s2": list(OTHER.entities)}), gold)
    assert (perfect.scores.precision, perfect.scores.recall, perfect.scores.f1) == (1.0, 1.0, 1.0)
    assert perfect.scores.gold == perfect.scores.correct == 3 and perfect.entities["f1"] == 1.0
    assert set(perfect.scores.per_relation) == {"Work_For", "OrgBased_In", "Live_In"}
    # "John" for "John Smith", "Acme" for "Acme Corp.", "Mary Jones" as an organization: the same relations
    # are predicted between the tagged entities, and none counts
    wrong = {"s1": [(0, 1, "Peop"), (6, 7, "Org"), (9, 10, "Loc")], "s2": [(0, 2, "Org"), (4, 5, "Loc")]}
    shifted = [RelationExample(e.tokens, tuple(wrong[e.document]), e.relations, e.document) for e in gold]
    evaluation = evaluate_end_to_end(GoldPredictor(shifted), StubTagger(wrong), gold)  # type: ignore[arg-type]
    assert evaluation.scores.predicted == 3 and evaluation.scores.correct == 0 and evaluation.scores.f1 == 0.0
    assert evaluation.scores.per_relation["Work_For"].f1 == 0.0 and evaluation.scores.per_relation["Live_In"].f1 == 0.0
    assert evaluation.entities["gold"] == 5 and evaluation.entities["predicted"] == 5
    assert evaluation.entities["precision"] == 0.4  # the two locations of the 5 tagged entities are right
    # with gold entities the same hand-made predictions are perfect
    assert evaluate_given_entities(GoldPredictor(gold), gold).scores.f1 == 1.0


def test_the_joint_predictor_reads_encodings_from_the_taggers_cache_and_scores_its_own_decisions() -> None:
    torch.manual_seed(0)
    config = JointConfig(labels=["no_relation", "Live_In", "OrgBased_In", "Work_For"], hidden_size=8,
                         ner_version=StubTagger.version, mlp_hidden=16,
                         type_pairs=[["Person", "Organization"], ["Organization", "Location"], ["Person", "Location"]])
    head = JointPairHead(config)
    with torch.no_grad():  # every allowed pair is Work_For with certainty
        head.mlp[-1].weight.zero_()
        head.mlp[-1].bias.copy_(torch.tensor([0.0, -9.0, -9.0, 9.0]))
    tagger = StubTagger({"s1": list(SENTENCE.entities), "s2": [(0, 2, "Peop")]})
    predictor = JointPredictor(head, config, tagger, CLASSES.__getitem__, ontology_is_a(load_ontology()))
    gold, end_to_end = score_labelled(predictor, [SENTENCE, OTHER])
    # gold entities: Person→Org, Org→Loc, Person→Loc of s1 and Person→Loc of s2 are allowed: 4 Work_For
    assert gold.scores.predicted == 4 and gold.scores.correct == 1
    assert gold.scores.per_relation["Work_For"].precision == 0.25 and gold.scores.recall == round(1 / 3, 4)
    # end to end: s2 has one tagged entity, so no pair; s1 as with gold entities
    assert end_to_end.scores.predicted == 3 and end_to_end.scores.correct == 1
    assert end_to_end.entities["predicted"] == 4 and end_to_end.entities["recall"] == 0.8
    # one encoder pass: the head read what the tagger kept while tagging; the cache is closed again
    assert tagger.encoded == 0 and predictor.encoded_here == 0 and open_cache(tagger.version) is None
    # without the cache (a tagger that did not run) the predictor encodes the sentences itself
    assert len(predictor.predict([SENTENCE])[0]) == 3 and predictor.encoded_here == tagger.encoded == 1


def test_an_unknown_label_scheme_is_e078_and_the_loader_reads_conll04_lines(tmp_path: Path) -> None:
    with pytest.raises(DataError) as raised:
        entity_classes("nonesuch", "x.jsonl")
    assert raised.value.code == "E078" and "conll04" in str(raised.value)
    assert entity_classes("conll04")("Peop") == "Person" and entity_classes("conll04")("Other") == ""
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps({"id": 7, "tokens": list(OTHER.tokens),
                                "entities": [{"type": "Peop", "start": 0, "end": 2},
                                             {"type": "Loc", "start": 4, "end": 5}],
                                "relations": [{"type": "Live_In", "head": 0, "tail": 1}]}) + "\n")
    example = load_relation_dataset(path).examples[0]
    assert example.facts() == {((0, 2, "Peop"), (4, 5, "Loc"), "Live_In")} and example.document == "7"
