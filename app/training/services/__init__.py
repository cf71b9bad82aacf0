"""Training use cases: the exercise library, workout templates and plans, logging sessions set
by set, personal records. Services flush; the request commits."""
