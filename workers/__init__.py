"""RQ runtime: `python -m workers` runs a worker with the scheduler on every FitFlow queue."""

import os
from pathlib import Path


def yield_to_web(niceness: int) -> None:
    """Run this process (an RQ worker and the work-horses it forks) below the web's priority:
    PDFs, e-mails and calendar syncs are background work, so on a small box a busy worker takes
    idle CPU without slowing the pages people wait for (config WORKER_NICE; 0 leaves it)."""
    if niceness <= 0:
        return
    os.nice(niceness)
    # With Linux's autogroups, a process that leads its own session (a service, a detached
    # worker) is scheduled as a group, and only the group's niceness counts against the web's
    # session: lower that too. A worker sharing the web's session (one Procfile runner) leaves
    # it alone, since the group holds the web as well.
    if os.getsid(0) == os.getpid():
        try:
            Path("/proc/self/autogroup").write_text(str(niceness))
        except OSError:  # no autogroups (another kernel, a container without /proc access)
            pass
