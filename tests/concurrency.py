"""Run one function from many threads at once, each with its own app context, connection and
transaction — real concurrent PostgreSQL transactions for the race tests."""

import threading

from app.extensions import db


def run_at_once(app, fn, args_list):
    """Start every fn(*args) together; commit each; return (results, errors) in finish order."""
    start = threading.Barrier(len(args_list))
    results, errors = [], []

    def one(args):
        with app.app_context():
            try:
                start.wait(timeout=30)
                result = fn(*args)
                db.session.commit()
                results.append(result)
            except Exception as exc:  # collected and asserted by the test
                db.session.rollback()
                errors.append(exc)

    threads = [threading.Thread(target=one, args=(a,)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors
