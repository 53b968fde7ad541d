"""Laying a review report out as PDF pages with reportlab."""
