"""Use cases of the sign-in factors, split by factor."""
