"""`govkg evaluate qa` and `govkg bench qa`: accuracy, citations, abstention and latency on a
questions file in the format of shared/data/qa/dev.jsonl (id, question, answers, kind, document,
evidence)."""
from __future__ import annotations

import json
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from graph.errors import NotFound
from graph.store import GraphStore
from qa.errors import BadQuestionsFile, Errors
from qa.models import AskResponse, Citation

UNANSWERABLE = "unanswerable"
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = re.compile(r"[^\w\s]")


class QaQuestion(BaseModel):
    id: str
    question: str
    answers: list[str] = Field(default_factory=list)
    kind: str = "unknown"
    document: str | None = None
    evidence: str | None = None


class QuestionResult(BaseModel):
    id: str
    kind: str
    question: str
    answer: str
    abstained: bool
    expected: list[str]
    correct: bool  # answerable: accepted answer matched; unanswerable: abstained
    exact: bool
    f1: float
    citation_correct: bool | None  # None for unanswerable questions
    confidence: float
    generator: str
    timings_ms: dict[str, float]
    reason: str | None = None


class KindSummary(BaseModel):
    questions: int
    answered_right: int
    right_with_citation: int
    exact: int
    mean_f1: float
    citation_accuracy: float
    abstained: int


class Latency(BaseModel):
    p50_ms: float
    p95_ms: float
    max_ms: float


class QaEvaluation(BaseModel):
    questions: int
    mode: str
    store: str
    answerable: int
    answered_right: int
    right_with_citation: int
    exact: int
    mean_f1: float
    citation_accuracy: float  # over answerable questions
    unanswerable: int
    abstained_unanswerable: int
    abstention_precision: float
    abstention_recall: float
    by_kind: dict[str, KindSummary]
    latency: dict[str, Latency]  # per stage and "total"
    first_question_ms: float
    results: list[QuestionResult]


