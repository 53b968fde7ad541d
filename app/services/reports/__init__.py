"""Signed review reports: gathering, signing, verifying and publishing them."""
