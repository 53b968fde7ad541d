"""The officer's desk: what waits for them and what is approved where, for the home screen and CLI.

The window's home screen and ``countersign queue`` both read it here, so the
two always show the same lists.  "My" means the identities whose private keys
this workstation's keyring holds: an officer's rounds are the ones none of
their identities has signed yet.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from countersign.errors import CountersignError
from countersign.models.vocabulary import DeskList
from countersign.services.desk import lists
from countersign.services.desk.records import (
    FIRST_PAGE,
    ApprovedWhere,
    AwaitingSignature,
    ChangesRequested,
    Desk,
    DeskPage,
    Expiring,
    ImportWarnings,
    Officer,
    ToReview,
)
from countersign.services.identities.identities import Identities
from countersign.services.reviews.stages import stage_names
from countersign.services.storage.database import Database

AnyPage = (
    DeskPage[ToReview]
    | DeskPage[AwaitingSignature]
    | DeskPage[ChangesRequested]
    | DeskPage[ApprovedWhere]
    | DeskPage[Expiring]
    | DeskPage[ImportWarnings]
)


class DeskService:
    """The lists of the home screen, read from one registry for the identities held here."""

    def __init__(self, database: Database, identities: Identities) -> None:
        self.database = database
        self.identities = identities

    def officer(self) -> Officer:
        """Whose desk this is: the active identities whose keys this keyring holds."""
        emails: list[str] = []
        names: list[str] = []
        try:
            for identity in self.identities.list_all(include_retired=False):
                if self.identities.keystore.load(identity.fingerprint) is not None:
                    emails.append(identity.email)
                    names.append(identity.name)
        except CountersignError as problem:  # no keyring, or a locked one
            return Officer((), (), str(problem))
        return Officer(tuple(emails), tuple(names))

    def desk(self, first: int = FIRST_PAGE, officer: Officer | None = None) -> Desk:
        """Every list with its first ``first`` rows, in one read of the registry."""
        officer = officer if officer is not None else self.officer()
        with self.database.read() as session:
            stages = tuple(stage_names(session))
            mine = lists.my_identity_ids(session, officer.emails)
            return Desk(
                officer=officer,
                stages=stages,
                to_review=lists.to_review(session, 0, first),
                awaiting_signature=lists.awaiting_signature(session, mine, 0, first),
                changes_requested=lists.changes_requested(session, 0, first),
                approved=lists.approved(session, stages, 0, first),
                expiring=lists.expiring(session, 0, first),
                import_warnings=lists.import_warnings(session, 0, first),
                recent_window=lists.RECENT_IMPORTS,
                expiring_within=lists.EXPIRING_WITHIN_DAYS,
            )

    def page(self, kind: DeskList, officer: Officer, offset: int, limit: int) -> AnyPage:
        """Rows ``offset`` … ``offset + limit`` of the list ``kind`` (for ``officer``'s rounds)."""
        with self.database.read() as session:
            return _page(session, kind, officer, offset, limit)


def _page(session: Session, kind: DeskList, officer: Officer, offset: int, limit: int) -> AnyPage:
    if kind == DeskList.TO_REVIEW:
        return lists.to_review(session, offset, limit)
    if kind == DeskList.AWAITING_SIGNATURE:
        mine = lists.my_identity_ids(session, officer.emails)
        return lists.awaiting_signature(session, mine, offset, limit)
    if kind == DeskList.CHANGES_REQUESTED:
        return lists.changes_requested(session, offset, limit)
    if kind == DeskList.APPROVED:
        return lists.approved(session, stage_names(session), offset, limit)
    if kind == DeskList.EXPIRING:
        return lists.expiring(session, offset, limit)
    return lists.import_warnings(session, offset, limit)
