"""Signed checkpoints of the audit trail, to keep outside the registry.

A checkpoint is a signed act over the chain's head: the newest event's
sequence number and hash.  Kept elsewhere (another disk, a ticket, an
e-mail), it lets ``audit --verify --checkpoint FILE`` name events removed or
rewritten since, which the registry alone cannot prove for events after its
newest signed head.  Writing one is an audit event too.
"""

from __future__ import annotations

import json
from pathlib import Path

from countersign.errors import CountersignError
from countersign.models.vocabulary import AuditAction, AuditObject
from countersign.plain_files import read_plain_text
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.identities.identities import SigningKey
from countersign.services.storage.database import Database, utc_now
from countersign.services.trust.acts import CHECKPOINT, SignedAct, read_act

MAX_CHECKPOINT_BYTES = 64 * 1024
"""A checkpoint file is a few KiB; a larger one is refused unread."""


class CheckpointRefused(CountersignError):
    """A checkpoint file that cannot be written or read; nothing was changed."""


def write_checkpoint(database: Database, signing: SigningKey, output: Path) -> SignedAct:
    """Sign the chain's head with ``signing``, record it, and write it to ``output``."""
    if output.is_dir():
        raise CheckpointRefused(f"{output} is a folder; give the checkpoint file to write")
    now = utc_now()
    with database.write() as session:
        act = signing.act_signer().sign(session, CHECKPOINT, {"file": output.name}, now)
        head = act.head
        assert head is not None
        append_events(
            session,
            [
                EventDraft(
                    AuditAction.AUDIT_CHECKPOINT,
                    AuditObject.TRAIL,
                    str(head.seq),
                    signing.identity.email,
                    {"events": head.seq, "hash": head.hash, "signed": act.as_json()},
                )
            ],
        )
        text = json.dumps(act.as_json(), indent=1, sort_keys=True) + "\n"
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CheckpointRefused(
                f"cannot write {output}: {error.strerror or error}; no checkpoint was recorded"
            ) from None
    return act


def read_checkpoint(path: Path) -> SignedAct:
    """The signed act in a checkpoint file, or :class:`CheckpointRefused` naming the file."""
    try:
        if path.stat().st_size > MAX_CHECKPOINT_BYTES:
            raise CheckpointRefused(f"{path}: too large to be a checkpoint")
        text = read_plain_text(path)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CheckpointRefused(f"{path}: cannot be read: {reason}") from None
    try:
        act = read_act(json.loads(text))
    except ValueError:
        act = None
    if act is None or act.kind != CHECKPOINT:
        raise CheckpointRefused(f"{path}: is not a Countersign checkpoint")
    return act
