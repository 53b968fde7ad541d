"""Importing bundles and loose cards into the registry, all or nothing."""
