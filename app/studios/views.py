"""Home page: the studios on this platform."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.studios.policies import console_studios
from app.studios.queries import list_studios

bp = Blueprint("studios", __name__)


@bp.get("/")
def index():
    return render_template("studios/home.html", studios=list_studios(),
                           managed=console_studios(current_user))
