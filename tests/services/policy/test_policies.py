"""The officer's metric policy: imported as versions, audited, frozen by a sign-off, used by diffs.

Every hostile policy file is refused naming the file and the field, and stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.audit.trail import verify_chain
from countersign.services.diff.card_diff import compare_versions
from countersign.services.policy.policies import PolicyFrozen, PolicyRefused, parse_policy
from tests.helpers.registry import audit_actions, native_card
from tests.helpers.signoff import Workbench, medium_card, workbench

ANA = "ana@example.org"

POLICY = """\
version: 1
title: Retail credit policy
description: Directions the credit risk office agreed for its scorecards.
metrics:
  - name: approval rate
    direction: higher
    note: At a fixed PD cut-off, more applicants approved at the same risk is better.
  - name: ks statistic
    aliases: [ks]
    direction: higher
  - name: population stability index
    aliases: [psi]
    target: 0
    target_label: stable
"""


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    with workbench(tmp_path) as made:
        yield made


@pytest.fixture
def any_bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    """A workbench on SQLite and on PostgreSQL."""
    with workbench(tmp_path, registry_db) as made:
        yield made


def _write(folder: Path, text: str, name: str = "policy.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_policy_is_imported_as_a_version_and_audited(
    any_bench: Workbench, tmp_path: Path
) -> None:
    bench = any_bench
    policies = bench.services.policies
    assert policies.versions() == []
    version, outcome, changes = policies.import_file(_write(tmp_path, POLICY))
    assert (outcome, version.policy.version, version.source, version.frozen) == (
        "imported",
        1,
        "policy.yaml",
        False,
    )
    assert [change.line() for change in changes] == [
        "changed  ks statistic: higher is better (also ks, kolmogorov smirnov, k s) → "
        "higher is better (also ks)",
        "added    approval rate: higher is better",
        "added    population stability index: closer to 0 (stable) is better (also psi)",
    ]
    assert audit_actions(bench.path)[-1] == "policy.imported"
    judge = policies.judge()
    assert judge.rule("Approval rate").direction == "higher"
    assert judge.rule("PSI on holdout").target == 0
    assert judge.rule("AUC").direction == "higher"  # the shipped terms stay in force
    _, again, _ = policies.import_file(_write(tmp_path, POLICY))
    assert again == "unchanged"
    assert audit_actions(bench.path).count("policy.imported") == 1
    with bench.db.read() as session:
        assert verify_chain(session).ok


def test_an_unused_version_can_be_replaced_a_used_one_is_frozen(
    any_bench: Workbench, tmp_path: Path
) -> None:
    bench = any_bench
    policies = bench.services.policies
    policies.import_file(_write(tmp_path, POLICY))
    changed = POLICY.replace("direction: higher\n    note", "direction: lower\n    note")
    _, outcome, changes = policies.import_file(_write(tmp_path, changed))
    assert outcome == "replaced"
    assert [c.line() for c in changes] == [
        "changed  approval rate: higher is better → lower is better"
    ]
    assert policies.judge().rule("Approval rate").direction == "lower"
    # A sign-off made under the policy freezes it.
    bench.import_card(medium_card())
    bench.person(ANA, "approver")
    bench.sign(ANA)
    assert "policy.frozen" in audit_actions(bench.path)
    assert policies.versions()[-1].frozen
    before = audit_actions(bench.path)
    with pytest.raises(PolicyFrozen, match=r"policy.yaml: .*frozen.*version: 2"):
        policies.import_file(_write(tmp_path, POLICY))
    assert audit_actions(bench.path) == before
    assert policies.judge().rule("Approval rate").direction == "lower"
    # A new version is taken, and an older one is not.
    version, outcome, _ = policies.import_file(
        _write(tmp_path, POLICY.replace("version: 1", "version: 2"))
    )
    assert (version.policy.version, outcome) == (2, "imported")
    assert policies.judge().rule("Approval rate").direction == "higher"
    policies.import_file(_write(tmp_path, POLICY.replace("version: 1", "version: 4")))
    with pytest.raises(PolicyFrozen, match="older than version 4"):
        policies.import_file(_write(tmp_path, POLICY.replace("version: 1", "version: 3")))
    assert [v.policy.version for v in policies.versions()] == [1, 2, 4]


def test_the_diff_is_judged_by_the_policy_in_force(bench: Workbench, tmp_path: Path) -> None:
    def results(approval: str) -> dict[str, object]:
        return {
            "results": [
                {"name": "Approval rate", "value": approval, "numeric": float(approval[:-1])},
                {
                    "name": "Adverse impact ratio",
                    "value": "0.81",
                    "numeric": 0.81,
                    "slice": "age 18-24",
                },
            ]
        }

    bench.import_card(native_card("scorer", "1.0", quantitative_analyses=results("68.4%")))
    bench.import_card(native_card("scorer", "2.0", quantitative_analyses=results("70.1%")))
    before = compare_versions(bench.services.registry, "scorer", "1.0", "2.0").diff
    by_name = {change.key.name: change for change in before.metrics}
    assert by_name["Approval rate"].verdict == "unknown"
    bench.services.policies.import_file(_write(tmp_path, POLICY))
    after = compare_versions(bench.services.registry, "scorer", "1.0", "2.0").diff
    assert {change.key.name: change.verdict for change in after.metrics} == {
        "Approval rate": "better"
    }


HOSTILE = [
    ("not: [a, policy", "", "not valid YAML"),
    ("- a\n- list\n", "", "a metric policy is a mapping"),
    ("version: 1\ntitle: T\n", "metrics", "required, but missing"),
    ("version: 1\ntitle: T\nmetrics: []\n", "metrics", "at least 1 item"),
    ("version: 0\ntitle: T\nmetrics: [{name: a, direction: higher}]\n", "version", "greater than"),
    (
        "version: 1\ntitle: T\nrules: 1\nmetrics: [{name: a, direction: higher}]\n",
        "rules",
        "unknown key",
    ),
    (
        "version: 1\ntitle: T\nmetrics: [{name: a, direction: sideways}]\n",
        "metrics[0].direction",
        "'higher' or 'lower'",
    ),
    (
        "version: 1\ntitle: T\nmetrics: [{name: a, direction: higher, target: 1}]\n",
        "metrics[0]",
        "not both",
    ),
    ("version: 1\ntitle: T\nmetrics: [{name: a}]\n", "metrics[0]", "not neither"),
    ("version: 1\ntitle: T\nmetrics: [{name: a, target: .nan}]\n", "metrics[0].target", "finite"),
    (
        "version: 1\ntitle: T\nmetrics: [{name: a, target: 1e300}]\n",
        "metrics[0].target",
        "less than",
    ),
    (
        "version: 1\ntitle: T\nmetrics: [{name: '--', direction: lower}]\n",
        "metrics[0]",
        "no letters",
    ),
    (
        'version: 1\ntitle: T\nmetrics: [{name: "a\\u0007b", direction: lower}]\n',
        "metrics[0].name",
        "string should match pattern",
    ),
    (
        "version: 1\ntitle: T\nmetrics: [{name: auc, direction: higher}, "
        "{name: roc, aliases: [AUC], direction: lower}]\n",
        "metrics",
        "already a name or alias of 'auc'",
    ),
    (
        "version: 1\ntitle: T\nmetrics: [{name: a, direction: higher, aliases: "
        + str(["x"] * 51).replace("'", "")
        + "}]\n",
        "metrics[0].aliases",
        "at most 50 items",
    ),
]


@pytest.mark.parametrize(("text", "field", "reason"), HOSTILE)
def test_a_hostile_policy_is_refused_naming_file_and_field(
    bench: Workbench, tmp_path: Path, text: str, field: str, reason: str
) -> None:
    before = audit_actions(bench.path)
    with pytest.raises(PolicyRefused) as refused:
        bench.services.policies.import_file(_write(tmp_path, text, "bad.yaml"))
    assert refused.value.file == "bad.yaml"
    assert refused.value.field == field
    assert reason.casefold() in refused.value.reason.casefold()
    assert not any(ord(char) < 32 for char in str(refused.value))
    assert bench.services.policies.versions() == []
    assert audit_actions(bench.path) == before


def test_a_policy_of_aliases_that_expand_is_refused_in_bounded_time() -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    with pytest.raises(PolicyRefused) as refused:
        parse_policy(laughs.encode(), "laughs.yaml")
    assert refused.value.file == "laughs.yaml"
    assert "alias" in refused.value.reason


def test_an_oversized_or_binary_policy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyRefused, match="larger than 1 MiB"):
        parse_policy(b"#" * (1024 * 1024 + 1), "big.yaml")
    with pytest.raises(PolicyRefused) as refused:
        parse_policy(b"version: 1\n\xff\xfe", "binary.yaml")
    assert (refused.value.file, refused.value.field) == ("binary.yaml", "byte 11")
