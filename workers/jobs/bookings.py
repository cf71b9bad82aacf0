from app.bookings import services
from app.bookings.models import Booking
from app.extensions import db
from workers.jobs import job


@job
def expire_offer(booking_id: int) -> bool:
    """Pass an unclaimed waitlist offer to the next person once its hold has run out."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        return False
    return services.expire_offer(booking.scheduled_class.studio, booking)
