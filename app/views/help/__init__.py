"""Help for the officer: the user guide, readable offline."""
