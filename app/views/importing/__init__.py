"""The import preview: what importing would do, before anything lands."""
