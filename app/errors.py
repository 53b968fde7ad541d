"""Errors the officer can act on, each with a message written for them.

Bugs are not here: they go to the crash path with a traceback.
"""

from __future__ import annotations


class CountersignError(Exception):
    """Base of every error whose message is meant for the officer as it stands."""


class RegistryError(CountersignError):
    """The registry database cannot be used as it is."""


class RegistryUnreadable(RegistryError):
    """The registry file is missing its folder, unreadable, or not a Countersign registry."""


class RegistryLocked(RegistryError):
    """Another program holds the registry locked for longer than we wait."""


class RegistryTooNew(RegistryError):
    """The registry was written by a newer Countersign than this one."""


class DiskFull(RegistryError):
    """The disk holding the registry is full; nothing was written."""


class ImportCancelled(CountersignError):
    """The officer cancelled an import before it landed; nothing was written."""
