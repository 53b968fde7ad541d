"""The approval statement: the shipped schema and in-toto's bindings accept it, with or without terms."""

from __future__ import annotations

import dataclasses
import json
from importlib.resources import files

import jsonschema
import pytest
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement

from countersign.services.attestation.statement import (
    PREDICATE_TYPE,
    StatementRefused,
    approval_statement,
    read_statement,
)
from tests.helpers.attestation import FACTS


def _schema() -> dict[str, object]:
    text = files("countersign.resources").joinpath("attestation/approval-v1.schema.json")
    schema: dict[str, object] = json.loads(text.read_text("utf-8"))
    return schema


@pytest.mark.parametrize(
    "facts",
    [FACTS, dataclasses.replace(FACTS, conditions=("Monitor drift.",), expires="2027-06-30")],
    ids=["plain", "with-terms"],
)
def test_the_statement_meets_the_schema_and_in_toto(facts: object) -> None:
    assert isinstance(facts, type(FACTS))
    statement = json.loads(approval_statement(facts))
    jsonschema.Draft202012Validator.check_schema(_schema())
    jsonschema.validate(statement, _schema())
    proto = json_format.Parse(json.dumps(statement), statement_pb2.Statement())
    Statement.copy_from_pb(proto).validate()
    assert proto.predicate_type == PREDICATE_TYPE
    read = read_statement(approval_statement(facts), "a.json")
    assert read.model_files == [("model.onnx", "d" * 64)]
    assert read.quorum == 1 and len(read.approvers) == 1


def test_the_schema_refuses_a_statement_without_the_card_subject() -> None:
    statement = json.loads(approval_statement(FACTS))
    statement["subject"] = statement["subject"][:1]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(statement, _schema())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subject": []}, "a.json: payload: subject: a list of at least one is expected"),
        ({"subject": [{"name": "x"}]}, "a.json: payload: subject[0].digest: no sha256"),
        ({"predicate": "approve"}, "a.json: payload: predicate: an object is expected"),
    ],
)
def test_a_malformed_statement_is_refused_by_field(change: dict[str, object], message: str) -> None:
    statement = {**json.loads(approval_statement(FACTS)), **change}
    with pytest.raises(StatementRefused) as refused:
        read_statement(json.dumps(statement).encode(), "a.json")
    assert str(refused.value) == message
