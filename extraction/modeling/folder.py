"""A model folder: its config dataclass as JSON, and for a fine-tuned encoder the encoder and tokenizer (HF
files) beside `head.safetensors`, the weights of the layers on top (everything but `encoder.`)."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast

from extraction.errors import Errors, ModelError
from extraction.modeling.encoder import load_encoder

if TYPE_CHECKING:
    import torch

HEAD_FILE = "head.safetensors"

Config = TypeVar("Config")
Model = TypeVar("Model", bound="torch.nn.Module")


class ModelConfig:
    """Base of a model's config dataclass, kept as the JSON file `file_name` in the model folder."""

    file_name: ClassVar[str]

    def save(self, folder: Path) -> None:
        (folder / self.file_name).write_text(json.dumps(asdict(cast(Any, self)), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Self:
        path = folder / cls.file_name
        if not path.is_file():
            raise ModelError(Errors.E053, path=folder, reason=f"no {cls.file_name}")
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def save_model(model: Any, tokenizer: Any, config: Any, folder: Path) -> None:
    """The encoder, the tokenizer, the head weights (`model.head_state()`) and the config (`config.save`)."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    save_file({k: v.contiguous() for k, v in model.head_state().items()}, str(folder / HEAD_FILE))
    config.save(folder)


def load_folder(folder: Path | str, read_config: Callable[[Path], Config],
                build: Callable[[Any, Config], Model]) -> tuple[Model, Any, Config]:
    """(model, tokenizer, config) of a model folder: `read_config(folder)`, `build(encoder, config)`,
    then the head weights."""
    from safetensors.torch import load_file

    folder = Path(folder)
    if not folder.is_dir():
        raise ModelError(Errors.E053, path=folder, reason="no such folder")
    config = read_config(folder)
    if not (folder / HEAD_FILE).is_file():
        raise ModelError(Errors.E053, path=folder, reason=f"no {HEAD_FILE}")
    encoder, tokenizer = load_encoder(folder)
    model = build(encoder, config)
    missing, unexpected = model.load_state_dict(load_file(str(folder / HEAD_FILE)), strict=False)
    if unexpected or any(not k.startswith("encoder.") for k in missing):
        raise ModelError(Errors.E053, path=folder, reason=f"head weights do not fit ({missing or unexpected})")
    model.eval()
    return model, tokenizer, config
