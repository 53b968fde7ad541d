"""Approval attestations: in-toto Statements (v1) in DSSE envelopes, signed by an officer.

:mod:`.dsse` is the envelope (pre-authentication encoding, signing, reading,
checking a signature); :mod:`.statement` the Statement and Countersign's
approval predicate.  Neither reads the registry: the report service gathers
what an attestation states (:mod:`countersign.services.reports.attestation`)
and the gate checks one offline
(:mod:`countersign.services.deployment.attestation_gate`).
"""
