"""Benchmarks of SetaCare Desktop: prints figures, asserts nothing.

    python bench/run.py              # the venv's python; about a minute and a half
    python bench/run.py --runs 9     # more start-up runs for a steadier median

1. Start-up: time from spawning a process to the login dialog shown (Qt offscreen), median of
   ``--runs`` runs, next to the time for a bare PySide6 QWidget window measured in the same
   session (interleaved, after one unmeasured warm-up of each). The difference is what the
   program itself adds: our imports, the font, the dialog. ``bench/startup_login.py`` runs the
   real program (``SETACARE_STARTUP_REPORT=1``), which opens and checks the database only once
   the dialog is painted, while the password is typed: that time is shown in the breakdown as
   「DB（表示後）」, not in the time to the dialog.
2. Demo data: ``setacare demo --cases 100000`` on a fresh SQLite database (wall-clock time of the
   whole process, and the time the command itself reports), with the persons and consent records
   it wrote.
3. The command line on that database, median of ``--runs`` processes each: ``case add --json -``
   (one consultation, as a 池尻 clerk) and ``case list`` of the demo's last day for an area
   supervisor (7 districts). Both include starting Python and checking the password (argon2).
4. Liaison sheets (``bench/sheet_bench.py --render-only --batch 200``): one sheet against the
   one-page reportlab floor measured in the same process, and a batch in a loop and through the
   batch runner.

The login dialog is shown on the database of step 2 (so it has staff and 100,000 consultations).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO_CASES = 100_000
TIMEOUT = 300
PHASE_LABELS = {
    "interpreter": "Python起動",
    "imports": "import",
    "probe": "DB確認（sqlite3）",
    "setup": "ログ等",
    "qapplication": "QApplication",
    "font": "フォント",
    "database": "DB",
    "dialog": "ダイアログ（初回描画）",
    "database-after-shown": "DB（表示後）",
}


def child_env() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUTF8": "1"}
    env.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    env.pop("SETACARE_DATABASE_URL", None)
    return env


def time_until_shown(argv: list[str], phases: dict[str, list[float]] | None = None,
                     cpu: list[float] | None = None) -> float:
    """Seconds from spawning ``argv`` to its ``SHOWN`` line on stdout.

    ``PHASE <name> <seconds>`` lines printed before it, and after it (the database opened
    behind the login dialog), are collected into ``phases``; the ``CPU <seconds>`` line after it
    (the child's CPU time until shown) into ``cpu``.
    """
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=child_env(), text=True, encoding="utf-8")
    assert process.stdout is not None
    seen: dict[str, float] = {}
    line = process.stdout.readline()
    while line.startswith("PHASE "):
        _tag, name, seconds = line.split()
        seen[name] = float(seconds)
        line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    # The rest through the same reader: communicate() reads the pipe itself and would miss what
    # readline() has already buffered (the CPU line often arrives with SHOWN).
    rest = process.stdout.read()
    _out, err = process.communicate(timeout=TIMEOUT)
    out = rest + (_out or "")
    if not line.startswith("SHOWN") or process.returncode != 0:
        raise RuntimeError(f"{argv[1]} did not show its window: {line!r}\n{err}")
    if line.strip() != "SHOWN":
        print(f"  注意: {line.strip()}（ログイン画面ではありません）")
    if phases is not None:
        phases.setdefault("interpreter", []).append(elapsed - sum(seen.values()))
        for name, seconds in seen.items():
            phases.setdefault(name, []).append(seconds)
        for later in out.splitlines():
            if later.startswith("PHASE "):
                _tag, name, seconds = later.split()
                phases.setdefault(name, []).append(float(seconds))
    if cpu is not None:
        cpu.extend(float(later.split()[1]) for later in out.splitlines()
                   if later.startswith("CPU "))
    return elapsed


def run_demo(data_dir: Path, cases: int) -> tuple[float, str, str]:
    """(wall-clock seconds, the seconds the command reported, what it printed)."""
    argv = [sys.executable, "-m", "setacare_desktop", "--data-dir", str(data_dir), "demo",
            "--cases", str(cases)]
    started = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, encoding="utf-8",
                            env=child_env(), timeout=TIMEOUT)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"demo failed ({result.returncode}):\n{result.stderr}")
    reported = re.search(r"([0-9.]+) 秒", result.stdout)
    return elapsed, reported.group(1) if reported else "?", result.stdout


def demo_line(printed: str, label: str) -> str:
    """The value of one line of the demo's summary table (「対象者  68,537 人（…）」)."""
    match = re.search(rf"^{label}\s+(.+)$", printed, re.MULTILINE)
    return match.group(1) if match else "?"


def time_command(data_dir: Path, argv: list[str], stdin: str, runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` processes of ``setacare <argv>``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "setacare_desktop", "--data-dir", str(data_dir), *argv],
            input=stdin, capture_output=True, text=True, encoding="utf-8", env=child_env(),
            timeout=TIMEOUT)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise RuntimeError(f"{argv[:2]} failed ({result.returncode}):\n{result.stderr}")
    return times


def case_json(day: str) -> str:
    return json.dumps({
        "received_at": f"{day} 10:30", "channel": "来所", "district": "池尻",
        "consulter_kind": "家族・親族", "consulter_relation": "長女",
        "person": {"name": "見本 花子", "reading": "みほん はなこ", "birth_date": "S20.3.3"},
        "target_groups": ["高齢者"], "elements": ["福祉サービス"],
        "main_complaint": "母の物忘れと介護保険の申請", "details": "ベンチマークの見本。",
    }, ensure_ascii=False)


def spread(values: list[float]) -> str:
    return (f"{statistics.median(values):6.3f} s  (最小 {min(values):.3f} / 最大 "
            f"{max(values):.3f}, {len(values)} 回)")


def main() -> int:
    parser = argparse.ArgumentParser(description="SetaCare Desktop のベンチマーク（数値を表示するだけ）")
    parser.add_argument("--runs", type=int, default=5, help="起動とコマンドの計測回数（既定 5）")
    parser.add_argument("--cases", type=int, default=DEMO_CASES,
                        help=f"デモの相談件数（既定 {DEMO_CASES:,}）")
    options = parser.parse_args()

    import PySide6

    print(f"SetaCare Desktop ベンチマーク — Python {platform.python_version()}, "
          f"PySide6 {PySide6.__version__}, {platform.system()} {platform.machine()}, "
          f"CPU {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="setacare-bench-") as folder:
        data_dir = Path(folder) / "data"
        print(f"demo --cases {options.cases:,} を新しい SQLite データベースに作成中…", flush=True)
        demo_wall, demo_reported, demo_printed = run_demo(data_dir, options.cases)
        size_mb = sum(p.stat().st_size for p in data_dir.glob("setacare.db*")) / 1e6
        period = re.search(r"〜 (\d{4}-\d{2}-\d{2})", demo_printed)
        last_day = period.group(1) if period else ""

        print(f"case add / case list を計測中（{options.runs} 回ずつ）…", flush=True)
        password = "demo-pass-2026\n"
        add_times = time_command(
            data_dir, ["case", "add", "--json", "-", "--as", "demo-ikejiri-anshin-counter",
                       "--password-stdin"], password + case_json(last_day), options.runs)
        list_times = time_command(
            data_dir, ["case", "list", "--date", last_day, "--as",
                       "demo-setagaya-branch-supervisor", "--password-stdin"], password,
            options.runs)

        bare = [sys.executable, str(HERE / "startup_bare.py")]
        login = [sys.executable, str(HERE / "startup_login.py"), "--data-dir", str(data_dir)]
        print(f"起動時間を計測中（準備 1 回 + {options.runs} 回ずつ交互に）…", flush=True)
        time_until_shown(bare)
        time_until_shown(login)
        bare_times: list[float] = []
        login_times: list[float] = []
        phases: dict[str, list[float]] = {}
        bare_cpu: list[float] = []
        login_cpu: list[float] = []
        for _ in range(options.runs):
            bare_times.append(time_until_shown(bare, cpu=bare_cpu))
            login_times.append(time_until_shown(login, phases, login_cpu))

    difference = statistics.median(login_times) - statistics.median(bare_times)
    rows = [
        ("素の PySide6 QWidget が表示されるまで", spread(bare_times)),
        ("ログイン画面が表示されるまで", spread(login_times)),
        ("  差（このプログラムが加える時間）", f"{difference:6.3f} s"),
        ("  倍率（目標 1.6 倍以下）",
         f"{statistics.median(login_times) / statistics.median(bare_times):6.2f} 倍"),
        ("  CPU時間（表示まで、中央値）", cpu_ratio(bare_cpu, login_cpu)),
        ("  内訳（中央値）", "  ".join(f"{PHASE_LABELS.get(name, name)} {statistics.median(v):.3f}"
                                   for name, v in phases.items())),
        (f"demo --cases {options.cases:,}（プロセス全体）", f"{demo_wall:6.2f} s"),
        ("  うちコマンドが報告した時間", f"{demo_reported} s"),
        ("  対象者", demo_line(demo_printed, "対象者")),
        ("  本人同意の記録", demo_line(demo_printed, "本人同意の記録")),
        ("  データベースの大きさ", f"{size_mb:.1f} MB"),
        ("case add --json -（1件、プロセス全体）", spread(add_times)),
        (f"case list（{last_day}、世田谷地域の監督者）", spread(list_times)),
    ]
    print()
    width = max(len(label) + sum(1 for c in label if ord(c) > 0x2E80) for label, _ in rows)
    for label, value in rows:
        pad = width - len(label) - sum(1 for c in label if ord(c) > 0x2E80)
        print(f"{label}{' ' * pad}  {value}")
    print(sheet_figures(), end="")
    return 0


def cpu_ratio(bare: list[float], login: list[float]) -> str:
    """The CPU time until shown, bare and login, and their ratio: steadier than the wall-clock
    time when other programs share the processor."""
    if not bare or not login:
        return "?"
    b, lg = statistics.median(bare), statistics.median(login)
    return f"素 {b:.3f} s / ログイン画面 {lg:.3f} s = {lg / b:.2f} 倍"


def sheet_figures() -> str:
    """The liaison-sheet figures, floor included (bench/sheet_bench.py, its own process)."""
    result = subprocess.run([sys.executable, str(HERE / "sheet_bench.py"), "--render-only",
                             "--batch", "200"], capture_output=True, text=True, encoding="utf-8",
                            env=child_env(), timeout=TIMEOUT)
    return "\n連携シート（bench/sheet_bench.py）\n" + (result.stdout or result.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
