"""Hugging Face README.md model cards: front matter, model-index and Markdown body."""
