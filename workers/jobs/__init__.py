"""Thin job functions: load by id, re-check state, call a service, commit. Safe to run twice."""

import functools

from app.extensions import db


def job(fn):
    """One commit per job; roll back on any failure so RQ can retry from a clean state."""

    @functools.wraps(fn)
    def run(*args):
        try:
            result = fn(*args)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise

    return run
