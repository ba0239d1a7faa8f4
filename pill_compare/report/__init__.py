"""Rendering computed results: tables (text, Markdown, JSON, CSV) and plots. Computes no metric."""
