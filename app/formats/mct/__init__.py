"""Model Card Toolkit cards."""
