"""Readers and writers of card formats and of card bundles.  No Qt, no database."""
