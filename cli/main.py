"""The `govkg` command line (Typer): the root app of cli/app.py with the commands of every module below.
Every command a script may call takes --json.

Each command module registers its commands on the shared apps (cli/app.py) when it is imported; the order of
COMMAND_MODULES is only the order `govkg --help` lists them in. cli/train.py is not among them: the `train`
sub-app imports it the first time it is used (`deferred_app`).
"""
from __future__ import annotations

import importlib

from cli.app import app

COMMAND_MODULES = ("imports", "serve", "documents", "auth", "rdf", "records", "qa", "entities", "facts", "neo4j",
                   "bench", "evaluate")
for _module in COMMAND_MODULES:
    importlib.import_module(f"cli.{_module}")

__all__ = ["app", "main"]


def main() -> None:
    app()
