"""A keyring held in memory: for the demo's build-time reviewers, the tests and the benchmarks.

It is a real ``keyring`` backend (the keystore stores, reads and deletes through
the same calls as with the Secret Service), but what it holds is forgotten
with it.  keyring registers every backend class it sees; this one's priority
raises, as keyring asks of a backend unfit for the environment, so keyring
never picks it (nor a subclass) as the officer's keyring: it is only ever
used where it is handed over, ``Keystore(MemoryKeyring())``.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class _NeverChosen:
    """A backend ``priority`` that keyring's own choice of backend finds not viable."""

    def __get__(self, instance: object, owner: type | None = None) -> float:
        raise RuntimeError("an in-memory keyring is never the configured keyring")


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict, gone when the object is: never the officer's keyring."""

    priority = _NeverChosen()

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """The secret stored for (service, username), or None."""
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store (or replace) a secret, in memory only."""
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Forget a secret; refuses when there is none, as keyring backends do."""
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")
