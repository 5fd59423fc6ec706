"""Choosing the torch device for training and inference (`--device`): auto, named devices, and the
clear error for a device torch cannot use."""
from __future__ import annotations

import pytest
import torch

from extraction.errors import ModelError
from extraction.modeling.devices import inference_device, resolve_device

HAS_CUDA = torch.cuda.is_available()


def test_auto_is_the_gpu_when_torch_sees_one_else_the_cpu():
    assert resolve_device("auto").type == ("cuda" if HAS_CUDA else "cpu")
    assert resolve_device(None) == resolve_device("auto")
    assert resolve_device("cpu") == torch.device("cpu")


def test_a_device_torch_cannot_use_is_a_clear_error():
    with pytest.raises(ModelError) as bad_name:
        resolve_device("tpu-please")
    assert bad_name.value.code == "E057" and "tpu-please" in bad_name.value.message
    if not HAS_CUDA:
        with pytest.raises(ModelError) as no_gpu:
            resolve_device("cuda")
        assert no_gpu.value.code == "E057" and "no CUDA GPU" in no_gpu.value.message


def test_quantized_models_run_on_the_cpu():
    assert inference_device("auto", quantize=True) == torch.device("cpu")
    assert inference_device("cpu", quantize=True) == torch.device("cpu")
    if HAS_CUDA:
        with pytest.raises(ModelError, match="CPU only"):
            inference_device("cuda", quantize=True)
