"""Settings ▸ Identities and the forms that make and change reviewer identities."""
