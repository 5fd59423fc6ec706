"""The generative path: the real packaged SmolLM2 (checked against the evidence, extractive
fallback), and the OpenAI-compatible generator against a real HTTP server speaking that protocol."""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.settings import load_settings
from qa.errors import GeneratorFailed
from qa.generators.base import NumberedEvidence
from qa.generators.smollm import SmolLM2Generator, packaged_gguf
from service.components import Services, build_services

FMLA = "Which act did President Clinton compliment the Congress for passing in his 1993 address?"
DRUG_CZAR = "Whom did President Clinton nominate as America's new drug czar in 1996?"


def corpus_services(corpus: Path, tmp_path: Path, **qa: object) -> Services:
    settings = load_settings(data_dir=tmp_path / "data")
    for key, value in qa.items():
        setattr(settings.qa, key, value)
    services = build_services(settings)
    report = services.importer(labels=("public",)).import_paths(sorted(corpus.iterdir()))
    assert report.documents_ok == 5
    return services


@pytest.fixture(scope="module")
def smollm(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = corpus_services(fixtures_dir / "qa", tmp_path_factory.mktemp("smollm"))
    services.qa.warm_up(generative=True)
    yield services
    services.close()


@pytest.mark.slow
def test_the_packaged_smollm2_writes_a_short_answer_from_numbered_evidence(smollm: Services) -> None:
    assert packaged_gguf().suffix == ".gguf"
    generator = smollm.qa.generator
    assert isinstance(generator, SmolLM2Generator) and generator.loaded
    evidence = NumberedEvidence(
        texts={1: "I compliment the Congress for passing the Family and Medical Leave Act as a good first step."},
        citations={1: []})
    generated = generator.generate("Which act did the Congress pass?", evidence)
    assert generated.raw.strip()  # the real model wrote something, parsed into answer and citations
    assert len(generated.text.split()) <= 30 and all(n == 1 for n in generated.cited)


@pytest.mark.slow
@pytest.mark.parametrize(("question", "expected", "evidence", "why"), [
    (FMLA, "Family and Medical Leave Act", "I compliment the Congress for passing the Family and Medical Leave Act",
     "cites no evidence"),
    (DRUG_CZAR, "Barry McCaffrey", "Tonight I am nominating him, a hero of the Persian Gulf war",
     "names what no cited evidence says")])
def test_generative_answers_are_checked_and_fall_back_to_the_extractive_answer(
        smollm: Services, question: str, expected: str, evidence: str, why: str) -> None:
    """The packaged SmolLM2 (greedy decoding) answers both questions with what the evidence does not support
    (the question's own words: "President Clinton"): the check refuses it, the extractive answer stands, and the
    reason says which check failed."""
    response = smollm.qa.ask(question, mode="generative")
    assert "generation" in response.timings_ms  # the model ran
    assert (response.generator, response.answer, response.abstained) == ("extractive-reader/1", expected, False)
    assert response.reason is not None and response.reason.startswith("the generated answer ")
    assert f"failed the evidence check ({why}" in response.reason
    assert response.reason.endswith("; extractive answer given")
    assert response.citations[0].sentence.startswith(evidence)


@pytest.mark.slow
def test_generation_is_skipped_when_the_reader_abstains(smollm: Services) -> None:
    response = smollm.qa.ask("Who was the Secretary of Defense who recommended the defense cuts in 1992?",
                             mode="generative")
    assert response.abstained and "generation" not in response.timings_ms


class ChatServer(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible chat endpoint: answers with the evidence line naming `wanted`."""

    wanted = "Family and Medical Leave Act"
    requests: list[dict] = []
    status = 200

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        prompt = body["messages"][-1]["content"]
        line = next((m for m in re.finditer(r"^\[(\d+)\] (.*)$", prompt, re.M) if self.wanted in m.group(2)), None)
        content = f"{self.wanted} [{line.group(1)}]" if line else f"{self.wanted} [1]"
        payload = json.dumps({"id": "x", "object": "chat.completion", "model": body["model"],
                              "choices": [{"index": 0, "finish_reason": "stop",
                                           "message": {"role": "assistant", "content": content}}]}).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def chat_server() -> Iterator[str]:
    ChatServer.requests, ChatServer.status, ChatServer.wanted = [], 200, "Family and Medical Leave Act"
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    thread.join(timeout=5)


def test_an_openai_compatible_endpoint_writes_the_answer(fixtures_dir: Path, tmp_path: Path, chat_server: str) -> None:
    services = corpus_services(fixtures_dir / "qa", tmp_path, generator="openai")
    services.settings.qa.openai.base_url = chat_server
    services.settings.qa.openai.model = "tiny-test-model"
    services.settings.qa.openai.api_key = "sk-test"
    try:
        response = services.qa.ask(FMLA, mode="generative")
        assert response.generator == "openai-compatible/tiny-test-model" and response.reason is None
        assert response.answer == "Family and Medical Leave Act"
        assert any("Family and Medical Leave Act" in c.sentence for c in response.citations)
        sent = ChatServer.requests[-1]
        assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sk-test"
        assert sent["body"]["model"] == "tiny-test-model" and sent["body"]["temperature"] == 0
        assert "Question: " + FMLA in sent["body"]["messages"][-1]["content"]

        ChatServer.wanted = "Social Security Act"  # an answer no evidence states: checked, replaced
        checked = services.qa.ask(FMLA, mode="generative")
        assert checked.generator.startswith("extractive-reader/") and checked.answer == "Family and Medical Leave Act"
        assert "failed the evidence check" in (checked.reason or "")

        ChatServer.status = 500
        with pytest.raises(GeneratorFailed, match="chat endpoint"):
            services.qa.ask(FMLA, mode="generative")
    finally:
        services.close()
