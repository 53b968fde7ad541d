"""Refusals of reviewer identities and their keys, each with a message for the officer.

Every class here is a :class:`~countersign.errors.CountersignError`, so the
command line prints the message and exits 1, and a view shows it in a dialog
as it stands.  Whenever one is raised, nothing was stored.  They live with the
identity services, which raise them; the review services, which use an
identity to sign, import them from here.
"""

from __future__ import annotations

from countersign.errors import CountersignError, InputRefused


class KeystoreUnavailable(CountersignError):
    """No usable operating-system keyring: what is missing, and how to fix it."""


class KeyMissing(CountersignError):
    """The keyring holds no private key for an identity (made on another machine or account)."""


class IdentityError(CountersignError):
    """A reviewer identity cannot be created, found or used as asked."""


class IdentityNotFound(IdentityError):
    """No identity with that e-mail address or fingerprint is in the registry."""


class IdentityExists(IdentityError):
    """An active identity already has that e-mail address or certificate."""


class IdentityRetired(IdentityError):
    """The identity was retired: it can no longer sign (its signatures still verify)."""


class WrongPassphrase(IdentityError):
    """The passphrase does not unlock the identity's private key."""


class StoredKeyDamaged(IdentityError):
    """The keyring entry of an identity's key is no encrypted key: no passphrase can open it."""


class WeakPassphrase(IdentityError):
    """A new passphrase is too short or empty."""


class CredentialRefused(InputRefused, IdentityError):
    """A certificate or PKCS#12 file that cannot be used, naming the file and the field."""
