"""What every `govkg` command module shares: the root app and its sub-apps, the settings callback, the options
several commands take, `opened` (the services of one command, closed after it) and `options_from` (a command's
options built from an argument dataclass).

The command modules (listed in cli/main.py) register their commands on these apps by decorators when they are
imported; none of them mounts anything, so the order they are imported in is only the order `--help` lists them.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import typing
from collections.abc import Callable, Collection, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from cli.output import fail
from core.settings import Settings, load_settings
from graph.errors import GraphError
from service.components import Services, build_services

if TYPE_CHECKING:
    from graph.visibility import Scope

# -- the options several commands take --------------------------------------------------------------------
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
JsonOnlyOpt = Annotated[bool, typer.Option("--json", help="Print JSON only.")]  # training, evaluation, benchmarks
StoreOpt = Annotated[str | None, typer.Option("--store", help="sqlite, sqlite:///file.db or a Neo4j URI.")]
ThreadsOpt = Annotated[int | None, typer.Option("--threads", min=1, help="torch threads (default: settings).")]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto (cuda when torch sees a GPU, else cpu), cpu, "
                                        "cuda or cuda:N; models are saved to load on the CPU.")]
DataFormatOpt = Annotated[str, typer.Option("--format", help="auto (by suffix), conll, jsonl or redocred.")]
ModeOpt = Annotated[str | None, typer.Option("--mode", help="auto, extractive or generative (default: settings).")]
DepartmentOpt = Annotated[str | None, typer.Option(
    "--department", "-d", help="Answer only from documents this department may see.")]
QuestionsOpt = Annotated[Path, typer.Option("--questions", help="JSONL questions (id, question, answers, kind, "
                                                                "document, evidence), as shared/data/qa/dev.jsonl.")]


# -- the root app and its sub-apps -------------------------------------------------------------------------
class _CommandsOnFirstUse(MutableMapping[str, Any]):
    """A sub-app's commands, built when first looked at (see `deferred_app`)."""

    def __init__(self, load: Callable[[], dict[str, Any]]) -> None:
        self._load = load
        self._commands: dict[str, Any] | None = None

    @property
    def _loaded(self) -> dict[str, Any]:
        if self._commands is None:
            self._commands = self._load()
        return self._commands

    def __getitem__(self, name: str) -> Any:
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded)

    def __len__(self) -> int:
        return len(self._loaded)


def deferred_app(module: str, **options: Any) -> typer.Typer:
    """A sub-app whose commands `module` registers, imported the first time the sub-app is used rather than at
    start-up: the training commands take their options from argument dataclasses whose modules import torch,
    which `govkg stats` should not wait for. `govkg --help` shows the sub-app's own help without loading it."""
    sub: typer.Typer

    def load() -> dict[str, Any]:
        importlib.import_module(module)  # its decorators register the commands on `sub`
        built = (typer.main.get_command_from_info(info, pretty_exceptions_short=sub.pretty_exceptions_short,
                                                  rich_markup_mode=sub.rich_markup_mode)
                 for info in sub.registered_commands)
        return {command.name: command for command in built if command.name}

    class Group(TyperGroup):
        def __init__(self, **group: Any) -> None:
            super().__init__(**group)
            self.commands = _CommandsOnFirstUse(load)

    sub = typer.Typer(cls=Group, **options)
    return sub


