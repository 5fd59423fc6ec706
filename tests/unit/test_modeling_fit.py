"""The shared training loop (extraction/modeling/fit.py) on a one-weight model: the dev score selects the
epoch whose weights come back, patience stops early, the losses it reports; and the split's part names."""
from __future__ import annotations

import torch

from extraction.modeling.datasets import parse_part, split_dataset
from extraction.modeling.fit import EpochEnd, fit, linear_decay, linear_schedule, prepare_run
from extraction.ner.data import NerDataset, NerExample


def _run(scores: list[float], patience: int | None) -> tuple[list[tuple[EpochEnd, float | None]], int, list[float],
                                                             torch.nn.Linear]:
    prepare_run(13, 1)
    model = torch.nn.Linear(1, 1, bias=False)
    weights: list[float] = []  # the weight after each epoch
    epoch_scores = iter(scores)

    def evaluate() -> float:
        weights.append(float(model.weight.item()))
        return next(epoch_scores)

    history, best = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), linear_decay(100), epochs=len(scores),
                        batches=lambda: [torch.ones(1, 1), torch.ones(1, 1)],
                        step=lambda x: ((model(x) - 3.0) ** 2).mean(), evaluate=evaluate, score=float,
                        make_result=lambda end, score: (end, score), patience=patience)
    return history, best, weights, model


def test_the_best_dev_epoch_is_kept_and_its_weights_restored() -> None:
    history, best, weights, model = _run([0.1, 0.9, 0.3, 0.2], patience=None)
    assert best == 2 and len(history) == 4
    assert model.weight.item() == weights[1] != weights[3]
    assert not model.training


def test_patience_stops_after_epochs_without_a_better_score() -> None:
    history, best, _, _ = _run([0.5, 0.9, 0.3, 0.2, 0.95, 0.1], patience=2)
    assert best == 2 and [end.epoch for end, _ in history] == [1, 2, 3, 4]


def test_the_losses_of_an_epoch() -> None:
    prepare_run(13, 1)
    model = torch.nn.Linear(1, 1, bias=False)
    losses: list[float] = []

    def step(x: torch.Tensor) -> torch.Tensor:
        loss = ((model(x) - 3.0) ** 2).mean()
        losses.append(loss.item())
        return loss

    history, _ = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), linear_decay(100), epochs=2,
                     batches=lambda: [torch.ones(1, 1), torch.ones(1, 1)], step=step, evaluate=lambda: None,
                     score=float, make_result=lambda end, _: end)
    first, second = history
    assert first.mean_loss == (losses[0] + losses[1]) / 2 and second.mean_loss == (losses[2] + losses[3]) / 2
    # the running loss starts at the first step's loss and moves 2% a step, from 0 again in a later epoch
    assert first.running_loss == 0.98 * losses[0] + 0.02 * losses[1]
    assert second.running_loss == 0.98 * (0.02 * losses[2]) + 0.02 * losses[3]


def test_schedules() -> None:
    warm = linear_schedule(10, 2)
    assert [warm(s) for s in (0, 1, 2, 6, 10, 12)] == [0.5, 1.0, 1.0, 0.5, 0.0, 0.0]
    decay = linear_decay(4)
    assert [decay(s) for s in (0, 2, 4, 5)] == [1.0, 0.5, 0.0, 0.0]


def test_a_split_names_its_parts_and_the_names_read_back() -> None:
    examples = [NerExample(("w",), ("O",), f"doc{i}") for i in range(50)]
    dataset = NerDataset(examples, "x.conll", "conll", "IOB2", "0" * 64)
    parts = split_dataset(dataset, (0.7, 0.1, 0.2), seed=7)
    assert sum(len(p.examples) for p in parts) == 50
    assert [parse_part(p.part) for p in parts] == [(0.0, 0.7, 7), (0.7, 0.8, 7), (0.8, 1.0, 7)]
    assert parse_part("") is None and parse_part("the whole file") is None
