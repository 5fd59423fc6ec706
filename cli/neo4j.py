"""`govkg neo4j start|stop|status`: manage the local Neo4j server (see tools/neo4j_server.py).

`govkg neo4j …` manages the server the settings describe (`settings_config`). `build_app(get_config)` makes
the same commands a standalone app for another config: `get_config` may also take the Typer context
(`def config(ctx: typer.Context)`), e.g. to read the root command's settings object from
`ctx.find_root().obj` (typer 0.29 has no `typer.get_current_context()`). A `Neo4jServerConfig` found in
`ctx.obj` itself takes precedence over `get_config`, so a parent command may also hand one down that way.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pydantic
import typer

from cli.app import NEO4J_HELP, neo4j_app, settings_of
from graph.errors import GraphError
from tools.neo4j_server import Neo4jServer, Neo4jServerConfig, Neo4jServerStatus

StatusJsonOpt = Annotated[bool, typer.Option("--json", help="Print the status as JSON.")]

ConfigGetter = Callable[[], Neo4jServerConfig] | Callable[[typer.Context], Neo4jServerConfig]


def _takes_context(get_config: Callable[..., Neo4jServerConfig]) -> bool:
    try:
        params = inspect.signature(get_config).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)


def build_app(get_config: ConfigGetter) -> typer.Typer:
    """A standalone Typer app with `start`, `stop` and `status`, using the config `get_config()` returns
    (`get_config(ctx)` when it takes an argument)."""
    return add_commands(typer.Typer(help=NEO4J_HELP, no_args_is_help=True, add_completion=False), get_config)


def add_commands(sub: typer.Typer, get_config: ConfigGetter) -> typer.Typer:
    """Add `start`, `stop` and `status` to `sub`, using the config `get_config` gives (see `build_app`)."""
    with_ctx = _takes_context(get_config)

    def server(ctx: typer.Context) -> Neo4jServer:
        try:
            if isinstance(ctx.obj, Neo4jServerConfig):
                config = ctx.obj
            else:
                config = get_config(ctx) if with_ctx else get_config()  # type: ignore[call-arg]
        except (pydantic.ValidationError, ValueError) as exc:
            typer.echo(f"invalid Neo4j settings: {exc}", err=True)
            raise typer.Exit(2) from exc
        return Neo4jServer(config)

    def run(ctx: typer.Context, as_json: bool, action: Callable[[Neo4jServer], Neo4jServerStatus]) -> None:
        try:
            status = action(server(ctx))
        except GraphError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc
        except OSError as exc:
            typer.echo(f"Neo4j server: {exc}", err=True)
            raise typer.Exit(1) from exc
        _show(status, as_json)

    @sub.command()
    def start(
        ctx: typer.Context,
        timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds to wait for Bolt.")] = 120.0,
        as_json: StatusJsonOpt = False,
    ) -> None:
        """Start the server (downloading its jars on first use); no-op when it runs already."""
        run(ctx, as_json, lambda s: s.start(timeout_s=timeout))

    @sub.command()
    def stop(
        ctx: typer.Context,
        timeout: Annotated[float, typer.Option("--timeout", min=1,
                                               help="Seconds to wait after SIGTERM before SIGKILL.")] = 60.0,
        as_json: StatusJsonOpt = False,
    ) -> None:
        """Stop the server (SIGTERM, then SIGKILL after --timeout); no-op when it is not running."""
        run(ctx, as_json, lambda s: s.stop(timeout_s=timeout))

    @sub.command()
    def status(ctx: typer.Context, as_json: StatusJsonOpt = False) -> None:
        """Show whether the server runs and how to connect to it (exit code 0 either way)."""
        run(ctx, as_json, lambda s: s.status())

    return sub


def _show(status: Neo4jServerStatus, as_json: bool) -> None:
    if as_json:
        typer.echo(status.model_dump_json(indent=2))
        return
    state = "running" if status.running else ("starting or unresponsive" if status.pid else "not running")
    pid = f" (pid {status.pid})" if status.pid else ""
    typer.echo(f"Neo4j {status.version}: {state}{pid}")
    typer.echo(f"  bolt:      {status.bolt_uri}")
    typer.echo(f"  http:      {status.http_uri}")
    typer.echo(f"  user:      {status.user}  (password in {status.password_file})")
    typer.echo(f"  home:      {status.home}")
    typer.echo(f"  detail:    {status.message}")


def settings_config(ctx: typer.Context) -> Neo4jServerConfig:
    """The server the settings describe (neo4j.*, the data directory's neo4j home)."""
    settings = settings_of(ctx)
    conf = settings.neo4j
    extra: dict[str, Any] = {"jar_cache": conf.jar_cache} if conf.jar_cache else {}
    if conf.version:
        extra["version"] = conf.version
    return Neo4jServerConfig(home=settings.neo4j_home.resolve(), bolt_port=conf.bolt_port, http_port=conf.http_port,
                             heap=conf.heap, pagecache=conf.pagecache, user=conf.user, **extra)


def _default_config() -> Neo4jServerConfig:
    """Standalone use (`python -m cli.neo4j`): a server in ./var/neo4j with defaults."""
    return Neo4jServerConfig(home=Path("var") / "neo4j")


add_commands(neo4j_app, settings_config)  # `govkg neo4j …`

if __name__ == "__main__":
    build_app(_default_config)()
