"""A registry with cards, reviewer identities and an in-memory keyring, for sign-off tests."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from countersign.cli import main
from countersign.models.card import ModelCard
from countersign.services.identities.identities import Identities, IdentityInfo, SigningKey
from countersign.services.importing.importer import LooseCardInfo
from countersign.services.reviews.checklists import Checklists
from countersign.services.reviews.conditions import ApprovalTerms, add_months, today
from countersign.services.reviews.reviews import Answer, Reviews, SignOffRequest, SignOffResult
from countersign.services.storage.database import Database
from countersign.services.workstation import ServiceOptions, Services, open_services
from tests.helpers.keyring_memory import TEST_ROUNDS, MemoryKeyring, cheap_keystore, installed
from tests.helpers.registry import Place, native_card, place_of, raw_connection, write_card

PASSPHRASE = "correct horse battery staple"
"""Every test identity's passphrase."""

FOUNDER = "founder@example.org"
"""The officer a workbench makes first when a test's first identity is no officer."""

SIGNOFF_TABLES = (
    "identities",
    "checklist_templates",
    "reviews",
    "signatures",
    "review_responses",
    "audit_events",
)


def medium_card(name: str = "credit-scorer", version: str = "1.0", **extra: Any) -> ModelCard:
    """A medium-risk card (reviewed with the standard checklist), owned by risk-analytics@."""
    return native_card(name, version, risk_rating="medium", **extra)


@dataclass
class Workbench:
    """One registry file with its services, built as the program builds them."""

    folder: Path
    services: Services
    keyring: MemoryKeyring

    @property
    def db(self) -> Database:
        """The registry."""
        return self.services.database

    @property
    def identities(self) -> Identities:
        """Reviewer identities, with keys in :attr:`keyring`."""
        return self.services.identities

    @property
    def reviews(self) -> Reviews:
        """Review rounds and sign-offs."""
        return self.services.reviews

    @property
    def checklists(self) -> Checklists:
        """Checklist templates."""
        return self.services.checklists

    @property
    def path(self) -> Place:
        """The registry's raw place: its file, or its PostgreSQL URL."""
        return place_of(self.db)

    def import_card(self, card: ModelCard, file: str | None = None, team: str = "Risk") -> None:
        """Import ``card`` as a loose native JSON file."""
        name = file or f"{card.model_details.name}-{card.model_details.version}.json"
        path = write_card(self.folder, name, card)
        report = self.services.importer.import_file(path, LooseCardInfo(team=team))
        assert report.ok, report.plan.reason()

    founder: SigningKey | None = None
    """The registry's first officer, unlocked: it grants the roles :meth:`person` asks for."""

    def person(self, email: str, role: str = "approver", name: str | None = None) -> IdentityInfo:
        """A new self-signed identity with :data:`PASSPHRASE`, granted ``role`` by an officer.

        The registry's first identity is its officer; when the first asked for
        is not an officer, a founding officer (:data:`FOUNDER`) is made first.
        """
        label = name or email.split("@", maxsplit=1)[0].replace(".", " ").title()
        if self.founder is None and role == "officer":
            made = self.identities.create(label, email, role, PASSPHRASE)
            self.founder = self.identities.unlock(email, PASSPHRASE)
            return made
        return self.identities.create(label, email, role, PASSPHRASE, granted_by=self.officer())

    def officer(self) -> SigningKey:
        """The registry's founding officer, unlocked (made as :data:`FOUNDER` if there is none)."""
        if self.founder is None:
            self.identities.create("Founding Officer", FOUNDER, "officer", PASSPHRASE)
            self.founder = self.identities.unlock(FOUNDER, PASSPHRASE)
        return self.founder

    def answers(
        self, template: str = "standard", answer: str = "pass", note: str = "Checked by hand."
    ) -> dict[str, Answer]:
        """The same answer (with a note) to every item of ``template``."""
        items = self.checklists.get(template).template.items
        return {item.id: Answer(answer, note) for item in items}  # type: ignore[arg-type]

    def request(  # noqa: PLR0913  # a test builder: each keyword has a default; a test names what it changes
        self,
        email: str,
        decision: str = "approve",
        *,
        model: str = "credit-scorer",
        version: str | None = "1.0",
        template: str = "standard",
        answers: dict[str, Answer] | None = None,
        comment: str = "",
        stage: str | None = None,
        terms: ApprovalTerms | None = None,
    ) -> SignOffRequest:
        """A sign-off request, every item answered pass unless ``answers`` says otherwise.

        An approval under a template that limits how long approvals hold expires as late
        as the template allows for every tier, unless ``terms`` says otherwise.
        """
        if terms is None:
            limits = self.checklists.get(template).template.validity_months.values()
            longest = min(limits) if limits and decision == "approve" else None
            terms = ApprovalTerms(expires=add_months(today(), longest) if longest else None)
        return SignOffRequest(
            model=model,
            version=version,
            template=template,
            answers=self.answers(template) if answers is None else answers,
            decision=decision,
            identity=email,
            comment=comment,
            stage=stage,
            terms=terms,
        )

    def sign(self, email: str, decision: str = "approve", **kwargs: Any) -> SignOffResult:
        """Sign a request built by :meth:`request` with :data:`PASSPHRASE`."""
        return self.reviews.sign(self.request(email, decision, **kwargs), PASSPHRASE)

    def counts(self) -> dict[str, int]:
        """Rows in each sign-off table, read with a plain connection."""
        return table_counts(self.path)

    def statuses(self) -> dict[str, str]:
        """Each card version's status and each model's, read with a plain connection."""
        with raw_connection(self.path) as connection:
            out = {
                f"{m}@{v}": s
                for m, v, s in connection.execute(
                    "SELECT m.name, v.version, v.status FROM card_versions v "
                    "JOIN models m ON m.id = v.model_id"
                )
            }
            out.update({m: s for m, s in connection.execute("SELECT name, status FROM models")})
            return out


