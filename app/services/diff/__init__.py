"""Comparing card versions: fields, metrics, text lines and words."""
