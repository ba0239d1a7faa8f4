"""Command-line interface: thin typer commands over the public API. Nothing imports this."""

from pill_compare.cli.app import app, main

__all__ = ["app", "main"]
