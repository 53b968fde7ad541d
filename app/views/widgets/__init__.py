"""Widgets and item models that several screens share."""
