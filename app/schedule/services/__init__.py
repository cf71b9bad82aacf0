"""Schedule use cases: class types (class_types.py), weekly series and keeping them ahead
(series.py), one class's time, place, coach and the clash checks (classes.py)."""

from app.schedule.services.class_types import save_class_type
from app.schedule.services.classes import (
    ClassChange,
    class_when,
    create_class,
    reschedule_class,
)
from app.schedule.services.series import (
    SeriesUpdate,
    create_series,
    extend_open_series,
    future_classes,
    occurrences,
    update_series,
)

__all__ = ["ClassChange", "SeriesUpdate", "class_when", "create_class", "create_series",
           "extend_open_series", "future_classes", "occurrences", "reschedule_class",
           "save_class_type", "update_series"]
