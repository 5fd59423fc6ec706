"""`govkg train …`, `govkg evaluate …` and `govkg bench ner`: fine-tuning and measuring the models.

`register(app, bench_app)` mounts `train` and `evaluate` on the root app; other modules add their
own `evaluate` commands to `evaluate_app`.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.output import err_console, fail, print_json
from extraction.errors import ExtractionError

if TYPE_CHECKING:
    from extraction.ner.evaluate import NerEvaluation

train_app = typer.Typer(help="Fine-tune models.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Evaluate models and the service on labelled data.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
FormatOpt = Annotated[str, typer.Option("--format", help="auto (by suffix), conll, jsonl or redocred.")]
ThreadsOpt = Annotated[int | None, typer.Option("--threads", min=1, help="torch threads (default: settings).")]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto (cuda when torch sees a GPU, else cpu), cpu, "
                                        "cuda or cuda:N; models are saved to load on the CPU.")]


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
    app.add_typer(evaluate_app, name="evaluate")
    bench_app.command("ner")(bench_ner)


@train_app.command("ner")
def train_ner_cmd(
    ctx: typer.Context,
    train: Annotated[Path, typer.Option("--train", help="Training data (CoNLL columns, JSONL spans, Re-DocRED JSON).")],
    out: Annotated[Path, typer.Option("--out", help="Model folder to write.")],
    dev: Annotated[Path | None, typer.Option("--dev", help="Dev data: early stopping on its entity F1.")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Local HF model folder or hub name "
                                                "(default: the packaged all-MiniLM-L6-v2).")] = None,
    epochs: Annotated[int, typer.Option(min=1)] = 4,
    lr: Annotated[float, typer.Option(help="Encoder learning rate.")] = 1e-4,
    shape_lr: Annotated[float, typer.Option(help="Learning rate of the new layers (shape embedding, head).")] = 1e-3,
    batch_size: Annotated[int, typer.Option(min=1)] = 32,
    max_length: Annotated[int, typer.Option(min=16, help="Word pieces per window.")] = 128,
    seed: Annotated[int, typer.Option()] = 13,
    patience: Annotated[int, typer.Option(min=1, help="Epochs without a better dev F1 before stopping.")] = 2,
    shape_features: Annotated[bool, typer.Option("--shape-features/--no-shape-features",
                                                 help="Learned word-shape (casing) embedding.")] = True,
    context_tokens: Annotated[int, typer.Option(min=0, help="Word pieces of document context each side.")] = 0,
    label_scheme: Annotated[str, typer.Option(help="Ontology mapping scheme of the labels "
                                              "(conll2003, conll04, redocred, …).")] = "",
    max_sentences: Annotated[int | None, typer.Option(min=1, help="Use only the first N training sentences.")] = None,
    split: Annotated[str | None, typer.Option(help="Cut --train by document into train,dev[,test] fractions, "
                                                 "e.g. 0.7,0.1,0.2 (dev replaces --dev; test is scored at the end).")] = None,
    data_format: FormatOpt = "auto",
    threads: ThreadsOpt = None,
    device: DeviceOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Fine-tune a token-classification model; writes weights, tokenizer, labels and model_card.json."""
    from extraction.ner.data import load_dataset, split_dataset
    from extraction.ner.model import packaged_encoder
    from extraction.ner.train import NerTrainArgs, train_ner

    settings = ctx.find_root().obj
    try:
        train_data = load_dataset(train, data_format)
        dev_data = load_dataset(dev, data_format) if dev else None
        test_data = None
        if split:
            parts = split_dataset(train_data, _fractions(split), seed)
            train_data, dev_data, test_data = parts[0], parts[1], (parts[2] if len(parts) > 2 else None)
        args = NerTrainArgs(
            out=out, base=base or str(packaged_encoder()), epochs=epochs, lr=lr, shape_lr=shape_lr,
            batch_size=batch_size, max_length=max_length, seed=seed, patience=patience,
            shape_features=shape_features, context_tokens=context_tokens,
            label_scheme=label_scheme or _scheme_from_path(train),
            threads=threads or settings.models.threads, max_train_sentences=max_sentences, device=device,
        )
        with _TrainingBar(enabled=not as_json) as bar:
            result = train_ner(args, train_data, dev_data, test_data, on_step=bar.step, on_epoch=bar.epoch)
    except ExtractionError as exc:
        fail(str(exc), as_json)
    summary = {
        "out": str(result.out), "labels": result.labels, "best_epoch": result.best_epoch,
        "training_seconds": result.seconds,
        "epochs": [{"epoch": e.epoch, "loss": e.loss, "seconds": e.seconds, "dev_f1": e.dev.f1 if e.dev else None}
                   for e in result.epochs],
        "dev": asdict(result.best_dev) if result.best_dev else None,
        "test": asdict(result.test) if result.test else None,
    }
    if as_json:
        print_json(summary)
    else:
        err_console.print(f"model written to {result.out} (best epoch {result.best_epoch}, "
                          f"dev F1 {summary['dev']['f1'] if summary['dev'] else 'n/a'}, {result.seconds:.0f} s)")


