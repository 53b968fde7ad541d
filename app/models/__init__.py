"""Data definitions: the canonical card, bundle manifests and registry tables."""
