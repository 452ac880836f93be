"""Running `python -m bot demo` as a maintainer does, for the demo's session tests
(tests/test_demo.py, tests/test_demo_time.py: two files, so the slow sessions run on two
workers)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# /start, consent yes, Belgium, the suggested time zone, the default moments; then /checkin
# with the 6th, 4th and 3rd buttons: energy 5 (the scale starts at 0), tension 3, sleep 3.
SCRIPT = "/start\n1\n1\n1\n1\n/checkin\n6\n4\n3\n"


def run_demo(*args: str, stdin: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", *args],
        input=stdin,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def workdir_of(transcript: str) -> Path:
    found = re.search(r"\(data in (\S+)\) \.\.\.", transcript)
    assert found, f"the demo did not say where its data is:\n{transcript}"
    return Path(found.group(1))


def processes_using(workdir: Path) -> list[int]:
    """Our processes whose command line or environment names the demo's folder.

    The emulator gets it in its arguments, the bot in BOT_DATA_DIR.
    """
    needle = str(workdir).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            blob = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in blob:
            found.append(int(entry.name))
    return found


def assert_in_order(transcript: str, expected: list[str]) -> None:
    position = 0
    for fragment in expected:
        found = transcript.find(fragment, position)
        assert found >= 0, f"{fragment!r} missing (after position {position}) in:\n{transcript}"
        position = found + len(fragment)
