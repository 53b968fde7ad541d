"""The model page and its tabs: Card, Versions, Source, Attachments, History."""