def load_questions(path: Path) -> list[QaQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadQuestionsFile(Errors.Q004, path=path, reason=exc) from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            questions.append(QaQuestion.model_validate_json(line))
        except ValidationError as exc:
            raise BadQuestionsFile(Errors.Q040, path=path, line=number, reason=exc.errors()[0]["msg"]) from exc
    if not questions:
        raise BadQuestionsFile(Errors.Q041, path=path)
    return questions


def normalize_answer(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("’", "'")
    text = _PUNCT.sub(" ", text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, truth: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    common = sum((Counter(pred) & Counter(gold)).values())
    if not pred or not gold or common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def answer_matches(prediction: str, accepted: Iterable[str]) -> tuple[bool, bool]:
    """(match, exact): exact is a normalized equality; a match also allows the prediction to hold an
    accepted answer as whole words with at most four words around it ("General Mark Milley")."""
    pred = normalize_answer(prediction)
    if not pred:
        return False, False
    exact = any(pred == normalize_answer(a) for a in accepted)
    contained = any(
        (gold := normalize_answer(a)) and f" {gold} " in f" {pred} " and len(pred.split()) <= len(gold.split()) + 4
        for a in accepted
    )
    return exact or contained, exact


def citation_correct(question: QaQuestion, citations: list[Citation], store: GraphStore) -> bool:
    """Text questions: a citation from the evidence document whose sentence overlaps the evidence.
    Structured questions: a citation from the record file named in the evidence that states an
    accepted answer."""
    if question.document and question.evidence:
        for citation in citations:
            if citation.document_source != question.document:
                continue
            try:
                text = store.get_document(citation.document_id).text
            except NotFound:
                continue
            at = text.find(question.evidence)
            if at < 0:
                at = " ".join(text.split()).find(" ".join(question.evidence.split()))
            if at >= 0 and citation.start < at + len(question.evidence) and at < citation.end:
                return True
        return False
    if question.evidence and ":" in question.evidence:
        source = question.evidence.split(":", 1)[0].strip()
        answers = [normalize_answer(a) for a in question.answers]
        return any(c.document_source == source and any(a and a in normalize_answer(c.sentence) for a in answers)
                   for c in citations)
    return False


def latency(values: list[float]) -> Latency:
    ordered = sorted(values)
    return Latency(p50_ms=round(statistics.median(ordered), 1),
                   p95_ms=round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
                   max_ms=round(ordered[-1], 1))


def evaluate(questions: list[QaQuestion], ask: Callable[[str], AskResponse], store: GraphStore, mode: str,
             progress: Callable[[QaQuestion], None] | None = None) -> QaEvaluation:
    results: list[QuestionResult] = []
    first_ms = 0.0
    for index, question in enumerate(questions):
        started = time.perf_counter()
        response = ask(question.question)
        elapsed = (time.perf_counter() - started) * 1000
        if index == 0:
            first_ms = elapsed
        answerable = question.kind != UNANSWERABLE and bool(question.answers)
        if answerable:
            match, exact = (False, False) if response.abstained else answer_matches(response.answer, question.answers)
            f1 = max((token_f1(response.answer, a) for a in question.answers), default=0.0)
            cited = citation_correct(question, response.citations, store) if not response.abstained else False
        else:
            match, exact, f1, cited = response.abstained, response.abstained, float(response.abstained), None
        timings = dict(response.timings_ms)
        timings["wall"] = round(elapsed, 1)
        results.append(QuestionResult(
            id=question.id, kind=question.kind, question=question.question, answer=response.answer,
            abstained=response.abstained, expected=question.answers, correct=match, exact=exact, f1=round(f1, 4),
            citation_correct=cited, confidence=response.confidence, generator=response.generator,
            timings_ms=timings, reason=response.reason,
        ))
        if progress:
            progress(question)
    return summarize(results, mode, store.name, first_ms)


def summarize(results: list[QuestionResult], mode: str, store: str, first_ms: float) -> QaEvaluation:
    answerable = [r for r in results if r.kind != UNANSWERABLE and r.expected]
    unanswerable = [r for r in results if not (r.kind != UNANSWERABLE and r.expected)]
    abstained = [r for r in results if r.abstained]
    by_kind: dict[str, KindSummary] = {}
    for kind in sorted({r.kind for r in results}):
        group = [r for r in results if r.kind == kind]
        answerable_group = [r for r in group if r in answerable]
        by_kind[kind] = KindSummary(
            questions=len(group), answered_right=sum(r.correct for r in group),
            right_with_citation=sum(r.correct and bool(r.citation_correct) for r in answerable_group),
            exact=sum(r.exact for r in group), mean_f1=round(statistics.fmean(r.f1 for r in group), 4),
            citation_accuracy=round(sum(bool(r.citation_correct) for r in answerable_group)
                                    / max(1, len(answerable_group)), 4),
            abstained=sum(r.abstained for r in group),
        )
    stages = sorted({k for r in results for k in r.timings_ms})
    return QaEvaluation(
        questions=len(results), mode=mode, store=store, answerable=len(answerable),
        answered_right=sum(r.correct for r in answerable),
        right_with_citation=sum(r.correct and bool(r.citation_correct) for r in answerable),
        exact=sum(r.exact for r in answerable),
        mean_f1=round(statistics.fmean(r.f1 for r in answerable), 4) if answerable else 0.0,
        citation_accuracy=round(sum(bool(r.citation_correct) for r in answerable) / max(1, len(answerable)), 4),
        unanswerable=len(unanswerable), abstained_unanswerable=sum(r.abstained for r in unanswerable),
        abstention_precision=round(sum(r.abstained for r in unanswerable) / max(1, len(abstained)), 4),
        abstention_recall=round(sum(r.abstained for r in unanswerable) / max(1, len(unanswerable)), 4),
        by_kind=by_kind,
        latency={s: latency([r.timings_ms[s] for r in results if s in r.timings_ms]) for s in stages},
        first_question_ms=round(first_ms, 1), results=results,
    )


def dump(evaluation: QaEvaluation) -> str:
    return json.dumps(evaluation.model_dump(mode="json"), indent=2, ensure_ascii=False)
