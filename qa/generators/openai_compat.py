"""Any OpenAI-compatible chat endpoint (llama.cpp server, vLLM, Ollama, a hosted API):
POST {base_url}/chat/completions with the numbered evidence; base URL, model and key from settings."""
from __future__ import annotations

import httpx

from qa.errors import Errors, GeneratorFailed
from qa.generators.base import SYSTEM_PROMPT, Generated, NumberedEvidence, parse_answer, user_prompt


class OpenAICompatibleGenerator:
    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 30.0,
                 max_tokens: int = 128) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.name = f"openai-compatible/{model}"
        self._client = httpx.Client(timeout=timeout_s)

    @property
    def loaded(self) -> bool:
        return True

    def load(self) -> OpenAICompatibleGenerator:
        return self

    def generate(self, question: str, evidence: NumberedEvidence) -> Generated:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                         {"role": "user", "content": user_prompt(question, evidence)}],
            "temperature": 0,
            "max_tokens": self.max_tokens,
        }
        try:
            response = self._client.post(f"{self.base_url}/chat/completions", json=body, headers=headers)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except httpx.HTTPError as exc:
            raise GeneratorFailed(Errors.Q003, url=self.base_url, reason=exc) from exc
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise GeneratorFailed(Errors.Q030, url=self.base_url, reason=exc) from exc
        return parse_answer(content or "")
