"""Export, preview, verify and publish signed review reports."""
