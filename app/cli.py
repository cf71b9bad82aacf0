"""Flask CLI commands: `flask --app wsgi demo`."""

import click


def init_app(app):
    @app.cli.command("demo")
    def demo():
        """Load the demo studios, people, classes and bookings (safe to run again)."""
        from app.demo import load_demo

        summary = load_demo()
        click.echo(", ".join(f"{k}: {v}" for k, v in summary.items()))
