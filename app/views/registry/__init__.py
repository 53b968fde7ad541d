"""The registry browser: every model, searched and filtered."""
