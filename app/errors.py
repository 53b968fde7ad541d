"""Errors the officer can act on, each with a message written for them.

:class:`CountersignError` is the one root: the command line prints any of
them and exits 1, and a view shows its message as it stands.  Input from
outside that is refused (:class:`InputRefused`, raised by the format readers)
is one of them too, so callers catch one type.  Bugs are not here: they go to
the crash path with a traceback.
"""

from __future__ import annotations


class CountersignError(Exception):
    """Base of every error whose message is meant for the officer as it stands."""


class InputRefused(CountersignError):
    """Input from outside that Countersign will not take, with a reason for the officer.

    ``file`` names the file (a path inside a bundle, or a file name) and
    ``field`` the place inside it (a JSON path, a manifest key, a zip entry),
    so that the message says exactly where the problem is.
    """

    def __init__(self, file: str, field: str, reason: str) -> None:
        self.file = file
        self.field = field
        self.reason = reason
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {reason}")


class RegistryError(CountersignError):
    """The registry database cannot be used as it is."""


class RegistryUnreadable(RegistryError):
    """The registry file is missing its folder, unreadable, or not a Countersign registry."""


class RegistryUnreachable(RegistryError):
    """The registry's server cannot be reached, refused the login, or the connection was lost."""


class RegistryLocked(RegistryError):
    """Another program holds the registry locked for longer than we wait."""


class RegistryTooNew(RegistryError):
    """The registry was written by a newer Countersign than this one."""


class DiskFull(RegistryError):
    """The disk holding the registry is full; nothing was written."""


class ImportCancelled(CountersignError):
    """The officer cancelled an import before it landed; nothing was written."""
