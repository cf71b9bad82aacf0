"""Platform operators: tenants and users across the whole service."""