app = typer.Typer(help="GovKG: knowledge graphs from government documents.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
entities_app = typer.Typer(help="Look up entities.", no_args_is_help=True)
documents_app = typer.Typer(help="List, show and delete documents.", no_args_is_help=True)
facts_app = typer.Typer(help="Facts and the candidates held back at write time.", no_args_is_help=True)
NEO4J_HELP = "Manage a local Neo4j server"
neo4j_app = typer.Typer(help=NEO4J_HELP, no_args_is_help=True, add_completion=False)
bench_app = typer.Typer(help="Benchmarks; each prints JSON.", no_args_is_help=True)
train_app = deferred_app("cli.train", help="Fine-tune models.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Evaluate models and the service on labelled data.", no_args_is_help=True)
tokens_app = typer.Typer(help="Bearer tokens of the HTTP API (stored as salted hashes).", no_args_is_help=True)
app.add_typer(entities_app, name="entities")
app.add_typer(documents_app, name="documents")
app.add_typer(facts_app, name="facts")
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(bench_app, name="bench")
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(tokens_app, name="tokens")


@app.callback()
def main_callback(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", help="TOML settings file (else $GOVKG_CONFIG).")] = None,
) -> None:
    try:
        ctx.obj = load_settings(config)
    except (FileNotFoundError, ValueError) as exc:
        fail(f"bad settings: {exc}")


# -- helpers for the commands ------------------------------------------------------------------------------
def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root callback loaded."""
    settings: Settings = ctx.find_root().obj
    return settings


@contextmanager
def opened(ctx: typer.Context, store: str | None = None, as_json: bool = False, *,
           errors: tuple[type[Exception], ...] = (), settings: Settings | None = None,
           describe: Callable[[Exception], str] = str) -> Iterator[Services]:
    """The services of one command (over `store`, else the settings' store), closed when the block ends.

    A store error, or one of `errors`, raised in the block is printed (`describe(exc)`; as JSON with `as_json`)
    and the command exits 1. `settings` replaces the command line's (a scratch store, say)."""
    caught: tuple[type[Exception], ...] = (GraphError, *errors)
    services = build_services(settings or settings_of(ctx), store)
    try:
        yield services
    except (typer.Exit, typer.Abort):  # a command's own exit (`fail`), never an error to print
        raise
    except caught as exc:
        fail(describe(exc), as_json)
    finally:
        services.close()


def use_threads(ctx: typer.Context, threads: int | None) -> int:
    """Set torch's thread count (`--threads`, else models.threads) and return it."""
    import torch

    count = threads or settings_of(ctx).models.threads
    torch.set_num_threads(count)
    return count


def department_view(department: str | None) -> Scope | None:
    """`--department D`: what D sees (its own documents, public ones, those shared with it); else all."""
    from graph.visibility import Scope

    return Scope.of([department]) if department else None


def default_ner_model(ctx: typer.Context, given: Path | None) -> Path:
    """`--ner-model`, else models.ner_model, else models/ner."""
    if given is not None:
        return given
    from service.components import default_models_dir

    return settings_of(ctx).models.ner_model or default_models_dir() / "ner"


# -- a command's options from an argument dataclass ----------------------------------------------------------
def options_from(args_cls: type, *, skip: Collection[str] = (), optional: Collection[str] = (),
                 types: Mapping[str, Any] | None = None, shared: Mapping[str, Any] | None = None,
                 into: str = "args") -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a command so that its parameter `into` becomes one option per field of the dataclass
    `args_cls` (in field order, at that parameter's place) and the command receives their values as a dict
    in `into`, keyed by field name: each name, type, default and help text is written once, in the dataclass.

    An option is named after its field (`shape_lr`: `--shape-lr`; a bool: `--flag/--no-flag`) or by
    `metadata["option"]`; it shows `metadata["help"]` and keeps `metadata["min"]` as its lower bound.
    `skip`: fields the command line does not set (the dataclass default holds). `optional`: fields the
    dataclass requires but the command fills when they are not given (default None). `types`: a field's
    type on the command line (a Path for a str field). `shared`: a field that takes one of the shared
    options above (ThreadsOpt), with the field's default."""
    fields = dataclasses.fields(args_cls)
    named = {f.name for f in fields}
    types, shared = dict(types or {}), dict(shared or {})
    unknown = (set(skip) | set(optional) | set(types) | set(shared)) - named
    if unknown:
        raise TypeError(f"{args_cls.__name__} has no field {', '.join(sorted(unknown))}")
    hints = typing.get_type_hints(args_cls)
    options = []
    for f in fields:
        if f.name in skip:
            continue
        kind: Any = types.get(f.name, hints[f.name])
        default: Any = inspect.Parameter.empty  # a required option
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        if f.name in optional:
            kind, default = kind | None, None
        if f.name in shared:
            annotation = shared[f.name]
        else:
            declared = (f.metadata["option"],) if "option" in f.metadata else ()
            annotation = Annotated[kind, typer.Option(*declared, help=f.metadata.get("help"),
                                                      min=f.metadata.get("min"))]
        options.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                         annotation=annotation))

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(command, eval_str=True)
        if into not in signature.parameters:
            raise TypeError(f"{command.__name__} has no parameter {into!r} for the options of {args_cls.__name__}")
        parameters = []
        for parameter in signature.parameters.values():
            if parameter.name == into:
                parameters.extend(options)
            else:
                parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

        @functools.wraps(command)
        def with_options(**given: Any) -> None:
            values = {option.name: given.pop(option.name) for option in options}
            command(**given, **{into: values})

        with_options.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        with_options.__annotations__ = {p.name: p.annotation for p in parameters}
        return with_options

    return decorate
