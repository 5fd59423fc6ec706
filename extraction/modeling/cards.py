"""`model_card.json` beside the weights: base model, data with hashes, hyperparameters, metrics, versions."""
from __future__ import annotations

import json
import platform
from dataclasses import is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extraction.modeling.encoder import ENCODER_DISTRIBUTION, ENCODER_NAME, ENCODER_PACKAGE

CARD_FILE = "model_card.json"


def model_version(prefix: str, data_sha256: str, seed: int) -> str:
    """A trained model's version: what it learned, from which data, with which seed, and when."""
    return f"{prefix}-{data_sha256[:8]}-s{seed}-{datetime.now(UTC):%Y%m%d%H%M}"


def hyperparameters(args: Any) -> dict[str, Any]:
    """A training-arguments dataclass as JSON-ready values (paths as strings)."""
    from dataclasses import asdict

    return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(args).items()}


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for name in ("torch", "transformers", "tokenizers", "seqeval", "govkg"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


def describe_data(dataset: Any) -> dict[str, Any] | None:
    if dataset is None:
        return None
    info = {"path": dataset.path, "sha256": dataset.sha256, "format": dataset.format}
    for name in ("part", "scheme", "words", "types", "window", "relations"):
        if hasattr(dataset, name):
            info[name] = getattr(dataset, name)
    info["examples"] = len(dataset.examples)
    return info


def write_card(folder: Path, *, kind: str, base: str | None, data: dict[str, Any], seconds: float,
               **fields: Any) -> dict[str, Any]:
    """The card of a trained model: `base` names the encoder it was fine-tuned from (None: no encoder of
    its own); a dataset of `data` is described (path, hash, size), a dict kept as it is; `fields` follow."""
    card = {
        "kind": kind,
        **({"base_model": str(base), **_base_package(str(base))} if base is not None else {}),
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "data": {k: (describe_data(v) if v is None or is_dataclass(v) else v) for k, v in data.items()},
        "training_seconds": seconds,
        "libraries": library_versions(),
        **fields,
    }
    (folder / CARD_FILE).write_text(json.dumps(card, indent=2, default=str) + "\n", encoding="utf-8")
    return card


def _base_package(base: str) -> dict[str, str]:
    """Name the pip package when the base is the packaged encoder (its path differs per machine)."""
    if ENCODER_PACKAGE not in base:
        return {}
    from importlib.metadata import PackageNotFoundError, version

    try:
        return {"base_model_package": f"{ENCODER_DISTRIBUTION}=={version(ENCODER_DISTRIBUTION)} ({ENCODER_NAME})"}
    except PackageNotFoundError:
        return {}


def read_card(folder: Path) -> dict[str, Any]:
    path = Path(folder) / CARD_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
