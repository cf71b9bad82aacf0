"""Flask CLI commands: `flask --app wsgi demo`."""

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
