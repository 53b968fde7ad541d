"""Merging the work of a registry that forked from this one and grew apart (``registry copy``).

:mod:`.fork` finds where the two chains parted and which of the source's
events are new here; :mod:`.rows` brings the source's rows over with ids of
this registry, matching those it already holds.
"""
