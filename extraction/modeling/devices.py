"""Torch devices: the one to train or run on, where a model is, moving a batch there."""
from __future__ import annotations

import torch
from torch import nn

from extraction.errors import Errors, ModelError


def resolve_device(name: str | None = "auto") -> torch.device:
    """A torch device from its name: `auto` (or None) is cuda when available, else cpu; `cpu`, `cuda`,
    `cuda:1` name one."""
    if name is None or name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(Errors.E057, device=name, reason=str(exc).splitlines()[0]) from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelError(Errors.E057, device=name, reason="torch sees no CUDA GPU")
    return device


def model_device(model: nn.Module) -> torch.device:
    """Where the model's parameters are (cpu for a model without any)."""
    return next((p.device for p in model.parameters()), torch.device("cpu"))


def inference_device(name: str | None, quantize: bool = False) -> torch.device:
    """The device to run a loaded model on; int8 dynamic quantization runs on the CPU only."""
    if quantize:
        if name not in (None, "auto") and resolve_device(name).type != "cpu":
            raise ModelError(Errors.E057, device=name, reason="int8 dynamic quantization runs on the CPU only")
        return torch.device("cpu")
    return resolve_device(name)


def to_device(tensors: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    return {name: tensor.to(device) for name, tensor in tensors.items()}
