"""Settings ▸ Metric policy."""
