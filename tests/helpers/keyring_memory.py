"""Keyring backends for tests: the app's in-memory one, ones that misbehave, and cheap keys.

Identities are created and unlocked through the real ``keyring`` API with
:class:`~countersign.services.identities.memory_keyring.MemoryKeyring` (the one
the demo and the benchmarks use), handed to a keystore with :data:`TEST_ROUNDS`
PBKDF2 rounds (:func:`cheap_keystore`): the workstation's 600,000 rounds are its
default, passed in, never patched.  :func:`installed` also makes a backend
keyring's configured one, for code that builds its own keystore (the command line).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import PasswordSetError

from countersign.services.identities.keystore import Keystore
from countersign.services.identities.memory_keyring import MemoryKeyring

__all__ = [
    "TEST_ROUNDS",
    "ForgetfulKeyring",
    "MemoryKeyring",
    "PlaintextKeyring",
    "RankedKeyring",
    "RefusingKeyring",
    "cheap_keystore",
    "installed",
]

TEST_ROUNDS = 1_000
"""PBKDF2 rounds of the keys tests make: enough to be PBKDF2, cheap enough for hundreds."""


def cheap_keystore(backend: KeyringBackend | None = None) -> Keystore:
    """A keystore over ``backend`` (keyring's configured one if None) with cheap rounds."""
    return Keystore(backend, rounds=TEST_ROUNDS)


class _InstancePriority:
    """Priority 1 on an instance (a chainer ranks those); on the class, keyring finds none."""

    def __get__(self, instance: object, owner: type | None = None) -> float:
        if instance is None:
            raise RuntimeError("a test keyring is never the configured keyring")
        return 1.0


class RankedKeyring(MemoryKeyring):
    """An in-memory keyring a chainer can rank, for tests of choosing one; keyring never picks it."""

    priority = _InstancePriority()


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
    """Make ``backend`` keyring's configured backend inside the block, then restore the old one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
