"""The `govkg` command line: one module per command group, mounted by `cli.main`."""
