"""RQ runtime: `python -m workers` runs a worker with the scheduler on every FitFlow queue."""

import os


def yield_to_web(niceness: int) -> None:
    """Run this process (an RQ worker and the work-horses it forks) below the web's priority:
    PDFs, e-mails and calendar syncs are background work, so on a small box a busy worker takes
    idle CPU without slowing the pages people wait for (config WORKER_NICE; 0 leaves it)."""
    if niceness > 0:
        os.nice(niceness)
