"""Backup benchmark: time and memory of ``ombuds backup`` / ``restore`` against a plain copy.

    .venv/bin/python bench/backup.py                 # databases of 64 and 256 MB
    .venv/bin/python bench/backup.py --sizes 32 512

For each size, a fresh install (SQLite, migrated) gets a table of random blobs of that many
MB (random, like the ciphertext that fills a real database), then, each in its own process:

- ``baseline``: SQLite's online backup API into a file, then a plain file copy of that file
  (what an unencrypted "copy the database" backup costs);
- ``backup``: ``ombuds backup`` (the same dump, then tar, age encryption and hashing);
- ``restore``: ``ombuds restore`` into a new empty install.

Printed per step: wall time, throughput, the ratio to the baseline, and the process's peak
resident memory (``ru_maxrss``) with what the same process held before the step, so the
difference shows whether the archive is streamed (it should not grow with the database).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STEP = r"""
import json, os, resource, shutil, sys, time
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
from django.db import connection
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
step, args = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
if step == "fill":
    megabytes = int(args[0])
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_blob (id INTEGER PRIMARY KEY, data BLOB)")
        for _ in range(megabytes):
            cursor.execute("INSERT INTO bench_blob (data) VALUES (%s)", [os.urandom(1 << 20)])
elif step == "baseline":
    from django.db.backends.sqlite3.base import Database
    connection.ensure_connection()
    dump = Path(args[0])
    target = Database.connect(str(dump))
    connection.connection.backup(target)
    target.close()
    shutil.copyfile(dump, args[1])
elif step == "backup":
    call_command("backup", args[0], "--recipient", args[1], verbosity=0)
elif step == "restore":
    call_command("restore", args[0], "--identity", args[1], verbosity=0)
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "rss_before_mb": before / 1024,
    "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def step(data_dir: Path, *args: str) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMBUDS_")}
    env.pop("DATABASE_URL", None)
    env.update(
        OMBUDS_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="ombuds.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    result = subprocess.run(
        [sys.executable, "-c", STEP, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 256], metavar="MB")
    options = parser.parse_args()
    from pyrage import x25519

    identity = x25519.Identity.generate()
    print(f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores")
    print(f"{'MB':>5} {'step':<9} {'seconds':>8} {'MB/s':>7} {'x base':>7} {'RSS MB':>16}")
    for size in options.sizes:
        with tempfile.TemporaryDirectory(prefix="ombuds-bench-backup-") as tmp:
            base = Path(tmp)
            source, target = base / "source", base / "target"
            (base / "identity.txt").write_text(f"{identity}\n")
            step(source, "fill", str(size))
            results = {
                "baseline": step(source, "baseline", str(base / "dump"), str(base / "copy")),
                "backup": step(source, "backup", str(base / "b.age"), str(identity.to_public())),
                "restore": step(target, "restore", str(base / "b.age"), str(base / "identity.txt")),
            }
            for name, r in results.items():
                ratio = r["seconds"] / results["baseline"]["seconds"]
                rss = f"{r['rss_before_mb']:.0f} -> {r['rss_peak_mb']:.0f}"
                print(
                    f"{size:>5} {name:<9} {r['seconds']:>8.2f} {size / r['seconds']:>7.0f} "
                    f"{ratio:>7.2f} {rss:>16}"
                )
            archive = (base / "b.age").stat().st_size / (1 << 20)
            print(f"{size:>5} archive {archive:.1f} MB")
            shutil.rmtree(base / "source", ignore_errors=True)
    print(
        f"peak RSS of this driver: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB"
    )


if __name__ == "__main__":
    main()
