"""The training loop the models share, and its parts.

`prepare_run` sets the torch threads and seeds random, numpy and torch (before a model is built, so its
new layers start the same). `fit` is the loop: per epoch the batches, a step function that returns the
loss, backward, optional gradient clipping, the optimizer and a learning-rate schedule; then an eval
function, the epoch's result and its callback, selection of the best epoch by the dev score (with
`patience`: stop after that many epochs without a better one), and the best epoch's weights loaded back.
Each trainer keeps its own loss and evaluation. `fine_tune` is `fit` as the encoder models use it (NER,
relations): AdamW with a faster rate for the new layers, linear warmup and decay, shuffled length-bucketed
batches, clipping at 1.0.
"""
from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import torch

Batch = TypeVar("Batch")
Evaluation = TypeVar("Evaluation")
Result = TypeVar("Result")
StepCallback = Callable[[int, int, float], None]  # (step, total steps, running loss)
EpochCallback = Callable[[Any], None]  # the epoch's result


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def prepare_run(seed: int, threads: int | None = None) -> None:
    """The first thing of a training run: torch's threads (when given) and every seed."""
    if threads:
        torch.set_num_threads(threads)
    seed_everything(seed)


@dataclass(frozen=True)
class EpochEnd:
    epoch: int
    running_loss: float  # moving average (0.98) of the step losses, the one the progress shows
    mean_loss: float  # mean of the epoch's step losses
    seconds: float  # the epoch's training and evaluation


def fit(model: torch.nn.Module, optimizer: torch.optim.Optimizer, schedule: Callable[[int], float], *,
        epochs: int, batches: Callable[[], Iterable[Batch]], step: Callable[[Batch], torch.Tensor],
        evaluate: Callable[[], Evaluation | None], score: Callable[[Evaluation], float],
        make_result: Callable[[EpochEnd, Evaluation | None], Result], patience: int | None = None,
        clip_norm: float | None = None, total_steps: int = 0, on_step: StepCallback | None = None,
        on_epoch: Callable[[Result], None] | None = None) -> tuple[list[Result], int]:
    """Trains `epochs` epochs over `batches()` (called once an epoch), `step(batch)` giving the loss;
    `schedule(step)` scales the optimizer's rates. After each epoch `evaluate()` (None: no dev data, the
    last epoch is the best), `score(evaluation)` to select by. Returns the epoch results and the best epoch,
    whose weights the model holds again (in eval mode)."""
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    history: list[Result] = []
    best: tuple[float, int, dict[str, torch.Tensor]] | None = None
    done = 0
    for epoch in range(1, epochs + 1):
        model.train()
        epoch_started = time.perf_counter()
        running, total, count = 0.0, 0.0, 0
        for batch in batches():
            loss = step(batch)
            loss.backward()  # type: ignore[no-untyped-call]
            if clip_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            done += 1
            value = loss.item()
            running = 0.98 * running + 0.02 * value if done > 1 else value
            total += value
            count += 1
            if on_step:
                on_step(done, total_steps, running)
        model.eval()
        evaluation = evaluate()
        end = EpochEnd(epoch, running, total / max(1, count), time.perf_counter() - epoch_started)
        result = make_result(end, evaluation)
        history.append(result)
        if on_epoch:
            on_epoch(result)
        selected = score(evaluation) if evaluation is not None else float(epoch)
        if best is None or selected > best[0]:
            best = (selected, epoch, copy.deepcopy(model.state_dict()))
        elif patience is not None and epoch - best[1] >= patience:
            break
    assert best is not None
    model.load_state_dict(best[2])
    model.eval()
    return history, best[1]


def fine_tune(model: torch.nn.Module, args: Any, items: list[Any], step_loss: Callable[[list[Any]], torch.Tensor],
              evaluate: Callable[[], Any], score: Callable[[Any], float], make_result: Callable[..., Any],
              on_step: StepCallback | None = None, on_epoch: EpochCallback | None = None) -> tuple[list[Any], int]:
    """`fit` for an encoder with new layers on top, by the training arguments (epochs, lr, shape_lr,
    weight_decay, warmup, batch_size, seed, patience): AdamW with a faster rate for the new layers, linear
    warmup and decay, shuffled length-bucketed batches (`items` have `input_ids`), gradient clipping at 1.0.
    `make_result(epoch, loss, seconds, evaluation)` with the running loss."""
    batches_per_epoch = (len(items) + args.batch_size - 1) // args.batch_size
    total = batches_per_epoch * args.epochs
    optimizer = torch.optim.AdamW(parameter_groups(model, args), lr=args.lr)
    rng = random.Random(args.seed)
    return fit(model, optimizer, linear_schedule(total, int(total * args.warmup)), epochs=args.epochs,
               batches=lambda: length_bucketed_batches(items, args.batch_size, rng), step=step_loss,
               evaluate=evaluate, score=score, patience=args.patience, clip_norm=1.0, total_steps=total,
               make_result=lambda end, evaluation: make_result(end.epoch, round(end.running_loss, 4),
                                                               round(end.seconds, 1), evaluation),
               on_step=on_step, on_epoch=on_epoch)


def parameter_groups(model: torch.nn.Module, args: Any) -> list[dict[str, Any]]:
    """The encoder's weights (decayed), its biases and norms (not), and the new layers at `args.shape_lr`."""
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
    """Linear warmup over `warmup` steps, then linear decay to 0 at `total`."""
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))
    return factor


def linear_decay(total: int) -> Callable[[int], float]:
    """Linear decay from 1 to 0 at `total`, no warmup."""
    return lambda step: max(0.0, 1.0 - step / total)


def length_bucketed_batches(windows: list[Any], size: int, rng: random.Random) -> list[list[Any]]:
    """Shuffled batches of similar length (less padding), in shuffled order."""
    order = list(range(len(windows)))
    rng.shuffle(order)
    chunk = size * 50
    batches: list[list[Any]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda i: len(windows[i].input_ids))
        batches.extend([windows[i] for i in part[j:j + size]] for j in range(0, len(part), size))
    rng.shuffle(batches)
    return batches
