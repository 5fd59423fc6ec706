"""A tiny relation model trained in seconds on real Re-DocRED sentences: the folder and card, scores
with gold and with predicted entities, reproducibility, facts with provenance in the import
pipeline, the CLI (`evaluate re`, `bench extract`) as real processes, and the missing-model error."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from core.settings import load_settings
from extraction.modeling.cards import CARD_FILE
from extraction.modeling.datasets import split_dataset
from extraction.modeling.encoder import packaged_encoder
from extraction.modeling.folder import HEAD_FILE
from extraction.ner.tagger import TaggedSpan
from extraction.records import Document, document_id
from extraction.relations.data import load_relation_dataset
from extraction.relations.evaluate import evaluate_end_to_end, evaluate_gold_entities
from extraction.relations.model import CONFIG_FILE
from extraction.relations.predictor import RelationPredictor
from extraction.relations.train import RelationTrainArgs, train_re
from service.components import build_services

PROJECT = Path(__file__).resolve().parents[2]
REDOCRED = PROJECT / "data" / "redocred" / "dev.json"
KEEP = ["P17", "P131", "P27", "P108", "P463", "P102"]  # country, located in, citizen, employer, member, party
TINY = {"epochs": 6, "batch_size": 4, "max_length": 64, "threads": 2, "label_scheme": "redocred",
        "lr": 3e-4, "shape_lr": 3e-3, "warmup": 0.0}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT, timeout=300)


@pytest.fixture(scope="module")
def parts():  # type: ignore[no-untyped-def]
    train, dev, test = split_dataset(load_relation_dataset(REDOCRED, keep=KEEP), (0.7, 0.1, 0.2))  # type: ignore[arg-type]
    labelled = [e for e in train.examples if e.relations and len(e.tokens) <= 32][:24]
    return replace(train, examples=labelled), replace(dev, examples=dev.examples[:16]), \
        replace(test, examples=test.examples[:16])


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, parts) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("re") / "tiny"
    train, dev, test = parts
    train_re(RelationTrainArgs(out=out, base=str(packaged_encoder()), **TINY), train, dev, test)
    return out


def test_the_model_folder_holds_weights_markers_labels_calibration_and_card(tiny_model: Path) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", HEAD_FILE, CONFIG_FILE, CARD_FILE):
        assert (tiny_model / name).is_file(), name
    config = json.loads((tiny_model / CONFIG_FILE).read_text())
    assert config["labels"][0] == "no_relation" and set(config["labels"][1:]) <= set(KEEP)
    assert config["entity_types"][-1] == "?" and len(config["marker_tokens"]) == 2 * len(config["entity_types"])
    assert ["LOC", "LOC"] in config["type_pairs"] and config["temperature"] > 0
    assert config["version"].startswith("re-redocred-")
    card = json.loads((tiny_model / CARD_FILE).read_text())
    assert card["kind"] == "relation" and card["hyperparameters"]["epochs"] == 6
    assert card["data"]["test"]["part"].startswith("documents 0.80") and len(card["data"]["train"]["sha256"]) == 64
    calibration = card["metrics"]["calibration"]
    assert calibration["fitted_on"] == "dev" and calibration["before"]["bins"] == 15
    assert 0 <= calibration["after"]["ece_all_pairs"] <= 1
    assert card["metrics"]["test_gold_entities"]["scores"]["gold"] > 0


def test_a_tiny_model_learns_its_training_sample(tiny_model: Path, parts) -> None:  # type: ignore[no-untyped-def]
    evaluation = evaluate_gold_entities(RelationPredictor.from_folder(tiny_model), parts[0].examples)
    assert evaluation.scores.f1 > 0.2  # 24 texts, 6 epochs; the real model is trained by `make models`
    assert evaluation.words_per_second > 0


def test_end_to_end_scores_are_strict_about_entities(tiny_model: Path, parts) -> None:  # type: ignore[no-untyped-def]
    predictor = RelationPredictor.from_folder(tiny_model)
    examples = parts[0].examples

    class Oracle:  # an NER "model" that returns the gold entities, or gold entities with other types
        def __init__(self, retype: bool) -> None:
            self.retype = retype

        def predict(self, sentences, documents=None):  # type: ignore[no-untyped-def]
            found = {tuple(e.tokens): e.entities for e in examples}
            return [[TaggedSpan(s, e, "WRONG" if self.retype else t, 1.0) for s, e, t in found[tuple(words)]]
                    for words in sentences]

    gold = evaluate_gold_entities(predictor, examples)
    perfect = evaluate_end_to_end(predictor, Oracle(False), examples)
    assert perfect.entities["f1"] == 1.0
    assert perfect.scores.gold == gold.scores.gold and perfect.scores.correct >= gold.scores.correct * 0.9
    retyped = evaluate_end_to_end(predictor, Oracle(True), examples)
    assert retyped.scores.correct == 0 and retyped.entities["f1"] == 0.0  # right spans, wrong types: no fact counts


def test_training_is_reproducible_with_a_seed(tmp_path: Path, parts) -> None:  # type: ignore[no-untyped-def]
    from safetensors.torch import load_file

    train, dev, _ = parts
    small = replace(train, examples=train.examples[:8])
    quick = {**TINY, "epochs": 1}
    heads = []
    for name in ("one", "two"):
        train_re(RelationTrainArgs(out=tmp_path / name, base=str(packaged_encoder()), **quick), small, None)
        heads.append(load_file(str(tmp_path / name / HEAD_FILE)))
    assert heads[0].keys() == heads[1].keys()
    assert all(bool((heads[0][k] == heads[1][k]).all()) for k in heads[0])


def test_the_pipeline_writes_model_facts_with_provenance_and_flags_low_confidence(tiny_model: Path,
                                                                                 tmp_path: Path) -> None:
    # a tiny model is unsure of itself: keep every pair as at least a candidate
    settings = load_settings(data_dir=tmp_path / "data", models={"re_model": tiny_model, "min_relation_candidate": 0},
                             pipeline={"recognizers": ["gazetteer"], "relation_extractors": ["patterns", "transformer"],
                                       "min_fact_confidence": 0.5})
    services = build_services(settings)
    text = ("The United States, Mexico and Canada met in Texas. The Department of Defense has offices in "
            "Virginia and California. Ohio is a state of the United States.")  # gazetteer entities, 2+ a sentence
    document = Document(id=document_id(text), text=text, title="t", source_path="t.txt", source_name="t.txt",
                        format="txt")
    graph = services.pipeline.run(document)
    mentions = {(m.start, m.end) for m in graph.mentions}
    model_facts = [f for f in graph.facts if any(p.extractor.name == "relations" for p in f.provenance)]
    held = [c for c in graph.candidates if any(p.extractor.name == "relations" for p in c.fact.provenance)]
    assert held, "the model's pairs below the threshold must be kept as candidates"
    assert any(c.status == "low_confidence" for c in held)
    for fact in model_facts + [c.fact for c in held]:
        for provenance in fact.provenance:
            if provenance.extractor.name != "relations":
                continue
            assert provenance.extractor.version.startswith("re-redocred-") and provenance.document_id == document.id
            assert (provenance.subject_start, provenance.subject_end) in mentions
            assert (provenance.object_start, provenance.object_end) in mentions
            assert 0 <= provenance.sentence_index < len(graph.sentences)
        assert services.ontology.has_predicate(fact.predicate)
    assert all(f.confidence >= 0.5 for f in model_facts)
    assert all(c.fact.confidence < 0.5 for c in held if c.status == "low_confidence")
    services.close()


def test_the_transformer_relation_extractor_without_a_model_is_a_clear_error(tmp_path: Path) -> None:
    from extraction.errors import ConfigError

    settings = load_settings(data_dir=tmp_path / "data", models={"re_model": tmp_path / "missing"},
                             pipeline={"relation_extractors": ["patterns", "transformer"]})
    with pytest.raises(ConfigError, match=r"\[E061\].*make models"):
        build_services(settings).pipeline  # noqa: B018


def test_the_typed_marker_model_is_used_only_when_named(tiny_model: Path, tmp_path: Path) -> None:
    nothing = tmp_path / "nope"
    settings = load_settings(data_dir=tmp_path / "data", pipeline={"relation_extractors": None},
                             models={"re_model": tiny_model, "joint_model": nothing, "ner_model": nothing})
    assert build_services(settings).relation_extractors == ["patterns"]
    settings = load_settings(data_dir=tmp_path / "data", models={"re_model": tiny_model},
                             pipeline={"relation_extractors": ["patterns", "transformer"]})
    assert build_services(settings).relation_extractors == ["patterns", "transformer"]


def test_cli_evaluate_re_and_bench_extract_print_json(tiny_model: Path, tmp_path: Path) -> None:
    data = tmp_path / "three.json"
    data.write_text(json.dumps(json.loads(REDOCRED.read_text(encoding="utf-8"))[:3]), encoding="utf-8")
    evaluated = _run("evaluate", "re", "--model", str(tiny_model), "--data", str(data), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    scores = result["gold_entities"]["scores"]
    assert {"precision", "recall", "f1", "macro_f1", "per_relation"} <= scores.keys() and scores["gold"] > 0
    assert result["model_version"].startswith("re-redocred-")
    assert result["gold_entities"]["calibration"]["bins"] == 15  # ECE with the model's temperature
    bench = _run("bench", "extract", "--data", str(PROJECT / "tests" / "fixtures" / "docs" / "2003_bush_excerpt.txt"),
                 "--re-model", str(tiny_model), "--json")
    assert bench.returncode == 0, bench.stderr
    figures = json.loads(bench.stdout)
    assert figures["documents"] == 1 and figures["relation_extractors"] == ["patterns", "transformer"]
    ner, ner_re = figures["ner"], figures["ner_re"]
    assert ner["words"] == ner_re["words"] > 100 and ner["words_per_second"] > 0 and ner_re["words_per_second"] > 0
    assert ner["relation_extractors"] == [] and ner["facts"] == 0
    assert ner_re["relation_extractors"] == ["patterns", "relations"]
    assert figures["ratio"] == round(ner_re["words_per_second"] / ner["words_per_second"], 3)
    assert figures["peak_memory_mib"] > 0 and figures["cpu"]
    missing = _run("evaluate", "re", "--model", str(tmp_path / "nope"), "--data", str(data), "--json")
    assert missing.returncode == 1 and "E053" in json.loads(missing.stdout)["error"]
