"""What the workstation does: registry, import, audit.  Plain Python, never Qt."""