@evaluate_app.command("ner")
def evaluate_ner_cmd(
    ctx: typer.Context,
    model: Annotated[Path, typer.Option("--model", help="Model folder (from `govkg train ner`).")],
    data: Annotated[Path, typer.Option("--data", help="Labelled data (CoNLL, JSONL spans or Re-DocRED JSON).")],
    quantize: Annotated[bool, typer.Option("--quantize", help="int8 dynamic quantization.")] = False,
    constrained: Annotated[bool, typer.Option("--constrained/--argmax",
                                              help="IOB2-constrained Viterbi decoding or plain argmax.")] = True,
    data_format: FormatOpt = "auto",
    threads: ThreadsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Entity-level micro and per-type precision/recall/F1 (seqeval, strict IOB2) and words/s."""
    evaluation = _evaluate(ctx, model, data, quantize, constrained, data_format, threads, as_json)
    if as_json:
        print_json(asdict(evaluation))
        return
    err_console.print(f"F1 {evaluation.f1:.4f}  P {evaluation.precision:.4f}  R {evaluation.recall:.4f}  "
                      f"({evaluation.words:,} words, {evaluation.words_per_second:,.0f} words/s)")
    for name, score in evaluation.per_type.items():
        err_console.print(f"  {name:<8} F1 {score.f1:.4f}  P {score.precision:.4f}  R {score.recall:.4f}  "
                          f"n={score.support}")
    if evaluation.unknown_types:
        err_console.print(f"types the model does not know (counted as misses): {evaluation.unknown_types}")


def bench_ner(
    ctx: typer.Context,
    model: Annotated[Path, typer.Option("--model", help="Model folder.")],
    data: Annotated[Path, typer.Option("--data", help="Labelled data to time and score on.")],
    data_format: FormatOpt = "auto",
    threads: ThreadsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """F1 and words/s of the fp32 model and of its int8 dynamic quantization, side by side."""
    fp32 = _evaluate(ctx, model, data, False, True, data_format, threads, as_json)
    int8 = _evaluate(ctx, model, data, True, True, data_format, threads, as_json)
    print_json({
        "model": str(model), "data": str(data), "words": fp32.words,
        "fp32": {"f1": fp32.f1, "words_per_second": fp32.words_per_second, "seconds": fp32.seconds},
        "int8": {"f1": int8.f1, "words_per_second": int8.words_per_second, "seconds": int8.seconds},
        "int8_f1_delta_points": round((int8.f1 - fp32.f1) * 100, 2),
        "threads": threads or ctx.find_root().obj.models.threads,
    })


def _evaluate(ctx: typer.Context, model: Path, data: Path, quantize: bool, constrained: bool, data_format: str,
              threads: int | None, as_json: bool) -> NerEvaluation:
    import torch

    from extraction.ner.data import load_dataset
    from extraction.ner.evaluate import evaluate_tagger
    from extraction.ner.tagger import NerTagger

    torch.set_num_threads(threads or ctx.find_root().obj.models.threads)
    try:
        dataset = load_dataset(data, data_format)
        tagger = NerTagger.from_folder(model, quantize=quantize, constrained=constrained)
        return evaluate_tagger(tagger, dataset.examples)
    except ExtractionError as exc:
        fail(str(exc), as_json)
        raise  # unreachable: fail exits


def _fractions(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise typer.BadParameter(f"expected fractions like 0.7,0.1,0.2, got {text!r}", param_hint="--split") from None


def _scheme_from_path(path: Path) -> str:
    name = str(path).lower()
    for scheme in ("conll2003", "conll04", "redocred"):
        if scheme in name:
            return scheme
    return ""


class _TrainingBar:
    """A rich progress bar over all steps, with the running loss and each epoch's dev F1."""

    def __init__(self, enabled: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(TextColumn("[bold]training"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("steps · loss {task.fields[loss]}"), TimeElapsedColumn(),
                                 TimeRemainingColumn(), console=err_console, disable=not enabled)
        self.task: int | None = None

    def __enter__(self) -> _TrainingBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def step(self, step: int, total: int, loss: float) -> None:
        if self.task is None:
            self.task = self.progress.add_task("train", total=total, loss="-")
        self.progress.update(self.task, completed=step, loss=f"{loss:.4f}")

    def epoch(self, result) -> None:  # type: ignore[no-untyped-def]
        dev = f", dev F1 {result.dev.f1:.4f}" if result.dev else ""
        self.progress.console.print(f"epoch {result.epoch}: loss {result.loss:.4f}{dev} ({result.seconds:.0f} s)")
