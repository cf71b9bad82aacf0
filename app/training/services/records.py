"""Personal records, detected when a set is saved.

A set is compared with every other set the client logged for the same exercise in the studio:
- heaviest load: no other set moved as much or more for at least as many reps;
- estimated 1RM (Epley) above every other set's;
- volume (load × reps) above every other set's;
- without load (bodyweight): more reps than any other unloaded set.
The very first set of an exercise sets a baseline, not a record. Removing a set (undo) never
takes a record away from a later one, so records are kept on the set that set them.
"""

from decimal import Decimal

from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.training.models import LoggedSet, RecordKind, estimated_1rm


def detect_records(logged: LoggedSet) -> list[str]:
    """The record kinds `logged` sets against the client's other sets of that exercise."""
    others = and_(LoggedSet.studio_id == logged.studio_id, LoggedSet.client_id == logged.client_id,
                  LoggedSet.exercise_id == logged.exercise_id, LoggedSet.id != logged.id)
    loaded = LoggedSet.load > 0
    e1rm = case((LoggedSet.reps <= 1, LoggedSet.load),
                else_=LoggedSet.load * (30 + LoggedSet.reps) / 30)
    row = db.session.execute(select(
        func.count(),
        func.max(case((loaded, e1rm))),
        func.max(LoggedSet.load * LoggedSet.reps),
        func.max(case((~loaded, LoggedSet.reps))),
        func.count().filter(and_(LoggedSet.reps >= logged.reps, LoggedSet.load >= logged.load)),
    ).where(others)).one()
    count, best_e1rm, best_volume, best_reps, as_good = row
    if not count:
        return []
    load = Decimal(logged.load)
    if load <= 0:
        return [RecordKind.REPS.value] if best_reps is not None and logged.reps > best_reps else []
    kinds = []
    if not as_good:
        kinds.append(RecordKind.LOAD.value)
    if (best_e1rm is None
            or estimated_1rm(load, logged.reps) > Decimal(best_e1rm).quantize(Decimal("0.01"))):
        kinds.append(RecordKind.E1RM.value)
    if best_volume is None or load * logged.reps > Decimal(best_volume):
        kinds.append(RecordKind.VOLUME.value)
    return kinds
