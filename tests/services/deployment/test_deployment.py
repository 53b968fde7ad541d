"""Stages, classification and revocation as services: the rules, and that a refusal stores nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.deployment.errors import DeploymentRefused, NotAnOfficer
from countersign.services.deployment.records import ClassifyRequest, GateQuestion, RevokeRequest
from countersign.services.reviews.errors import StageRefused, TemplateNotApplicable
from tests.helpers.registry import raw_connection
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, table_counts, workbench

ANA, BEA, OLGA = "ana@example.org", "bea@example.org", "olga@example.org"


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    with workbench(tmp_path, registry_db) as built:
        built.import_card(medium_card())
        built.person(ANA)
        built.person(BEA)
        built.person(OLGA, role="officer")
        yield built


def _unchanged(bench: Workbench) -> tuple[dict[str, int], dict[str, str]]:
    return table_counts(bench.path), bench.statuses()


def test_classification_carries_over_and_sets_the_checklist(bench: Workbench) -> None:
    deployment = bench.services.deployment
    deployment.classify(
        ClassifyRequest("credit-scorer", "1.0", "high", "Consumer credit.", OLGA), PASSPHRASE
    )
    bench.import_card(medium_card(version="2.0"))
    versions = deployment.versions("credit-scorer")
    assert [v.classification.tier if v.classification else None for v in versions] == [
        "high",
        "high",
    ]
    assert versions[1].card_rating == "medium"  # shown beside the officer's
    # Lighter than the tier: refused; stricter is always allowed.
    with pytest.raises(TemplateNotApplicable, match="is high risk"):
        bench.sign(ANA, version="2.0", template="standard")
    result = bench.sign(ANA, version="2.0", template="high-risk")
    assert result.review.quorum == 2 and result.review.stage == "staging"


def test_only_an_officer_classifies_and_a_refusal_stores_nothing(bench: Workbench) -> None:
    before = _unchanged(bench)
    with pytest.raises(
        NotAnOfficer, match=r"ana@example\.org has the role approver; only an officer"
    ):
        bench.services.deployment.classify(
            ClassifyRequest("credit-scorer", None, "high", "x", ANA), PASSPHRASE
        )
    with pytest.raises(DeploymentRefused, match="give the reason"):
        bench.services.deployment.classify(
            ClassifyRequest("credit-scorer", None, "high", " ", OLGA), PASSPHRASE
        )
    with pytest.raises(DeploymentRefused, match="unknown risk tier 'severe'"):
        bench.services.deployment.classify(
            ClassifyRequest("credit-scorer", None, "severe", "x", OLGA), PASSPHRASE
        )
    assert _unchanged(bench) == before


def test_unclassified_and_unrated_cannot_be_approved_for_the_last_stage(tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        bench.import_card(medium_card().model_copy(update={"risk_rating": ""}))
        bench.person(ANA)
        bench.person(OLGA, role="officer")
        bench.sign(ANA)  # staging: allowed
        before = _unchanged(bench)
        with pytest.raises(StageRefused, match="is not classified and its card states no risk"):
            bench.sign(ANA, stage="production")
        assert _unchanged(bench) == before
        bench.services.deployment.classify(
            ClassifyRequest("credit-scorer", None, "low", "Internal tool.", OLGA), PASSPHRASE
        )
        assert bench.sign(OLGA, stage="production").review.status == "approved"


def test_revoke_needs_an_approval_and_an_officer(bench: Workbench) -> None:
    deployment = bench.services.deployment
    before = _unchanged(bench)
    with pytest.raises(DeploymentRefused, match="is not requested for staging; only an approval"):
        deployment.revoke(RevokeRequest("credit-scorer", "1.0", "staging", "x", OLGA), PASSPHRASE)
    with pytest.raises(DeploymentRefused, match="'qa' is not a stage of this registry"):
        deployment.revoke(RevokeRequest("credit-scorer", "1.0", "qa", "x", OLGA), PASSPHRASE)
    assert _unchanged(bench) == before
    bench.sign(ANA)
    with pytest.raises(NotAnOfficer):
        deployment.revoke(RevokeRequest("credit-scorer", "1.0", "staging", "x", BEA), PASSPHRASE)
    act = deployment.revoke(
        RevokeRequest("credit-scorer", "1.0", "staging", "Leak found.", OLGA), PASSPHRASE
    )
    assert act.problem() == "" and act.subject["stage"] == "staging"
    assert deployment.versions("credit-scorer")[0].status_for("staging") == "revoked"
    gate = deployment.gate("credit-scorer", "1.0", GateQuestion("production"))
    assert [c.check for c in gate.failed] == ["approved for staging", "approved for production"]
    with pytest.raises(StageRefused, match="is revoked for staging"):
        bench.sign(BEA, stage="production")
    exported = deployment.export_revocations()
    assert exported["format"] == "countersign-revocations"
    assert len(exported["revocations"]) == 1


def test_the_gate_imports_no_qt(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from countersign.cli import main\n"
        f"rc = main(['--db', {str(tmp_path / 'r.sqlite3')!r}, 'gate', 'm@1', '--stage', 'production'])\n"
        f"rc2 = main(['gate', '--evidence', {str(tmp_path / 'none.pdf')!r}, '--stage', 's',"
        f" '--trust', {str(tmp_path / 'none.pem')!r}])\n"
        "print(rc, rc2, any(m.startswith('PySide6') for m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["1", "1", "False"], done.stderr


def test_the_registry_gate_fails_when_a_signed_row_was_changed(bench: Workbench) -> None:
    bench.sign(ANA)
    assert bench.services.deployment.gate("credit-scorer", "1.0", GateQuestion("staging")).ok
    with raw_connection(bench.path) as raw:
        raw.execute("UPDATE review_responses SET note = 'Changed afterwards.' WHERE id = 1")
    gate = bench.services.deployment.gate("credit-scorer", "1.0", GateQuestion("staging"))
    assert [c.check for c in gate.failed] == ["sign-offs"]
    assert "the signature does not verify" in gate.failed[0].detail


def test_a_template_for_production_only_is_refused_for_staging(
    bench: Workbench, tmp_path: Path
) -> None:
    source = Path("resources/checklists/standard.yaml").read_text(encoding="utf-8")
    production_only = source.replace("id: standard\n", "id: go-live\n").replace(
        "quorum: 1\n", "quorum: 1\nstages: [production]\n"
    )
    path = tmp_path / "go-live.yaml"
    path.write_text(production_only, encoding="utf-8")
    bench.checklists.import_file(path)
    before = _unchanged(bench)
    with pytest.raises(TemplateNotApplicable, match="serves the stages production, not staging"):
        bench.sign(ANA, template="go-live", answers=bench.answers("standard"))
    assert _unchanged(bench) == before
    bench.sign(ANA)  # staging with the standard checklist
    assert bench.sign(OLGA, template="go-live", answers=bench.answers("standard")).review.stage == (
        "production"
    )


def test_the_flow_on_sqlite_and_postgresql(registry_db: str, tmp_path: Path) -> None:
    with workbench(tmp_path, registry_db) as bench:
        bench.import_card(medium_card())
        bench.person(ANA)
        bench.person(OLGA, role="officer")
        deployment = bench.services.deployment
        deployment.classify(
            ClassifyRequest("credit-scorer", None, "low", "Internal.", OLGA), PASSPHRASE
        )
        bench.sign(ANA)
        bench.sign(ANA, stage="production")
        status = deployment.status("credit-scorer")
        assert status.summary == "production 1.0"
        summaries = bench.services.registry.stage_summaries(
            [m.id for m in bench.services.registry.models()]
        )
        assert list(summaries.values()) == ["production 1.0"]
        assert deployment.gate("credit-scorer", "1.0", GateQuestion("production")).ok
        deployment.revoke(
            RevokeRequest("credit-scorer", "1.0", "production", "Drift.", OLGA), PASSPHRASE
        )
        assert not deployment.gate("credit-scorer", "1.0", GateQuestion("production")).ok
        assert deployment.gate("credit-scorer", "1.0", GateQuestion("staging")).ok
        assert bench.services.registry.stage_summaries(
            [m.id for m in bench.services.registry.models()]
        ) == {next(iter(summaries)): "staging 1.0"}