def table_counts(path: Place) -> dict[str, int]:
    """Rows in each sign-off table of the registry at ``path``."""
    with raw_connection(path) as connection:
        return {
            t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SIGNOFF_TABLES
        }


@contextmanager
def workbench(folder: Path, db: str | None = None) -> Iterator[Workbench]:
    """A fresh registry (in ``folder``, or at ``db``) with an in-memory keyring installed."""
    folder.mkdir(parents=True, exist_ok=True)
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        with open_services(
            db or str(folder / "registry.sqlite3"),
            ServiceOptions(keyring=backend, actor="officer", key_rounds=TEST_ROUNDS),
        ) as services:
            yield Workbench(folder=folder, services=services, keyring=backend)


# -- organisation-issued credentials ---------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Bank"),
        ]
    )


def issued_pkcs12(
    email: str | None,
    password: bytes | None,
    *,
    common_name: str = "Bea Approver",
    key: Any = None,
    days: int = 365,
) -> tuple[bytes, x509.Certificate, x509.Certificate]:
    """A PKCS#12 file issued by a throwaway "Example Bank Issuing CA": (bytes, leaf, CA)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Example Bank Issuing CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = key if key is not None else ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    leaf = builder.sign(ca_key, hashes.SHA256())
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(b"bea", leaf_key, leaf, [ca], encryption)
    return data, leaf, ca


def expires_option(months: int = 6) -> list[str]:
    """``--expires`` a date within what the shipped high-risk checklist allows (12 months for
    high, 6 for critical), as an approval of a high or critical card must give."""
    return ["--expires", add_months(today(), months).isoformat()]


def cli_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    """Run ``countersign argv`` in-process expecting success; its stdout as JSON."""
    capsys.readouterr()
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def cli_identities(db: Path | str, keyring: MemoryKeyring, people: list[tuple[str, str]]) -> None:
    """Set up ``(email, role)`` identities as ``identity create`` and ``identity grant`` would.

    The first officer listed founds the registry (listed first or not); when
    none is listed, :data:`FOUNDER` does.  Every other identity is created and
    granted its role by that officer (cheap key derivation: the command line keeps the workstation's 600,000 PBKDF2 rounds, and ``test_identity.py`` runs it).
    """
    officer = next((email for email, role in people if role == "officer"), FOUNDER)
    ordered = sorted(people, key=lambda person: person[0] != officer)
    if officer == FOUNDER:
        ordered.insert(0, (FOUNDER, "officer"))
    database = Database.open(str(db))
    try:
        identities = Identities(database, cheap_keystore(keyring))
        founder = None
        for email, role in ordered:
            name = email.split("@", maxsplit=1)[0].title()
            identities.create(name, email, role, PASSPHRASE, granted_by=founder)
            if founder is None:
                founder = identities.unlock(email, PASSPHRASE)
    finally:
        database.dispose()


def fair_lending_card(version: str, young_air: str = "0.78", auc: str = "0.87") -> ModelCard:
    """A high-risk credit card reporting the adverse impact ratio per slice (18-24 at
    ``young_air``) and its overall AUC, as the high-risk template's thresholds read them."""

    def result(name: str, value: str, slice_: str = "") -> dict[str, Any]:
        return {
            "name": name,
            "value": value,
            "numeric": float(value),
            "dataset": "holdout-2026",
            "split": "test",
            "slice": slice_,
        }

    return native_card(
        "credit-scorer",
        version,
        quantitative_analyses={
            "results": [
                result("AUC", auc),
                result("Adverse impact ratio", young_air, "age 18-24"),
                result("Adverse impact ratio", "0.96", "gender female"),
            ]
        },
    )
