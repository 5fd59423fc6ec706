"""The joint relation head, trained in seconds over a tiny NER model on real Re-DocRED sentences and a few
government sentences the rule layer and the shipped records label: the shared encodings, the folder and
card, the NER-version guard, facts with provenance through the import path on both stores, the fallback
when the NER model did not run, and the CLI (`train joint`, `evaluate joint`) as real processes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.settings import load_settings
from extraction.errors import ModelError
from extraction.modeling.cards import CARD_FILE
from extraction.modeling.datasets import split_dataset
from extraction.modeling.encoder import packaged_encoder
from extraction.ner.data import load_dataset
from extraction.ner.encodings import (
    WordEncodingCache,
    close_cache,
    encoding_cache,
    open_cache,
)
from extraction.ner.tagger import NerTagger
from extraction.ner.train import NerTrainArgs, train_ner
from extraction.relations.joint.model import (
    CONFIG_FILE,
    WEIGHTS_FILE,
    head_logits,
    load_joint,
    ner_version_of,
)
from extraction.relations.joint.train import JointTrainArgs, train_joint
from graph.store import GraphStore
from service.components import Services, build_labelling_pipeline, build_services

PROJECT = Path(__file__).resolve().parents[2]
REDOCRED = PROJECT / "data" / "redocred" / "dev.json"
TINY_NER = {"epochs": 2, "batch_size": 16, "max_length": 64, "max_train_sentences": 160, "threads": 2}
# current members of Congress with their states, a committee and a party: the rule layer ("Senator X of Y")
# and the shipped records (legislators-current.yaml, committee-membership-current.yaml) label these pairs
GOVERNMENT = """Senator Chuck Grassley of Iowa spoke about farm policy on Tuesday.
Senator Joni Ernst of Iowa joined the Senate Committee on Armed Services hearing.
Senator Maria Cantwell of Washington asked about broadband in rural areas.
Senator Charles E. Schumer of New York met the Department of Defense.
The Department of Defense has offices in Virginia and California.
"""
IMPORTED = "Senator Chuck Grassley of Iowa and Senator Maria Cantwell of Washington met on Monday.\n"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT, timeout=600, check=False)


@pytest.fixture(scope="module")
def ner_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ner") / "tiny"
    train, dev, test = split_dataset(load_dataset(REDOCRED), (0.7, 0.1, 0.2))
    small = lambda d, n: d.__class__(**{**d.__dict__, "examples": d.examples[:n]})
    train_ner(NerTrainArgs(out=out, base=str(packaged_encoder()), label_scheme="redocred", **TINY_NER),
              train, small(dev, 40), small(test, 40))
    return out


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("documents")
    (folder / "government.txt").write_text(GOVERNMENT, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def joint_model(tmp_path_factory: pytest.TempPathFactory, ner_model: Path, documents: Path) -> Path:
    out = tmp_path_factory.mktemp("joint") / "tiny"
    train_joint(JointTrainArgs(out=out, ner_model=ner_model, sotu=[str(documents / "*.txt")],
                               max_redocred_documents=40, epochs=40, threads=2, sotu_dev_fraction=0.0),
                labeler=build_labelling_pipeline)
    return out


# -- the shared encodings ---------------------------------------------------------------------------------
def test_the_encoding_cache_is_bounded_by_words_and_drops_the_least_recently_used() -> None:
    cache = WordEncodingCache("v", max_words=5)
    a, b, c = ("a", "b"), ("c", "d"), ("e", "f")
    cache.put(a, np.zeros((2, 3), dtype=np.float32))
    cache.put(b, np.ones((2, 3), dtype=np.float32))
    assert cache.get(a) is not None  # a is now the most recently used
    cache.put(c, np.ones((2, 3), dtype=np.float32))  # 6 words > 5: b goes
    assert b not in cache and a in cache and c in cache and cache.words == 4
    cache.put(("x",), np.ones((2, 3), dtype=np.float32))  # words and rows disagree: not kept
    assert ("x",) not in cache
    assert open_cache("never-opened") is None
    assert encoding_cache("v-test") is encoding_cache("v-test")
    close_cache("v-test")


def test_the_tagger_keeps_word_encodings_without_changing_its_output(ner_model: Path) -> None:
    tagger = NerTagger.from_folder(ner_model)
    long = ("The Senate Committee on Armed Services met in Washington with the Secretary of Defense , "
            "and the antidisestablishmentarianism debate went on " * 4).split()  # several windows at 64 pieces
    sentences = [["President", "Bush", "spoke", "in", "Washington", "."], long]
    before = tagger.predict(sentences)
    assert open_cache(tagger.version) is None
    cache = encoding_cache(tagger.version)  # a consumer opens the cache: the tagger now keeps encodings
    try:
        assert tagger.predict(sentences) == before
        assert len(cache) == 2
        kept = cache.get(long)
        assert kept is not None and kept.shape == (len(long), tagger.hidden_size) and kept.dtype == np.float32
        assert (np.abs(kept).sum(axis=1) > 0).all()  # every word, in whichever window was its core
        again = tagger.word_encodings(sentences)
        assert np.allclose(again[1], kept, atol=1e-5)
    finally:
        close_cache(tagger.version)


# -- training, the folder, loading ------------------------------------------------------------------------
def test_the_folder_holds_config_weights_and_a_card_with_sources_and_counts(joint_model: Path,
                                                                             ner_model: Path) -> None:
    for name in (CONFIG_FILE, WEIGHTS_FILE, CARD_FILE):
        assert (joint_model / name).is_file(), name
    config = json.loads((joint_model / CONFIG_FILE).read_text())
    assert config["labels"][0] == "no_relation" and "represents" in config["labels"]
    assert config["ner_version"] == ner_version_of(ner_model) and config["version"].startswith("joint-")
    assert ["Person", "Location"] in config["type_pairs"] and config["temperature"] > 0
    card = json.loads((joint_model / CARD_FILE).read_text())
    assert card["kind"] == "joint-relation" and card["ner_model"]["version"] == config["ner_version"]
    train = card["sources"]["train"]
    assert {"redocred", "patterns", "records"} <= train.keys()
    assert train["patterns"]["per_predicate"]["represents"] >= 3  # "Senator X of <state>"
    assert train["records"]["per_predicate"]["represents"] >= 3 and train["records"]["per_predicate"]["memberOf"] >= 1
    assert train["redocred"]["positive_pairs"] > 0 and train["redocred"]["negative_pairs"] > 0
    assert card["data"]["redocred"]["split"] == [0.7, 0.1, 0.2] and card["data"]["redocred"]["split_seed"] == 13
    assert card["data"]["records"]["record_facts"]["represents"] > 500
    test = card["metrics"]["test_gold_entities"]["scores"]
    assert test["gold"] > 0 and "per_relation" in test
    assert card["hyperparameters"]["seed"] == 13 and card["training_seconds"] > 0 and "torch" in card["libraries"]


def test_a_saved_head_loads_to_the_same_logits_and_refuses_another_ner_model(joint_model: Path, ner_model: Path,
                                                                             tmp_path: Path) -> None:
    from safetensors.torch import load_file

    head, config = load_joint(joint_model, ner_version_of(ner_model))
    weights = load_file(str(joint_model / WEIGHTS_FILE))
    assert all(bool((head.state_dict()[k] == v).all()) for k, v in weights.items())
    rng = np.random.default_rng(0)
    features = rng.normal(size=(3, 3 * config.hidden_size)).astype(np.float32)
    classes, distances = np.array([[1, 0, 3, 5]] * 3), np.array([10, 11, 12])
    again, _ = load_joint(joint_model)
    assert np.allclose(head_logits(head, features, classes, distances),
                       head_logits(again, features, classes, distances))
    other = tmp_path / "other"
    shutil.copytree(joint_model, other)
    changed = json.loads((other / CONFIG_FILE).read_text())
    changed["ner_version"] = "redocred-00000000-s1-000000000000"
    (other / CONFIG_FILE).write_text(json.dumps(changed))
    with pytest.raises(ModelError, match=r"\[E065\].*trained on the encodings of NER model"):
        load_joint(other, ner_version_of(ner_model))


# -- the pipeline and the import path ---------------------------------------------------------------------
def _services(tmp_path: Path, ner_model: Path, joint_model: Path, recognizers: list[str],
              store: GraphStore | None = None) -> Services:
    """Services whose pipeline has the joint extractor. Once settings have `models.joint_model` (the
    lead's wiring) they build it; until then the same components are built here from the same settings."""
    from core.settings import ModelSettings

    models: dict[str, object] = {"ner_model": ner_model}
    wired = "joint_model" in ModelSettings.model_fields
    if wired:
        models["joint_model"] = joint_model
    settings = load_settings(data_dir=tmp_path / "data", models=models,
                             pipeline={"recognizers": recognizers, "relation_extractors": ["patterns", "joint"],
                                       "min_fact_confidence": 0.5})
    services = build_services(settings)
    if store is not None:
        services.__dict__["store"] = store  # the fixture's store (SQLite or Neo4j)
    if not wired:
        from extraction.builtin import Resources
        from extraction.pipeline import Pipeline

        conf, model_conf = settings.pipeline, settings.models
        resources = Resources(
            gazetteer_dir=PROJECT / "data" / "gazetteers", is_a=services.is_a, check_fact=services.ontology.check_fact,
            min_fact_confidence=conf.min_fact_confidence, ner_model=services.ner_model,
            map_entity_label=services.ontology.map_entity_label, min_entity_confidence=model_conf.min_entity_confidence,
            model_batch_size=model_conf.batch_size, quantize=model_conf.quantize,
            map_relation_label=services.ontology.map_relation_label,
            min_relation_candidate=model_conf.min_relation_candidate, joint_model=joint_model)
        services.__dict__["pipeline"] = Pipeline.from_config(conf.segmenter, services.recognizers, conf.resolver,
                                                             services.relation_extractors, conf.validator, resources)
    return services


def _joint(services: Services):  # type: ignore[no-untyped-def]
    from extraction.relations.joint.extractor import JointRelationExtractor

    return next(e for e in services.pipeline.relation_extractors if isinstance(e, JointRelationExtractor))


def test_the_import_path_writes_joint_facts_with_provenance(store: GraphStore, ner_model: Path, joint_model: Path,
                                                            tmp_path: Path) -> None:
    close_cache(ner_version_of(ner_model))
    services = _services(tmp_path, ner_model, joint_model, ["gazetteer", "transformer"], store)
    path = tmp_path / "meeting.txt"
    path.write_text(IMPORTED, encoding="utf-8")
    report = services.importer(department="Executive Office of the President").import_paths([path])
    assert report.ok and report.documents_ok == 1
    joint = _joint(services)
    assert joint.encoded_here == 0 and joint.cache.hits > 0  # the NER pass's encodings, not a second pass
    version = json.loads((joint_model / CONFIG_FILE).read_text())["version"]
    (graph,) = list(store.iter_document_graphs())
    by_joint = [(f, p) for f in graph.facts for p in f.provenance if p.extractor.name == "joint"]
    assert by_joint, "the joint head wrote no fact"
    for fact, provenance in by_joint:
        assert provenance.extractor.version == version and provenance.document_id == graph.document.id
        assert fact.confidence >= 0.5 and 0 < provenance.confidence <= 1
        assert services.ontology.has_predicate(fact.predicate)
    said = {(IMPORTED[p.subject_start:p.subject_end], f.predicate, IMPORTED[p.object_start:p.object_end])
            for f, p in by_joint}
    assert ("Chuck Grassley", "represents", "Iowa") in said


def test_without_the_ner_recognizer_the_head_encodes_the_sentences_itself(ner_model: Path, joint_model: Path,
                                                                          tmp_path: Path) -> None:
    from extraction.records import Document, document_id

    close_cache(ner_version_of(ner_model))
    services = _services(tmp_path, ner_model, joint_model, ["gazetteer"])
    document = Document(id=document_id(IMPORTED), text=IMPORTED, title="t", source_path="t.txt",
                        source_name="t.txt", format="txt")
    graph = services.pipeline.run(document)
    joint = _joint(services)
    assert joint.encoded_here == 1  # the one sentence with two entities, encoded here rather than skipped
    assert any(p.extractor.name == "joint" for f in graph.facts for p in f.provenance)


def test_a_missing_joint_model_is_a_clear_error(tmp_path: Path, ner_model: Path) -> None:
    from extraction.builtin import Resources
    from extraction.errors import ConfigError
    from extraction.registry import create

    resources = Resources(gazetteer_dir=PROJECT / "data" / "gazetteers", is_a=lambda a, b: a == b,
                          check_fact=lambda s, p, o: None, ner_model=ner_model, joint_model=tmp_path / "missing")
    with pytest.raises(ConfigError, match=r"\[E064\].*govkg train joint"):
        create("relation_extractor", "joint", resources)


# -- the command line -------------------------------------------------------------------------------------
def test_cli_train_and_evaluate_joint_print_json(ner_model: Path, documents: Path, joint_model: Path,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "cli"
    trained = _run("train", "joint", "--out", str(out), "--ner-model", str(ner_model), "--sotu",
                   str(documents / "*.txt"), "--max-documents", "20", "--epochs", "3", "--threads", "2", "--json")
    assert trained.returncode == 0, trained.stderr
    summary = json.loads(trained.stdout)
    assert summary["best_epoch"] >= 1 and "represents" in summary["labels"]
    assert summary["sources"]["train"]["records"]["positive_pairs"] > 0
    evaluated = _run("evaluate", "joint", "--model", str(joint_model), "--ner-model", str(ner_model), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    scores = result["gold_entities"]["scores"]
    assert result["part"] == "test" and result["documents"] > 50 and scores["gold"] > 100
    assert {"precision", "recall", "f1", "macro_f1", "per_relation"} <= scores.keys()
    missing = _run("evaluate", "joint", "--model", str(tmp_path / "nope"), "--ner-model", str(ner_model), "--json")
    assert missing.returncode == 1 and "E053" in json.loads(missing.stdout)["error"]
