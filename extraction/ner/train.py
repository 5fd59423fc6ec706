"""Fine-tuning a token classifier (the transformers `run_ner.py` way: argument dataclass, seed, seqeval, card)."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from extraction.modeling.cards import hyperparameters, model_version, write_card
from extraction.modeling.devices import resolve_device, to_device
from extraction.modeling.encoder import load_encoder
from extraction.modeling.fit import EpochCallback, StepCallback, fine_tune, prepare_run
from extraction.modeling.folder import save_model
from extraction.ner.data import NerDataset, NerExample
from extraction.ner.evaluate import NerEvaluation, evaluate_tagger
from extraction.ner.features import Window, WordPieces, build_windows, collate
from extraction.ner.model import NerConfig, TokenClassifier
from extraction.ner.tagger import NerTagger
from extraction.ner.tags import labels_for


@dataclass
class NerTrainArgs:
    out: Path = field(metadata={"help": "Model folder to write."})
    base: str = field(metadata={"help": "Local HF model folder or hub name (default: the packaged all-MiniLM-L6-v2)."})
    epochs: int = field(default=4, metadata={"min": 1})
    lr: float = field(default=1e-4, metadata={"help": "Encoder learning rate."})
    # the new shape embedding and head learn faster than the pretrained encoder
    shape_lr: float = field(default=1e-3, metadata={"help": "Learning rate of the new layers (shape embedding, head)."})
    batch_size: int = field(default=32, metadata={"min": 1})
    max_length: int = field(default=128, metadata={"min": 16, "help": "Word pieces per window."})
    seed: int = 13
    warmup: float = 0.1
    weight_decay: float = 0.01
    patience: int = field(default=2, metadata={"min": 1, "help": "Epochs without a better dev F1 before stopping."})
    shape_features: bool = field(default=True, metadata={"help": "Learned word-shape (casing) embedding."})
    context_tokens: int = field(default=0, metadata={"min": 0, "help": "Word pieces of document context each side."})
    label_scheme: str = field(default="", metadata={
        "help": "Ontology mapping scheme of the labels (conll2003, conll04, redocred, …)."})
    threads: int | None = None
    max_train_sentences: int | None = field(default=None, metadata={  # for quick runs and tests
        "option": "--max-sentences", "min": 1, "help": "Use only the first N training sentences."})
    device: str = "auto"  # auto: cuda when available, else cpu; the saved model loads on the CPU


@dataclass
class EpochResult:
    epoch: int
    loss: float
    seconds: float
    dev: NerEvaluation | None


@dataclass
class NerTrainResult:
    out: Path
    epochs: list[EpochResult]
    best_epoch: int
    best_dev: NerEvaluation | None
    seconds: float
    labels: list[str] = field(default_factory=list)
    test: NerEvaluation | None = None  # the held-out part, when the data was split


def train_ner(
    args: NerTrainArgs,
    train: NerDataset,
    dev: NerDataset | None,
    test: NerDataset | None = None,
    on_step: StepCallback | None = None,
    on_epoch: EpochCallback | None = None,
) -> NerTrainResult:
    started = time.perf_counter()
    prepare_run(args.seed, args.threads)
    device = resolve_device(args.device)
    examples = train.examples[: args.max_train_sentences] if args.max_train_sentences else train.examples
    types = sorted(set().union(*(e.types for e in examples)))
    labels = labels_for(types)
    index = {label: i for i, label in enumerate(labels)}
    encoder, tokenizer = load_encoder(args.base)
    model = TokenClassifier(encoder, len(labels), args.shape_features).to(device)
    config = NerConfig(labels=labels, label_scheme=args.label_scheme, shape_features=args.shape_features,
                       max_length=args.max_length, context_tokens=args.context_tokens)
    pieces = WordPieces(tokenizer)
    windows = _windows(examples, pieces, config, index)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)

    def step_loss(batch: list[Window]) -> torch.Tensor:
        tensors = to_device(collate(batch, pieces.pad), device)
        logits = model(tensors["input_ids"], tensors["attention_mask"], tensors["shape_ids"])
        return loss_fn(logits.view(-1, logits.size(-1)), tensors["labels"].view(-1))

    history, best_epoch = fine_tune(
        model, args, windows, step_loss,
        evaluate=lambda: evaluate_tagger(NerTagger(model, tokenizer, config), dev.examples)
        if dev is not None else None,
        score=lambda evaluation: evaluation.f1, make_result=EpochResult, on_step=on_step, on_epoch=on_epoch)
    best_dev = history[best_epoch - 1].dev
    seconds = round(time.perf_counter() - started, 1)
    tested = evaluate_tagger(NerTagger(model, tokenizer, config), test.examples) if test is not None else None
    config.version = model_version(args.label_scheme or "ner", train.sha256, args.seed)
    model.to("cpu")
    save_model(model, tokenizer, config, args.out)
    write_card(args.out, kind="ner", base=args.base, config=asdict(config),
               hyperparameters=hyperparameters(args),
               data={"train": train, "dev": dev, "test": test},
               metrics={"dev": asdict(best_dev) if best_dev else None, "test": asdict(tested) if tested else None},
               history=[{"epoch": h.epoch, "loss": h.loss, "seconds": h.seconds,
                         "dev_f1": h.dev.f1 if h.dev else None} for h in history],
               best_epoch=best_epoch, seconds=seconds, device=str(device))
    return NerTrainResult(args.out, history, best_epoch, best_dev, seconds, labels, tested)


def _windows(examples: list[NerExample], pieces: WordPieces, config: NerConfig,
             index: dict[str, int]) -> list[Window]:
    labels = [[index[t] for t in e.tags] for e in examples]
    return build_windows([list(e.tokens) for e in examples], pieces, config.max_length,
                         [e.document for e in examples], config.context_tokens, labels)

