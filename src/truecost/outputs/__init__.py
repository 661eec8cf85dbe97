"""Outputs: terminal tables, Markdown, CSV and JSON renderings of analysis results."""
