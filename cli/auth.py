"""`govkg tokens create|list|revoke` and `govkg audit`: principals and the audit log, from the local CLI
(which holds the data directory and acts as an administrator)."""
from __future__ import annotations

from typing import Annotated

import typer

from cli.app import JsonOpt, StoreOpt, app, opened, tokens_app
from cli.output import console, print_json
from service.auth.errors import AuthError
from service.auth.principal import Role


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Who or what holds it (shown in the audit log).")],
    department: Annotated[list[str] | None, typer.Option(
        "--department", "-d", help="A department it acts for (repeatable; required but for admins).")] = None,
    label: Annotated[list[str] | None, typer.Option(
        "--label", "-l", help="A label it holds: a sharing label, or `restricted` (repeatable).")] = None,
    role: Annotated[Role, typer.Option("--role", help="reader, editor or admin.")] = Role.reader,
    expires: Annotated[float | None, typer.Option("--expires", help="Days until it expires (default: never).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a token and print it once (only its salted hash is kept)."""
    with opened(ctx, store, as_json, errors=(AuthError,)) as services:
        created = services.tokens.create(name, department or [], label or [], role, expires)
        services.audit.record("cli", "tokens", "ok", target=created.info.id, detail=f"created {name!r} ({role.value})")
    if as_json:
        print_json(created)
        return
    info = created.info
    console.print(f"token {info.id} for {info.name!r} ({info.role.value}; departments: "
                  f"{', '.join(info.departments) or '-'}; labels: {', '.join(info.labels) or '-'}; "
                  f"expires: {info.expires_at or 'never'})", highlight=False)
    console.print("it is shown only now; send it as `Authorization: Bearer <token>`:", highlight=False)
    typer.echo(created.token)


@tokens_app.command("list")
def tokens_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every token (never the secret), with its state."""
    with opened(ctx, as_json=as_json) as services:
        infos = services.tokens.list()
    if as_json:
        print_json([{**i.model_dump(mode="json"), "active": i.active} for i in infos])
        return
    for i in infos:
        state = "revoked" if i.revoked_at else "expired" if not i.active else "active"
        console.print(f"{i.id}  {i.name}  {i.role.value}  [{', '.join(i.departments) or '-'}] "
                      f"labels: {', '.join(i.labels) or '-'}  {state}  created {i.created_at[:19]}"
                      f"{'  expires ' + i.expires_at[:19] if i.expires_at else ''}", highlight=False)


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context,
    id_or_name: Annotated[str, typer.Argument(help="A token id, or a name (revokes every active token of it).")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a token: it stops working at once."""
    with opened(ctx, store, as_json, errors=(AuthError,)) as services:
        revoked = services.tokens.revoke(id_or_name)
        services.audit.record("cli", "tokens", "ok", target=id_or_name, detail=f"revoked {revoked}")
    if as_json:
        print_json({"revoked": revoked})
    else:
        console.print(f"revoked {revoked} token(s)")


@app.command("audit")
def audit_cmd(
    ctx: typer.Context,
    action: Annotated[str | None, typer.Option(help="import, delete, export, ask or tokens.")] = None,
    principal: Annotated[str | None, typer.Option(help="A token's name, or cli.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The audit log, newest first: who imported, deleted, exported and asked, when, and the outcome."""
    with opened(ctx, store, as_json) as services:
        events = services.store.audit_events(limit, offset, action=action, principal=principal)
    if as_json:
        print_json(events)
        return
    for e in events:
        console.print(f"{e.at[:19]}  {e.principal}  {e.action}  {e.outcome}  {e.target or '-'}"
                      f"{'  [' + e.department + ']' if e.department else ''}  {e.detail or ''}", highlight=False)
