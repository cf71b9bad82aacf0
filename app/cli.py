"""Flask CLI commands: `flask --app wsgi demo`, `flask --app wsgi extend-series`."""

import click


def init_app(app):
    @app.cli.command("demo")
    def demo():
        """Load the demo studios, people, classes and bookings (safe to run again)."""
        if app.config["PRODUCTION"]:  # its accounts share a published password
            raise click.ClickException("flask demo loads accounts with a published password: "
                                       "it does not run with FITFLOW_ENV=production")
        from app.demo import load_demo

        summary = load_demo()
        click.echo(", ".join(f"{k}: {v}" for k, v in summary.items()))

    @app.cli.command("extend-series")
    def extend_series():
        """Make the classes of series without an end up to SERIES_WEEKS_AHEAD weeks ahead (the
        worker does it every six hours: workers/jobs/schedule.py)."""
        from app.extensions import db
        from app.schedule.services import extend_open_series

        made = extend_open_series()
        db.session.commit()
        click.echo(f"classes made: {made}")
