"""Studios (tenants), locations, rooms, staff roles and the customers each studio serves."""
