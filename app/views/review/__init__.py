"""The Review tab: the checklist, the decision, and signing the sign-off."""
