"""Trust anchored outside the registry file: pinned certificates, signed acts, who may sign what."""
