"""Fine-tuning a token classifier (the transformers `run_ner.py` way: argument dataclass, seed, seqeval, card)."""
from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from extraction.ner.card import hyperparameters, model_version, write_card
from extraction.ner.data import NerDataset, NerExample
from extraction.ner.evaluate import NerEvaluation, evaluate_tagger
from extraction.ner.features import Window, WordPieces, build_windows, collate
from extraction.ner.model import NerConfig, TokenClassifier, load_encoder, resolve_device, save_model, to_device
from extraction.ner.tagger import NerTagger
from extraction.ner.tags import labels_for


@dataclass
class NerTrainArgs:
    out: Path
    base: str
    epochs: int = 4
    lr: float = 1e-4
    shape_lr: float = 1e-3  # the new shape embedding and head learn faster than the pretrained encoder
    batch_size: int = 32
    max_length: int = 128
    seed: int = 13
    warmup: float = 0.1
    weight_decay: float = 0.01
    patience: int = 2  # epochs without a better dev F1 before stopping
    shape_features: bool = True
    context_tokens: int = 0
    label_scheme: str = ""
    threads: int | None = None
    max_train_sentences: int | None = None  # for quick runs and tests
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


StepCallback = Callable[[int, int, float], None]  # (step, total steps, running loss)
EpochCallback = Callable[[EpochResult], None]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_ner(
    args: NerTrainArgs,
    train: NerDataset,
    dev: NerDataset | None,
    test: NerDataset | None = None,
    on_step: StepCallback | None = None,
    on_epoch: EpochCallback | None = None,
) -> NerTrainResult:
    started = time.perf_counter()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    seed_everything(args.seed)
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

    history, best_epoch = fit(
        model, args, windows, step_loss,
        evaluate=lambda: evaluate_tagger(NerTagger(model, tokenizer, config), dev.examples) if dev is not None else None,
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


def fit(model: torch.nn.Module, args, items: list, step_loss: Callable[[list], torch.Tensor],  # type: ignore[no-untyped-def]
        evaluate: Callable[[], object], score: Callable[[object], float], make_result: Callable[..., object],
        on_step: StepCallback | None = None, on_epoch: Callable | None = None) -> tuple[list, int]:  # type: ignore[type-arg]
    """The fine-tuning loop the models share: AdamW with a faster rate for the new layers, linear
    warmup and decay, shuffled length-bucketed batches, gradient clipping, and early stopping on the
    dev score (`patience` epochs); the best epoch's weights are loaded back. Returns the epoch
    results (`make_result(epoch, loss, seconds, evaluation)`) and the best epoch."""
    batches_per_epoch = (len(items) + args.batch_size - 1) // args.batch_size
    total = batches_per_epoch * args.epochs
    optimizer = torch.optim.AdamW(parameter_groups(model, args), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, linear_schedule(total, int(total * args.warmup)))
    rng = random.Random(args.seed)
    history: list = []  # type: ignore[type-arg]
    best: tuple[float, int, dict[str, torch.Tensor]] | None = None
    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        epoch_started = time.perf_counter()
        running = 0.0
        for batch in length_bucketed_batches(items, args.batch_size, rng):
            loss = step_loss(batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if on_step:
                on_step(step, total, running)
        model.eval()
        evaluation = evaluate()
        result = make_result(epoch, round(running, 4), round(time.perf_counter() - epoch_started, 1), evaluation)
        history.append(result)
        if on_epoch:
            on_epoch(result)
        value = score(evaluation) if evaluation is not None else float(epoch)
        if best is None or value > best[0]:
            best = (value, epoch, copy.deepcopy(model.state_dict()))
        elif epoch - best[1] >= args.patience:
            break
    assert best is not None
    model.load_state_dict(best[2])
    model.eval()
    return history, best[1]


def _windows(examples: list[NerExample], pieces: WordPieces, config: NerConfig,
             index: dict[str, int]) -> list[Window]:
    labels = [[index[t] for t in e.tags] for e in examples]
    return build_windows([list(e.tokens) for e in examples], pieces, config.max_length,
                         [e.document for e in examples], config.context_tokens, labels)


def parameter_groups(model: torch.nn.Module, args) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    encoder_decay, encoder_plain, fresh = [], [], []
    for name, parameter in model.named_parameters():
        if not name.startswith("encoder."):
            fresh.append(parameter)
        elif parameter.ndim < 2:
            encoder_plain.append(parameter)
        else:
            encoder_decay.append(parameter)
    return [
        {"params": encoder_decay, "lr": args.lr, "weight_decay": args.weight_decay},
        {"params": encoder_plain, "lr": args.lr, "weight_decay": 0.0},
        {"params": fresh, "lr": args.shape_lr, "weight_decay": 0.0},
    ]


def linear_schedule(total: int, warmup: int) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))
    return factor


def length_bucketed_batches(windows: list, size: int, rng: random.Random) -> list[list]:
    """Shuffled batches of similar length (less padding), in shuffled order."""
    order = list(range(len(windows)))
    rng.shuffle(order)
    chunk = size * 50
    batches = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda i: len(windows[i].input_ids))
        batches.extend([windows[i] for i in part[j:j + size]] for j in range(0, len(part), size))
    rng.shuffle(batches)
    return batches
