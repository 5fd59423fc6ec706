"""The joint head on CoNLL04-style labelled sentences, trained in seconds: a tiny CoNLL04-scheme NER model
and a head over its encodings on generated sentences (the five CoNLL04 relations, its four entity types),
the folder and card, end-to-end strict scores computed from the models' own predictions, and the CLI
(`train joint --train … --dev …`, `evaluate joint --data ….jsonl`) as real processes."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from extraction.modeling.cards import CARD_FILE
from extraction.modeling.encoder import packaged_encoder
from extraction.ner.data import load_dataset
from extraction.ner.tagger import NerTagger
from extraction.ner.train import NerTrainArgs, train_ner
from extraction.relations.data import load_relation_dataset
from extraction.relations.evaluate import predicted_facts, score_facts
from extraction.relations.joint.evaluate import (
    JointPredictor,
    entity_classes,
    evaluate_labelled,
)
from extraction.relations.joint.model import CONFIG_FILE, load_joint, ontology_is_a
from extraction.relations.joint.train import JointTrainArgs, train_joint
from ontology.schema import load_ontology

PROJECT = Path(__file__).resolve().parents[2]
PEOPLE = [["John", "Smith"], ["Mary", "Jones"], ["Ali", "Hassan"], ["Ed", "Brown"], ["Lee", "Chen"],
          ["Ana", "Silva"], ["Tom", "Hardy"], ["Ian", "Wright"], ["Eva", "Klein"], ["Raj", "Patel"]]
ORGS = [["Acme", "Corp."], ["the", "Red", "Cross"], ["General", "Motors"], ["Reuters"], ["the", "Senate"],
        ["Boeing"], ["the", "World", "Bank"], ["Sony"]]
PLACES = [["Boston"], ["Paris"], ["New", "York"], ["Cairo"], ["Texas"], ["France"], ["Lima"], ["Ohio"]]
OTHERS = [["Tuesday"], ["1989"], ["last", "week"]]
# (words and slots, relations between slots): CoNLL04's relation types with its argument types
TEMPLATES = [
    (["P", ",", "a", "spokesman", "for", "O", ",", "said", "the", "talks", "failed", "."], [(0, 1, "Work_For")]),
    (["P", "lives", "in", "L", "with", "his", "family", "."], [(0, 1, "Live_In")]),
    (["O", ",", "based", "in", "L", ",", "reported", "higher", "profits", "."], [(0, 1, "OrgBased_In")]),
    (["L", "is", "a", "city", "in", "L", "."], [(0, 1, "Located_In")]),
    (["P", "shot", "and", "killed", "P", "on", "X", "."], [(0, 1, "Kill")]),
    (["P", "of", "O", "met", "P", "in", "L", "on", "X", "."], [(0, 1, "Work_For")]),
]
SLOTS = {"P": ("Peop", PEOPLE), "O": ("Org", ORGS), "L": ("Loc", PLACES), "X": ("Other", OTHERS)}
TINY_NER = {"epochs": 4, "batch_size": 8, "max_length": 64, "lr": 3e-4, "shape_lr": 3e-3, "threads": 2,
            "label_scheme": "conll04"}


def _sentences(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for number in range(n):
        words, relations = TEMPLATES[number % len(TEMPLATES)]
        tokens: list[str] = []
        entities = []
        used: list[list[str]] = []
        for word in words:
            if word not in SLOTS:
                tokens.append(word)
                continue
            kind, pool = SLOTS[word]
            filler = rng.choice([f for f in pool if f not in used])
            used.append(filler)
            entities.append({"type": kind, "start": len(tokens), "end": len(tokens) + len(filler)})
            tokens += filler
        rows.append({"id": f"{seed}-{number}", "tokens": tokens, "entities": entities,
                     "relations": [{"type": r, "head": h, "tail": t} for h, t, r in relations]})
    return rows


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT, timeout=600, check=False)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("conll04")
    for name, n, seed in (("train.jsonl", 96, 1), ("dev.jsonl", 30, 2)):
        (folder / name).write_text("".join(json.dumps(row) + "\n" for row in _sentences(n, seed)), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ner_model(tmp_path_factory: pytest.TempPathFactory, data: Path) -> Path:
    out = tmp_path_factory.mktemp("ner") / "conll04"
    train_ner(NerTrainArgs(out=out, base=str(packaged_encoder()), **TINY_NER), load_dataset(data / "train.jsonl"),
              load_dataset(data / "dev.jsonl"))
    return out


@pytest.fixture(scope="module")
def joint_model(tmp_path_factory: pytest.TempPathFactory, ner_model: Path, data: Path) -> Path:
    out = tmp_path_factory.mktemp("joint") / "conll04"
    train_joint(JointTrainArgs(out=out, ner_model=ner_model, redocred=None, train=data / "train.jsonl",
                               dev=data / "dev.jsonl", label_scheme="conll04", epochs=30, threads=2, quantize=False))
    return out


def test_the_folder_holds_the_datas_own_labels_and_a_card_with_the_data_and_its_counts(joint_model: Path,
                                                                                       data: Path) -> None:
    config = json.loads((joint_model / CONFIG_FILE).read_text())
    assert config["labels"] == ["no_relation", "Kill", "Live_In", "Located_In", "OrgBased_In", "Work_For"]
    assert config["version"].startswith("joint-conll04-") and config["ner_label_scheme"] == "conll04"
    assert config["extra"]["label_scheme"] == "conll04" and config["extra"]["quantized_encoder"] is False
    assert ["Person", "Organization"] in config["type_pairs"] and ["Person", "Person"] in config["type_pairs"]
    card = json.loads((joint_model / CARD_FILE).read_text())
    info = card["data"]["conll04"]
    rows = [json.loads(line) for line in (data / "train.jsonl").read_text().splitlines()]
    relations = Counter(r["type"] for row in rows for r in row["relations"])
    assert info["train"]["sentences"] == 96 and info["dev"]["sentences"] == 30
    assert info["train"]["relations"] == dict(sorted(relations.items()))
    assert info["train"]["entities"]["Peop"] == sum(e["type"] == "Peop" for row in rows for e in row["entities"])
    assert info["entity_classes"] == {"Loc": "Location", "Org": "Organization", "Other": "", "Peop": "Person"}
    assert info["train"]["same_file_as_ner_training"] is True
    assert "redocred" not in card["data"] and "sotu" not in card["data"]
    source = card["sources"]["train"]["conll04"]
    assert source["positive_pairs"] == sum(relations.values()) and source["negative_pairs"] > 0
    metrics = card["metrics"]
    assert metrics["dev_end_to_end"]["mode"] == "end_to_end" and metrics["dev_gold_entities"]["mode"] == "gold_entities"
    assert metrics["calibration"]["fitted_on"] == "dev" and card["best_epoch"] >= 1


def test_end_to_end_scores_come_from_the_ner_models_entities_and_the_heads_decisions(joint_model: Path,
                                                                                      ner_model: Path,
                                                                                      data: Path) -> None:
    gold, end_to_end, info = evaluate_labelled(joint_model, ner_model, data / "dev.jsonl")
    assert info["sentences"] == 30 and info["quantized_encoder"] is False and info["label_scheme"] == "conll04"
    assert gold.scores.f1 >= 0.8  # generated sentences: the head separates their relations with gold entities
    assert gold.scores.gold == end_to_end.scores.gold == 30
    # the same figures again from the models' own outputs, step by step
    examples = load_relation_dataset(data / "dev.jsonl").examples
    tagger = NerTagger.from_folder(ner_model)
    spans = tagger.predict([list(e.tokens) for e in examples])
    tagged = [e.with_entities(tuple((s.start, s.end, s.type) for s in found))
              for e, found in zip(examples, spans, strict=True)]
    assert end_to_end.entities["predicted"] == sum(len(set(t.entities)) for t in tagged) > 0
    head, config = load_joint(joint_model)
    predictor = JointPredictor(head, config, tagger, entity_classes("conll04"), ontology_is_a(load_ontology()))
    relations = predictor.predict(tagged)
    again = score_facts([e.facts() for e in examples],
                        [predicted_facts(t, r) for t, r in zip(tagged, relations, strict=True)])
    assert again == end_to_end.scores and again.predicted == sum(len(r) for r in relations)
    # strict: a predicted fact counts only when it is one of its sentence's gold facts, spans and types exact
    right = sum(len(predicted_facts(t, r) & e.facts()) for e, t, r in zip(examples, tagged, relations, strict=True))
    assert end_to_end.scores.correct == right
    retyped = [{((h[0], h[1], "Other"), o, label) for h, o, label in predicted_facts(t, r)}
               for t, r in zip(tagged, relations, strict=True)]
    assert score_facts([e.facts() for e in examples], retyped).correct == 0  # no gold subject is typed Other


def test_cli_trains_and_evaluates_on_labelled_sentences_with_json(ner_model: Path, joint_model: Path, data: Path,
                                                                   tmp_path: Path) -> None:
    evaluated = _run("evaluate", "joint", "--model", str(joint_model), "--ner-model", str(ner_model),
                     "--data", str(data / "dev.jsonl"), "--threads", "2", "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    gold, end_to_end, _ = evaluate_labelled(joint_model, ner_model, data / "dev.jsonl")
    assert result["end_to_end"]["scores"]["f1"] == end_to_end.scores.f1
    assert result["gold_entities"]["scores"]["f1"] == gold.scores.f1
    assert set(result["end_to_end"]["scores"]["per_relation"]) <= {"Kill", "Live_In", "Located_In", "OrgBased_In",
                                                                    "Work_For"}
    assert {"precision", "recall", "f1", "gold", "predicted"} <= result["end_to_end"]["entities"].keys()
    assert result["matching"].startswith("strict") and result["model_version"].startswith("joint-conll04-")

    out = tmp_path / "joint"
    trained = _run("train", "joint", "--out", str(out), "--ner-model", str(ner_model), "--train",
                   str(data / "train.jsonl"), "--dev", str(data / "dev.jsonl"), "--epochs", "5", "--threads", "2",
                   "--json")
    assert trained.returncode == 0, trained.stderr
    summary = json.loads(trained.stdout)
    assert summary["dev_end_to_end"]["scores"]["gold"] == 30 and summary["dev_gold_entities"]["mode"] == "gold_entities"
    assert summary["sources"]["train"]["conll04"]["sentences"] > 0 and (out / CONFIG_FILE).is_file()

    unknown = _run("train", "joint", "--out", str(tmp_path / "x"), "--ner-model", str(ner_model), "--train",
                   str(data / "train.jsonl"), "--label-scheme", "nonesuch", "--json")
    assert unknown.returncode == 1 and "E078" in json.loads(unknown.stdout)["error"]
    both = _run("train", "joint", "--out", str(tmp_path / "y"), "--ner-model", str(ner_model), "--train",
                str(data / "train.jsonl"), "--sotu", "data/samples/*.txt", "--json")
    assert both.returncode == 1 and "--train replaces" in json.loads(both.stdout)["error"]
