"""The bundle against the venv: size on disk, and the start to the login window (issue 16).

    python bench/bundle_startup.py --bundle DIST/setacare [--runs 7]

The bundle must have been built with ``SETACARE_BUNDLE_PROBE=1`` (``.ci/run`` does): its
``setacare-startup-probe`` is ``bench/startup_login.py`` frozen with the bundle's libraries, and
it is timed against the same script run by this Python (the venv), each on a
``setacare demo --cases 2000`` database. Both are spawned interleaved, after one
unmeasured warm-up each, Qt offscreen; the figure is the median of ``--runs`` from spawning the
process to its ``SHOWN`` line. Prints the size (the probe left out), both medians and the ratio
(goal: at most 1.3). Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import child_env  # noqa: E402

PROBE = "setacare-startup-probe"
GOAL_RATIO = 1.3
#: A start that fails (e.g. a database it refuses) waits in a modal box offscreen: end it.
TIMEOUT = 60.0


def bench_env() -> dict[str, str]:
    """The children's environment; the venv may write its bytecode cache (as an installed
    program has one), so its warm-up run compiles and the measured runs do not."""
    env = child_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_until_shown(argv: list[str]) -> float:
    """Seconds from spawning ``argv`` to its ``SHOWN`` line (``PHASE`` lines are skipped)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=bench_env(), text=True, encoding="utf-8")
    watchdog = threading.Timer(TIMEOUT, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        while line.startswith("PHASE "):
            line = process.stdout.readline()
        elapsed = time.perf_counter() - started
        _out, err = process.communicate()
    finally:
        watchdog.cancel()
    if line.strip() != "SHOWN" or process.returncode != 0:
        raise RuntimeError(f"{argv[0]} did not show the login dialog: {line!r}\n{err}")
    return elapsed


def bundle_size(folder: Path) -> int:
    """Bytes of the bundle as shipped: regular files (links once), the probe left out."""
    return sum(p.stat().st_size for p in folder.rglob("*")
               if p.is_file() and not p.is_symlink() and not p.name.startswith(PROBE))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, required=True, help="the folder dist/setacare")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    probe = args.bundle / PROBE
    if not probe.is_file():
        sys.exit(f"{probe} がありません: SETACARE_BUNDLE_PROBE=1 でビルドしてください")
    size = bundle_size(args.bundle)
    print(f"バンドルの大きさ: {size / 1024 / 1024:.1f} MiB（{args.bundle}、プローブを除く。上限 250 MiB）")
    with tempfile.TemporaryDirectory(prefix="setacare-bundle-bench-") as tmp:
        # Each on a demo database it made itself (same generator, same seed): a venv whose
        # editable install maps the migrations elsewhere cannot then hand the bundle a schema
        # it does not know.
        venv_data, frozen_data = Path(tmp) / "venv", Path(tmp) / "bundle"
        for program, data in (([sys.executable, "-m", "setacare_desktop"], venv_data),
                              ([str(args.bundle / "setacare")], frozen_data)):
            subprocess.run([*program, "--data-dir", str(data), "demo", "--cases", "2000"],
                           check=True, capture_output=True, env=bench_env())
        venv = [sys.executable, str(HERE / "startup_login.py"), "--data-dir", str(venv_data)]
        frozen = [str(probe), "--data-dir", str(frozen_data)]
        time_until_shown(venv)
        time_until_shown(frozen)
        venv_times: list[float] = []
        frozen_times: list[float] = []
        for _ in range(args.runs):
            venv_times.append(time_until_shown(venv))
            frozen_times.append(time_until_shown(frozen))
    venv_median = statistics.median(venv_times)
    frozen_median = statistics.median(frozen_times)
    ratio = frozen_median / venv_median
    print(f"ログイン画面まで（中央値、{args.runs} 回）: venv {venv_median * 1000:.0f} ms、"
          f"バンドル {frozen_median * 1000:.0f} ms")
    print(f"比: {ratio:.2f}（目標 {GOAL_RATIO} 以下: {'達成' if ratio <= GOAL_RATIO else '未達'}）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
