"""`python -m api` is the `govkg` command."""
from api.cli import main

main()
