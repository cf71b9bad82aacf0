"""RQ runtime: `python -m workers` runs a worker with the scheduler on every FitFlow queue."""
