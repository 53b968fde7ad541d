"""The audit trail window and its item model."""
