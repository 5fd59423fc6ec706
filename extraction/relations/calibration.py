"""Confidence calibration: expected calibration error (equal-width bins) and temperature scaling."""
from __future__ import annotations

from collections.abc import Sequence

import torch

ECE_BINS = 15


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> float:
    """Σ over equal-width confidence bins of |accuracy − mean confidence| × share of the samples."""
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct differ in length")
    if not confidences:
        return 0.0
    totals = [[0, 0.0, 0] for _ in range(bins)]  # count, confidence sum, correct count
    for confidence, right in zip(confidences, correct, strict=True):
        index = min(bins - 1, max(0, int(confidence * bins - 1e-12))) if confidence > 0 else 0
        totals[index][0] += 1
        totals[index][1] += confidence
        totals[index][2] += int(right)
    n = len(confidences)
    return round(sum(abs(c / k - s / k) * k / n for k, s, c in totals if k), 4)


def calibration_report(logits: torch.Tensor, labels: torch.Tensor, temperature: float = 1.0,
                       bins: int = ECE_BINS) -> dict[str, float | int]:
    """ECE of the top class over all pairs, and over the pairs predicted to hold a relation (the
    confidence a fact is written with; label 0 is no_relation)."""
    probabilities = torch.softmax(logits.float() / temperature, dim=-1)
    confidence, predicted = probabilities.max(dim=-1)
    correct = (predicted == labels).tolist()
    related = (predicted != 0).nonzero().flatten().tolist()
    return {
        "ece_all_pairs": expected_calibration_error(confidence.tolist(), correct, bins),
        "ece_predicted_relations": expected_calibration_error([float(confidence[i]) for i in related],
                                                              [correct[i] for i in related], bins),
        "pairs": len(correct), "predicted_relations": len(related), "bins": bins,
    }


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor, steps: int = 100) -> float:
    """The temperature T > 0 that minimizes the negative log-likelihood of softmax(logits / T)."""
    if len(labels) == 0:
        return 1.0
    log_t = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=steps)
    logits, labels = logits.detach().float(), labels.detach()

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    optimizer.step(closure)
    return round(float(log_t.detach().exp().clamp(0.05, 20.0)), 4)
