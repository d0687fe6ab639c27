"""The HTTP service: citizens (chat), civil servants (search, procedures) and operations (health)."""
