"""`python -m reporting.cli`: the `vigil` command without its console script."""

from reporting.cli.main import main

main()
