"""`python -m cli` is the `govkg` command."""
from cli.main import main

main()
