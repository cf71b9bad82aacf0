"""Personal records, detected when a set is saved.

A set is compared with every other set the client logged for the same exercise in the studio:
- heaviest load: no other set moved as much or more for at least as many reps;
- estimated 1RM (Epley) above every other set's;
- volume (load × reps) above every other set's;
- without load (bodyweight, or a reps-only exercise): more reps than any other unloaded set;
- a timed hold: longer than any other set;
- a distance: longer than any other set (longest distance);
- time × distance: no other set covered as far or farther as fast or faster (fastest time for
  the distance), and the longest distance.
The very first set of an exercise sets a baseline, not a record. Removing a set (undo) never
takes a record away from a later one, so records are kept on the set that set them.
"""

from decimal import Decimal

from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.training.models import LoggedSet, Measure, RecordKind, estimated_1rm


def detect_records(logged: LoggedSet, measure: Measure = Measure.REPS_LOAD) -> list[str]:
    """The record kinds `logged` sets against the client's other sets of that exercise, by
    what the exercise measures."""
    others = and_(LoggedSet.studio_id == logged.studio_id, LoggedSet.client_id == logged.client_id,
                  LoggedSet.exercise_id == logged.exercise_id, LoggedSet.id != logged.id)
    if not measure.counts_reps:
        return _time_and_distance(logged, measure, others)
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


def _time_and_distance(logged: LoggedSet, measure: Measure, others) -> list[str]:
    seconds, meters = logged.seconds or 0, logged.meters or 0
    as_fast = and_(LoggedSet.meters >= meters, LoggedSet.seconds <= seconds)
    count, best_seconds, best_meters, faster = db.session.execute(select(
        func.count(), func.max(LoggedSet.seconds), func.max(LoggedSet.meters),
        func.count().filter(as_fast),
    ).where(others)).one()
    if not count:
        return []
    kinds = []
    if measure == Measure.TIME and seconds > (best_seconds or 0):
        kinds.append(RecordKind.HOLD.value)
    if measure == Measure.TIME_DISTANCE and meters and seconds and not faster:
        kinds.append(RecordKind.PACE.value)
    if measure.has_distance and meters > (best_meters or 0):
        kinds.append(RecordKind.DISTANCE.value)
    return kinds
