"""Checklists, automatic checks, reviews and signed sign-offs."""
