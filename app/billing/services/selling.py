"""The location of what is sold: the one place that decides it. Its tax jurisdiction sets an
order's taxes, its date the tax point, its currency the order's, its address and registration
numbers the invoice's."""

from app.extensions import db
from app.studios.models import Location


def selling_location(studio, *, booking_class=None, appointment=None,
                     order=None) -> Location:
    """Where a sale happens: a class's or a 1:1 session's own location when the sale is for
    one (a drop-in bought to book a class at Location B, a late-cancel fee of a class there);
    an order already placed keeps the location it was sold at; anything else (a pack, a
    membership) the studio's default location, which speaks for the studio as a whole."""
    if order is not None and order.location_id is not None:
        return db.session.get(Location, order.location_id)
    held_at = booking_class if booking_class is not None else appointment
    if held_at is not None and held_at.location_id != studio.default_location_id:
        return db.session.get(Location, held_at.location_id)
    return studio.default_location


def invoice_numbers(studio, location: Location) -> list:
    """The registration numbers printed for a sale at `location`: its own, else the studio's."""
    return list(location.tax_numbers or studio.tax_numbers)
