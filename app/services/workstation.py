"""The one place that builds the services of a registry, for the window, the commands and tests.

The workstation window, every ``countersign`` command, the test fixtures and
the benchmarks all get their services from :func:`open_services` (or
:func:`build_services` over a registry already open), so that each runs the
services wired exactly as the program wires them.  Building them is cheap:
nothing is read until a service is used, and the keyring is vetted on first
use (signing, Settings ▸ Identities), not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from countersign.services.audit.records import AuditTrail
from countersign.services.deployment.service import Deployment
from countersign.services.desk.service import DeskService
from countersign.services.identities.identities import Identities
from countersign.services.identities.keystore import PBKDF2_ITERATIONS, Keystore
from countersign.services.importing.importer import Importer
from countersign.services.integrity.service import Integrity
from countersign.services.policy.policies import Policies
from countersign.services.registry import Registry
from countersign.services.reports.reports import Reports
from countersign.services.reviews.checklists import Checklists
from countersign.services.reviews.reviews import Reviews
from countersign.services.storage.database import Database
from countersign.services.storage.server import PasswordPrompt
from countersign.services.trust.store import TrustStore

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend


@dataclass(frozen=True)
class Services:
    """Every service of one open registry, built once and passed to whoever needs them.

    Used as a context manager, the registry is closed at the end of the block.
    """

    database: Database
    registry: Registry
    importer: Importer
    identities: Identities
    checklists: Checklists
    policies: Policies
    """The metric policy: the shipped one and the officer's versions."""
    reviews: Reviews
    reports: Reports
    deployment: Deployment
    audit: AuditTrail
    trust: TrustStore
    """The certificates this workstation trusts, kept outside the registry."""
    integrity: Integrity
    desk: DeskService
    """The home screen's lists: what waits for the officer, what is approved where."""

    def close(self) -> None:
        """Close the registry: its connections are released, the importer's workers stopped."""
        self.importer.close()
        self.database.dispose()

    def __enter__(self) -> Services:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class ServiceOptions:
    """Who works with the services and where their keys live.

    Private keys live in ``keyring`` (the system's configured keyring when
    None), each encrypted with ``key_rounds`` PBKDF2 rounds (tests pass fewer);
    ``actor`` is the name the audit trail records for this session's
    imports, identities and checklists (the operating-system user when None).
    """

    keyring: KeyringBackend | None = None
    actor: str | None = None
    key_rounds: int = PBKDF2_ITERATIONS


def build_services(database: Database, options: ServiceOptions | None = None) -> Services:
    """The services over the open registry ``database``, as ``options`` say."""
    options = options or ServiceOptions()
    actor = options.actor
    identities = Identities(
        database, Keystore(options.keyring, rounds=options.key_rounds), actor=actor
    )
    trust = TrustStore()
    return Services(
        database=database,
        registry=Registry(database),
        importer=Importer(database, actor=actor, team_certificates=trust.team_certificates),
        identities=identities,
        checklists=Checklists(database, actor=actor),
        policies=Policies(database, actor=actor),
        reviews=Reviews(database, identities),
        reports=Reports(database, identities, trust),
        deployment=Deployment(database, identities, actor=actor),
        audit=AuditTrail(database),
        trust=trust,
        integrity=Integrity(database, trust),
        desk=DeskService(database, identities),
    )


def open_services(
    db_location: str | None,
    options: ServiceOptions | None = None,
    *,
    create: bool = True,
    ask_password: PasswordPrompt | None = None,
) -> Services:
    """Open (and migrate) the registry at ``db_location`` and build its services.

    ``db_location`` is what ``--db`` takes: a file path, a database URL, or
    None for ``COUNTERSIGN_DB`` or the default registry.  Refusals are the
    :class:`~countersign.errors.RegistryError` of :meth:`Database.open`; a
    missing registry is made only when ``create`` says so (and on a PostgreSQL
    server never: see :func:`init_registry`); ``ask_password`` answers a
    server's password request; ``options`` are :func:`build_services`'.
    """
    database = Database.open(db_location, create=create, ask_password=ask_password)
    return build_services(database, options)


def init_registry(
    db_location: str | None, *, ask_password: PasswordPrompt | None = None
) -> tuple[str, bool]:
    """Create (or bring up to date) the registry at ``db_location``: where it is, and if it existed.

    The one way a registry comes to exist on a PostgreSQL server (``registry init``):
    opening never creates one there.
    """
    database = Database.open(db_location, create=True, initialise=True, ask_password=ask_password)
    try:
        return database.location, database.created is False
    finally:
        database.dispose()
