"""Small keyring backends for tests: one that keeps secrets in memory, ones that misbehave.

The unit tests install :class:`MemoryKeyring` with ``keyring.set_keyring``
(through :func:`installed`, restored afterwards) so that identities are created and unlocked
through the real ``keyring`` API without touching the machine's keyring.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError

from countersign.services.identities import keystore


class MemoryKeyring(KeyringBackend):
    """A keyring held in a dict, forgotten when the test ends."""

    priority = 1  # keyring declares it a class property; a plain value will do

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """The secret stored for (service, username), or None."""
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store (or replace) a secret."""
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Forget a secret; refuses when there is none, as real backends do."""
        if (service, username) not in self.entries:
            raise PasswordDeleteError("no such password")
        del self.entries[(service, username)]


class RefusingKeyring(MemoryKeyring):
    """A keyring that is there but refuses to store anything (a locked collection)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        """Refuse, as a locked Secret Service collection does."""
        raise PasswordSetError("Failed to unlock the collection!")


class ForgetfulKeyring(MemoryKeyring):
    """A keyring that accepts a secret and keeps nothing."""

    def set_password(self, service: str, username: str, password: str) -> None:
        """Accept and drop the secret."""
        return None


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's plain-text file backend (same module and class name)."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


@contextmanager
def installed(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make ``backend`` keyring's configured backend inside the block, then restore the old one.

    Keys are encrypted with fewer PBKDF2 rounds meanwhile, to keep the tests fast.
    """
    previous = keyring.get_keyring()
    rounds = keystore.PBKDF2_ITERATIONS
    keyring.set_keyring(backend)
    keystore.PBKDF2_ITERATIONS = 10_000
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
        keystore.PBKDF2_ITERATIONS = rounds
