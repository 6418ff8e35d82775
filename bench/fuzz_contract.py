"""Contract fuzzing, long run: the suite's schemathesis engine with many more examples, positive and negative.

Every operation of /api/v1/openapi.json, as admin (and with --anonymous also without a token), on a fresh
database with the hardening world (two counties, disclosures, reports). Prints per-operation and total counts,
then every failure with the request that caused it. Exit status 1 when anything failed.

Usage: .venv/bin/python -m bench.fuzz_contract [--examples 100] [--db sqlite|postgres] [--seed N] [--only TEXT]
"""

import argparse
import sys
import tempfile
import time
import warnings

from bench.common import ROOT


def _app(db_kind, workdir):
    from app import create_app
    from app.extensions import db
    from config import TestingConfig

    if db_kind == "postgres":
        from bench.common import fresh_pg_database

        url = fresh_pg_database("mss_bench_fuzz")
    else:
        url = f"sqlite:///{workdir}/fuzz.db"
    cfg = type("FuzzCfg", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": f"{workdir}/uploads",
                                             "INSTANCE_PATH": workdir})
    app = create_app(cfg)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def main():
    """Run the long fuzz and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="examples per operation and mode")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: derandomized)")
    parser.add_argument("--only", default="", help="only operations whose label contains this text")
    parser.add_argument("--anonymous", action="store_true", help="also fuzz every operation without a token")
    args = parser.parse_args()
    warnings.simplefilter("ignore", UserWarning)
    sys.path.insert(0, str(ROOT))
    from tests.hardening.fuzzing import Tally, fuzz_operation, load_schema, operations
    from tests.hardening.world import build_world, known_ids

    workdir = tempfile.mkdtemp(prefix="mss-fuzz-")
    app = _app(args.db, workdir)
    world = build_world(app)
    admin = world.users["admin"]
    ops = {label: op for label, op in operations(load_schema(app)).items() if args.only in label}
    personas = [("admin", lambda: world.users_api.headers(admin))] + ([("anonymous", dict)] if args.anonymous else [])
    total, started = Tally(), time.monotonic()
    print(f"fuzz_contract: {len(ops)} operations x {args.examples} examples x 2 modes x {len(personas)} personas "
          f"on {args.db}", flush=True)
    for label, operation in sorted(ops.items()):
        for persona, headers in personas:
            tally, began = Tally(), time.monotonic()
            fuzz_operation(app, operation, headers(), args.examples, tally, seed=args.seed, known=known_ids(world))
            total.requests += tally.requests
            total.statuses.update(tally.statuses)
            total.failures += tally.failures
            print(f"{time.monotonic() - began:7.1f}s {persona:9} {label}: {tally.line()}", flush=True)
    elapsed = time.monotonic() - started
    print(f"\nTOTAL {total.line()} in {elapsed:.0f}s ({total.requests / max(elapsed, 1e-9):.0f} requests/s)")
    for failure in total.failures:
        print("\n" + failure)
    return 1 if total.failures else 0


if __name__ == "__main__":
    sys.exit(main())
