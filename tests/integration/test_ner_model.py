"""A tiny NER model trained in seconds on real Re-DocRED sentences: the folder, the card, evaluation,
reproducibility, the CLI and the recognizer inside the import pipeline."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import load_settings
from extraction.modeling.cards import CARD_FILE
from extraction.modeling.datasets import split_dataset
from extraction.modeling.encoder import packaged_encoder
from extraction.modeling.folder import HEAD_FILE
from extraction.ner.data import load_dataset
from extraction.ner.evaluate import evaluate_tagger
from extraction.ner.model import CONFIG_FILE
from extraction.ner.tagger import NerTagger
from extraction.ner.train import NerTrainArgs, train_ner
from extraction.records import Document, document_id
from service.components import build_services

PROJECT = Path(__file__).resolve().parents[2]
REDOCRED = PROJECT / "data" / "redocred" / "dev.json"
SOTU_2002 = PROJECT / "data" / "samples" / "2002_george_w_bush_r.txt"
TINY = {"epochs": 2, "batch_size": 16, "max_length": 64, "max_train_sentences": 160, "threads": 2}


@pytest.fixture(scope="module")
def parts():  # type: ignore[no-untyped-def]
    train, dev, test = split_dataset(load_dataset(REDOCRED), (0.7, 0.1, 0.2))
    small = lambda d, n: d.__class__(**{**d.__dict__, "examples": d.examples[:n]})
    return train, small(dev, 60), small(test, 60)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, parts) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("ner") / "tiny"
    train, dev, test = parts
    train_ner(NerTrainArgs(out=out, base=str(packaged_encoder()), label_scheme="redocred", **TINY), train, dev, test)
    return out


def test_the_model_folder_holds_weights_tokenizer_labels_and_card(tiny_model: Path) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", HEAD_FILE, CONFIG_FILE, CARD_FILE):
        assert (tiny_model / name).is_file(), name
    config = json.loads((tiny_model / CONFIG_FILE).read_text())
    assert config["labels"][0] == "O" and "B-PER" in config["labels"] and config["label_scheme"] == "redocred"
    card = json.loads((tiny_model / CARD_FILE).read_text())
    assert card["base_model"].endswith("model")
    assert len(card["data"]["train"]["sha256"]) == 64 and card["data"]["test"]["part"].startswith("documents 0.80")
    assert card["hyperparameters"]["epochs"] == 2 and card["hyperparameters"]["seed"] == 13
    assert 0.0 <= card["metrics"]["dev"]["f1"] <= 1.0 and card["metrics"]["test"]["words"] > 0
    assert card["training_seconds"] > 0 and "torch" in card["libraries"] and "transformers" in card["libraries"]


def test_training_is_reproducible_with_a_seed(tmp_path: Path, parts, tiny_model: Path) -> None:  # type: ignore[no-untyped-def]
    from safetensors.torch import load_file

    train, dev, _ = parts
    again = tmp_path / "again"
    train_ner(NerTrainArgs(out=again, base=str(packaged_encoder()), label_scheme="redocred", **TINY), train, dev)
    first, second = load_file(str(tiny_model / HEAD_FILE)), load_file(str(again / HEAD_FILE))
    assert first.keys() == second.keys()
    assert all(bool((first[k] == second[k]).all()) for k in first)


def test_a_tiny_model_already_finds_people_and_places(tiny_model: Path, parts) -> None:  # type: ignore[no-untyped-def]
    evaluation = evaluate_tagger(NerTagger.from_folder(tiny_model), parts[2].examples)
    assert evaluation.f1 > 0.2  # 160 sentences, 2 epochs; the real model is trained by `make models`
    assert evaluation.words_per_second > 0 and evaluation.unknown_types == {}


def test_types_the_model_does_not_know_are_reported(tiny_model: Path, tmp_path: Path) -> None:
    data = tmp_path / "law.jsonl"
    row = {"tokens": ["Congress", "passed", "the", "Family", "and", "Medical", "Leave", "Act", "."],
           "entities": [{"type": "ORG", "start": 0, "end": 1}, {"type": "LAW", "start": 3, "end": 8}]}
    data.write_text(json.dumps(row) + "\n", encoding="utf-8")
    evaluation = evaluate_tagger(NerTagger.from_folder(tiny_model), load_dataset(data).examples)
    assert evaluation.unknown_types == {"LAW": 1}  # counted as a miss, not a crash
    assert set(evaluation.ignored_predicted_types) == {"LOC", "MISC", "NUM", "PER", "TIME"}
    assert "LAW" in evaluation.per_type and evaluation.per_type["LAW"].recall == 0.0


def test_the_recognizer_adds_model_mentions_to_an_import(tiny_model: Path, tmp_path: Path) -> None:
    # a tiny model is unsure of itself: keep every span it finds (the product default is 0.5)
    settings = load_settings(data_dir=tmp_path / "data", models={"ner_model": tiny_model, "min_entity_confidence": 0},
                             pipeline={"recognizers": ["gazetteer", "transformer"]})
    services = build_services(settings)
    text = SOTU_2002.read_text(encoding="utf-8")[:4000]
    document = Document(id=document_id(text), text=text, title="2002", source_path=str(SOTU_2002),
                        source_name=SOTU_2002.name, format="txt")
    graph = services.pipeline.run(document)
    by_extractor = {m.extractor.name for m in graph.mentions}
    assert "ner" in by_extractor
    for mention in graph.mentions:
        assert text[mention.start:mention.end] == mention.text
        assert services.ontology.has_class(mention.type)
    model_mentions = [m for m in graph.mentions if m.extractor.name == "ner"]
    assert all(m.confidence >= settings.models.min_entity_confidence for m in model_mentions)
    assert all(m.extractor.version.startswith("redocred-") for m in model_mentions)
    services.close()


def test_the_transformer_recognizer_without_a_model_is_a_clear_error(tmp_path: Path) -> None:
    from extraction.errors import ConfigError

    settings = load_settings(data_dir=tmp_path / "data", models={"ner_model": tmp_path / "missing"},
                             pipeline={"recognizers": ["gazetteer", "transformer"]})
    with pytest.raises(ConfigError, match=r"\[E056\].*make models"):
        build_services(settings).pipeline  # noqa: B018


def test_cli_evaluate_and_bench_print_json(tiny_model: Path) -> None:
    data = PROJECT / "tests" / "fixtures" / "ner" / "sotu_spans.jsonl"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "cli", *a], capture_output=True, text=True,
                                    env=env, cwd=PROJECT, timeout=300)
    evaluated = run("evaluate", "ner", "--model", str(tiny_model), "--data", str(data), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    assert {"precision", "recall", "f1", "per_type", "words_per_second"} <= result.keys() and result["words"] == 25
    bench = run("bench", "ner", "--model", str(tiny_model), "--data", str(data), "--json")
    assert bench.returncode == 0, bench.stderr
    figures = json.loads(bench.stdout)
    assert figures["fp32"]["words_per_second"] > 0 and figures["int8"]["words_per_second"] > 0
    missing = run("evaluate", "ner", "--model", str(tiny_model.parent / "nope"), "--data", str(data), "--json")
    assert missing.returncode == 1 and "E053" in json.loads(missing.stdout)["error"]


def test_int8_quantizes_the_encoder_projections_and_keeps_the_classifier(tiny_model: Path) -> None:
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as Int8Linear

    tagger = NerTagger.from_folder(tiny_model, quantize=True)
    modules = dict(tagger.model.named_modules())
    assert isinstance(modules["encoder.encoder.layer.0.attention.self.query"], Int8Linear)
    assert isinstance(modules["encoder.encoder.layer.0.intermediate.dense"], Int8Linear)
    assert type(modules["classifier"]) is torch.nn.Linear
    assert type(modules["encoder.encoder.layer.0.output.dense"]) is torch.nn.Linear
    assert tagger.predict([["President", "Bush", "spoke", "in", "Washington", "."]])[0] is not None
