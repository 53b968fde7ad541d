"""The officer's desk: the lists of the home screen and of ``countersign queue``."""
