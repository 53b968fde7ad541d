"""Asking for a passphrase: from the environment in scripts, else a prompt that does not echo."""

from __future__ import annotations

import getpass
import os
import sys

from countersign.errors import CountersignError

PASSPHRASE_ENV = "COUNTERSIGN_PASSPHRASE"
"""Answers the passphrase prompt in scripts."""

NEW_PASSPHRASE_ENV = "COUNTERSIGN_NEW_PASSPHRASE"
"""Answers the new-passphrase prompt of ``identity passphrase`` in scripts."""

PKCS12_PASSWORD_ENV = "COUNTERSIGN_P12_PASSWORD"
"""Answers the PKCS#12 file password prompt of ``identity import-p12`` in scripts."""


class PassphraseUnavailable(CountersignError):
    """No passphrase in the environment and no terminal to ask in."""


def ask_passphrase(prompt: str, env: str = PASSPHRASE_ENV, *, confirm: bool = False) -> str:
    """The passphrase from ``env`` if set, else typed at a prompt (twice with ``confirm``)."""
    given = os.environ.get(env)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise PassphraseUnavailable(
            f"a passphrase is needed and there is no terminal to ask in; set {env}"
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat it: ") != first:
        raise PassphraseUnavailable("the two passphrases differ; nothing was changed")
    return first
