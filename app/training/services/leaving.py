"""A person deleting their account, as training sees it: their training history (plans made
for them, workouts logged, every set) is deleted in every studio. Called through accounts'
seam (app/accounts/services/deletion.py)."""

from sqlalchemy import delete

from app.extensions import db
from app.training.models import LoggedSet, TrainingPlan, TrainingSession


def delete_training_history(client, *, actor, now) -> None:
    """Delete `client`'s sets, logged sessions and plans (a plan's workouts go with it)."""
    for model in (LoggedSet, TrainingSession, TrainingPlan):
        db.session.execute(delete(model).where(model.client_id == client.id)
                           .execution_options(synchronize_session=False))
