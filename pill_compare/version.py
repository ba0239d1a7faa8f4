"""pillcmp's version, in one place (pyproject.toml reads it; report.json records it)."""

__version__ = "0.1.0"
