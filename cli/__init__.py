"""The `govkg` command line: cli/app.py holds the apps and what the commands share, one module per command
group adds its commands, cli/main.py gathers them (`govkg` and `python -m cli` run `cli.main:main`)."""
