"""The tamper-evident audit trail: appending events, reading them, checking the chain."""
