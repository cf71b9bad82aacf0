"""`python -m bench [--quick] [--only P1,P3]`: prepare data, run gunicorn, measure, print a
table."""

import argparse
import json
import signal
import sys
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor

from redis import Redis

from bench import data, figures, webhooks
from bench.client import WRK, User
from bench.config import (
    LARGE,
    QUICK_LARGE,
    REDIS_URL,
    RESULTS,
    SMALL,
    alternative_setting,
    procfile_setting,
)
from bench.data import DESK_EMAIL as DESK
from bench.server import Server

FIGURES = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P11", "P12"]


def options(argv):
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small data, short runs (< 2 min)")
    parser.add_argument("--only", default=",".join(FIGURES), help="e.g. P1,P3")
    parser.add_argument("--json", action="store_true", help="also print a machine-readable summary")
    parser.add_argument("--no-results", action="store_true", help="do not write results.json")
    parser.add_argument("--drills", action="store_true",
                        help="fault drills under load instead of the figures (bench/drills.py)")
    opt = parser.parse_args(argv)
    opt.only = [f.strip().upper() for f in opt.only.split(",") if f.strip()]
    quick = opt.quick
    opt.runs = 3 if quick else 5
    opt.seconds = 2 if quick else 4
    opt.p3_runs = 1 if quick else 3
    opt.pdf_runs = 4 if quick else 10
    opt.p7_runs = 1 if quick else 5
    opt.p7_workers = 8
    opt.p8_csv_runs = 3 if quick else 5
    return opt


def main(argv=None) -> int:
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))  # atexit stops gunicorn
    opt = options(argv if argv is not None else sys.argv[1:])
    if opt.drills:
        return run_drills(opt)
    if WRK is None:
        print("wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    large = QUICK_LARGE if opt.quick else LARGE
    print("Preparing data")
    markers = {"small": data.prepare(SMALL)}
    if {"P4", "P8", "P11"} & set(opt.only):
        markers["large"] = data.prepare(large)
    Redis.from_url(REDIS_URL).flushdb()
    results = []
    setting = procfile_setting()
    with Server(SMALL.database, workers=setting.workers, threads=setting.threads,
                balanced=True) as srv:
        print(f"gunicorn (small, the Procfile's {setting}) at {srv.url}")
        user = User(srv.url, "bench0@example.com")
        for name in opt.only:
            print(f"  {name} …", flush=True)
            t0 = time.perf_counter()
            try:
                res = run_figure(name, srv, user, large, opt)
            except Exception as exc:  # one broken figure still leaves the others' numbers
                traceback.print_exc()
                res = {"figure": name, "raw": {"error": repr(exc)},
                       "checks": [figures.check("ran", repr(exc)[:60], "no error", False)]}
            res["seconds"] = round(time.perf_counter() - t0, 1)
            results.append(res)
    Redis.from_url(REDIS_URL).flushdb()
    ok = all(c["ok"] for r in results for c in r["checks"])
    print_table(results)
    summary = {"quick": opt.quick, "ok": ok, "seconds": round(time.perf_counter() - started, 1),
               "data": markers, "figures": results}
    if not opt.no_results:
        RESULTS.write_text(json.dumps(summary, indent=2, default=str))
        print(f"raw numbers: {RESULTS}")
    print(f"{'ALL PASS' if ok else 'SOME FAIL'} in {summary['seconds']} s")
    if opt.json:
        print("BENCH_SUMMARY " + json.dumps({r["figure"]: {"checks": r["checks"],
                                             "counts": r.get("counts")} for r in results},
                                            default=str))
    return 0


def run_drills(opt) -> int:
    from bench import drills

    started = time.perf_counter()
    results = drills.run()
    ok = all(c["ok"] for r in results for c in r["checks"])
    print_table([{"figure": r["drill"], "checks": r["checks"]} for r in results])
    print(f"raw numbers: {drills.RESULTS}")
    print(f"{'ALL PASS' if ok else 'SOME FAIL'} in {round(time.perf_counter() - started, 1)} s")
    if opt.json:
        print("DRILLS_SUMMARY " + json.dumps(drills.summary(results), default=str))
    return 0 if ok else 1


def sign_in(srv, numbers) -> list[User]:
    """The bench customers with these numbers, signed in."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda i: User(srv.url, f"bench{i}@example.com"), numbers))


def alternative(srv) -> Server:
    """A second gunicorn on the same data with the worker setting the Procfile does not use."""
    other = alternative_setting(procfile_setting())
    return Server(SMALL.database, workers=other.workers, threads=other.threads, balanced=True)


def run_figure(name, srv, user, large, opt) -> dict:
    if name == "P1":
        with alternative(srv) as alt:
            return figures.p1(srv, user, opt, alt)
    if name == "P2":
        return figures.p2(srv, user, SMALL.database, opt, sign_in(srv, range(201, 241)))
    if name == "P3":
        users = sign_in(srv, range(1, 201))
        with alternative(srv) as alt:
            settings = {procfile_setting().name: srv,
                        alternative_setting(procfile_setting()).name: alt}
            return figures.p3(settings, SMALL.database, opt, users)
    if name == "P4":
        setting = procfile_setting()
        with Server(large.database, workers=setting.workers, threads=setting.threads,
                    balanced=True) as big:
            return figures.p4({"small": srv, "large": big},
                              {"small": user, "large": User(big.url, "bench0@example.com")}, opt)
    if name == "P11":
        opt.large_customers = large.customers
        with Server(large.database, balanced=True) as big:
            return figures.p11({"small": srv, "large": big},
                               {"small": User(srv.url, DESK), "large": User(big.url, DESK)},
                               opt)
    if name == "P8":
        from bench.reports import p8

        setting = procfile_setting()
        with Server(large.database, workers=setting.workers, threads=setting.threads,
                    balanced=True) as big:
            return p8({"small": srv, "large": big},
                      {"small": User(srv.url, DESK), "large": User(big.url, DESK)},
                      {"small": SMALL.database, "large": large.database}, opt)
    if name == "P5":
        return figures.p5(srv, user, SMALL.database, opt)
    if name == "P9":
        from bench.print_figure import p9

        return p9(srv, user, SMALL.database, opt)
    if name == "P6":
        return figures.p6(srv, user, opt)
    if name == "P12":
        from bench import notify

        return notify.p12(srv, user, SMALL.database, opt)
    if name == "P7":
        return webhooks.p7(srv, user, SMALL.database, opt, uuid.uuid4().hex[:6])
    raise ValueError(f"unknown figure {name}")


def print_table(results):
    rows = [("fig", "measure", "value", "target", "")]
    for r in results:
        for c in r["checks"]:
            v = c["value"]
            verdict = "info" if c.get("info") else "PASS" if c["ok"] else "FAIL"
            rows.append((r["figure"], c["name"], f"{v:.2f}" if isinstance(v, float) else str(v),
                         c["target"], verdict))
    widths = [min(max(len(row[i]) for row in rows), 60) for i in range(5)]
    for row in rows:
        print("  ".join(cell[:60].ljust(w) for cell, w in zip(row, widths, strict=False)))


if __name__ == "__main__":
    sys.exit(main())
