"""The deployment side of sign-off: stages, risk classification, revocation and the gate."""
