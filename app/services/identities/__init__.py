"""Reviewer identities: their certificates, and their private keys in the OS keyring."""
