"""Domain-free plumbing every domain may use. Nothing here imports a domain."""
