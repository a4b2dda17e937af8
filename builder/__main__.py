"""`python -m builder` is the `builder` command."""

from builder.command.cli import run

run()
