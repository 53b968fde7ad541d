"""The registry's integrity: ``audit --verify`` over the trail, its signed acts and every row, and checkpoints.

It sits above the audit trail, identities, reviews and trust it checks, so
that none of them needs to import it.
"""
