"""The domain's words: defined once, each with a label, stored as before, never spelled out again."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from countersign.models import vocabulary
from countersign.models.vocabulary import (
    APPROVING_ROLES,
    OPEN_STATUSES,
    AnswerValue,
    AuditAction,
    AuditObject,
    CardFormat,
    CardOutcome,
    CardStatus,
    Decision,
    DeskList,
    DraftFormat,
    IdentitySource,
    ModelFileSignature,
    Role,
    SignatureStatus,
    StageStatus,
    Theme,
    Vocabulary,
)

APP = Path(vocabulary.__file__).resolve().parents[1]

EVERY_VOCABULARY = (
    CardStatus,
    StageStatus,
    Decision,
    AnswerValue,
    Role,
    IdentitySource,
    CardFormat,
    DraftFormat,
    CardOutcome,
    SignatureStatus,
    ModelFileSignature,
    AuditAction,
    AuditObject,
    DeskList,
    Theme,
)

GUARDED = (
    CardStatus,
    Decision,
    AnswerValue,
    Role,
    IdentitySource,
    CardFormat,
    DraftFormat,
    CardOutcome,
    SignatureStatus,
    AuditAction,
)
"""Vocabularies whose values must not be spelled out in app/ (AuditObject's "model", "file"
and "bundle" are everyday words and JSON keys, so they are left out)."""

OTHER_MEANINGS = {
    ("formats/mct/reader.py", "valid"): "a word that marks a validation data set",
    ("formats/cyclonedx.py", "valid"): "a word that marks a validation data set",
    ("views/reports/checks.py", "valid"): "the verdict on a signed report, not a bundle's",
}
"""Places where a guarded word means something else; each says why."""

EVERYDAY_WORDS = {"unchanged"}
"""Guarded values that are also everyday words elsewhere (a metric, a checklist template can
be unchanged too), so the guard leaves them out."""


def test_every_vocabulary_is_here() -> None:
    defined = {
        value
        for value in vars(vocabulary).values()
        if isinstance(value, type) and issubclass(value, Vocabulary) and value is not Vocabulary
    }
    assert defined == set(EVERY_VOCABULARY)


@pytest.mark.parametrize("words", EVERY_VOCABULARY, ids=lambda words: words.__name__)
def test_every_member_has_a_human_label(words: type[Vocabulary]) -> None:
    for member in words:
        label = member.label
        assert label.strip() == label and label, member
        assert "_" not in label and "." not in label, f"{member!r} is labelled as a code"
        assert words.word(member.value) == label
        assert words.known(member.value)


def test_values_are_the_strings_the_registry_already_stores() -> None:
    # Changing one would need a migration of every registry: these are stored and hashed.
    assert [s.value for s in CardStatus] == [
        "submitted",
        "in review",
        "approved",
        "changes requested",
        "rejected",
        "superseded",
        "revoked",
    ]
    assert [d.value for d in Decision] == ["approve", "changes", "reject"]
    assert [a.value for a in AnswerValue] == ["pass", "fail", "na"]
    assert [r.value for r in Role] == ["reviewer", "approver", "officer"]
    assert {f.value for f in CardFormat} == {
        "huggingface",
        "mct",
        "sagemaker",
        "cyclonedx",
        "native-json",
        "native-yaml",
    }
    assert {f.value for f in DraftFormat} == {"huggingface", "native"}
    assert [o.value for o in CardOutcome] == ["new model", "new version", "unchanged", "refused"]
    assert {s.value for s in SignatureStatus} == {"valid", "absent"}
    # Stored in each model file a card version names (artifacts_json).
    assert {s.value for s in ModelFileSignature} == {"verified", "not signed", "failed"}
    assert ModelFileSignature.FAILED.label == "FAILED"
    assert {s.value for s in IdentitySource} == {"self-signed", "pkcs12"}
    assert "card_version.status_changed" in {a.value for a in AuditAction}
    assert CardStatus.IN_REVIEW == "in review" and f"{CardStatus.IN_REVIEW}" == "in review"


def test_the_words_say_what_the_rules_need() -> None:
    assert [d.outcome for d in Decision] == [
        CardStatus.APPROVED,
        CardStatus.CHANGES_REQUESTED,
        CardStatus.REJECTED,
    ]
    assert Decision.CHANGES.label == "request changes"
    assert AnswerValue.NA.label == "not applicable"
    assert CardFormat.HUGGINGFACE.label == "Hugging Face README"
    assert SignatureStatus.ABSENT.label == "not signed"
    assert AuditAction.CARD_VERSION_STATUS_CHANGED.label == "Status changed"
    assert OPEN_STATUSES == (CardStatus.SUBMITTED, CardStatus.IN_REVIEW)
    assert APPROVING_ROLES == (Role.APPROVER, Role.OFFICER)
    assert all(role.duties for role in Role)


def test_a_value_this_version_does_not_know_still_reads_as_words() -> None:
    assert AuditAction.word("stage.gate_opened") == "stage gate opened"
    assert not AuditAction.known("stage.gate_opened")
    assert not Role.known(None) and not Role.known(["officer"])
    assert CardStatus.word("on hold") == "on hold"


def _guarded_literals() -> dict[str, list[str]]:
    words: dict[str, list[str]] = {}
    for kind in GUARDED:
        for member in kind:
            if member.value not in EVERYDAY_WORDS:
                words.setdefault(member.value, []).append(kind.__name__)
    return words


def _keys(tree: ast.AST) -> set[int]:
    """Ids of constants that name a field (dict keys, subscripts): JSON keys, not words."""
    keys: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys.update(id(key) for key in node.keys if key is not None)
        elif isinstance(node, ast.Subscript):
            keys.add(id(node.slice))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get" and node.args:
            keys.add(id(node.args[0]))  # details.get("version"): a key
    return keys


def test_no_status_role_decision_format_or_action_is_spelled_out_in_app() -> None:
    words = _guarded_literals()
    found: list[str] = []
    sources = sorted(APP.rglob("*.py"))
    assert len(sources) > 100, f"app/ not found at {APP}"
    for path in sources:
        relative = path.relative_to(APP).as_posix()
        if relative == "models/vocabulary.py" or relative.startswith("migrations/"):
            continue  # the one definition; migrations are history and never change
        tree = ast.parse(path.read_text(encoding="utf-8"))
        keys = _keys(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in words
                and id(node) not in keys
                and (relative, node.value) not in OTHER_MEANINGS
            ):
                found.append(
                    f"app/{relative}:{node.lineno}: {node.value!r} "
                    f"(use {'/'.join(words[node.value])} from countersign.models.vocabulary)"
                )
    assert not found, "domain words spelled out instead of the vocabulary:\n" + "\n".join(found)


def test_the_guard_sees_a_literal_that_creeps_back(tmp_path: Path) -> None:
    tree = ast.parse('if status == "in review":\n    row = {"approved": 1}\n')
    keys = _keys(tree)
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in keys
    ]
    assert literals == ["in review"]
    assert "in review" in _guarded_literals()
