"""Countersign: a desktop review workstation for model governance."""

__version__ = "0.1.0"
