"""Refusals of the deployment side: stages, classification, revocation, the gate's usage."""

from __future__ import annotations

from countersign.errors import CountersignError


class DeploymentRefused(CountersignError):
    """A stage change, classification, revocation or export that cannot be done as asked."""


class NotAnOfficer(DeploymentRefused):
    """Only an officer may classify risk or revoke an approval."""


class EvidenceUnreadable(CountersignError):
    """The evidence or revocations file given to the gate cannot be read at all."""
