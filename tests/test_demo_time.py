"""`python -m bot demo`: the demo clock (/time) and /reload, each a whole session of the real
command (emulator and bot included), so marked e2e."""

from __future__ import annotations

import contextlib
import queue
import shutil
import subprocess
import sys
import threading
import time

import pytest
from demo_session import ROOT, assert_in_order, run_demo


@pytest.mark.e2e
def test_time_plus_one_day_brings_the_next_days_checkin_reminder():
    # The check-in moment is 09:00 (the default). From 12:00 on some day, +1d passes 09:00 on
    # a day without a check-in: its reminder arrives, then the clock says where it stands.
    result = run_demo(stdin="/start\n1\n1\n1\n1\n/time 12:00\n/time +1d\n/time\n")

    transcript = result.stdout
    assert result.returncode == 0, transcript + result.stderr
    assert_in_order(
        transcript,
        [
            "/time +1d, /time +2h, /time 08:59 move the bot's clock forward",
            "bot (edited): Klaar. We starten in de fase",
            "you: /time 12:00",
            "bot: Demo clock: ",
            " 12:00 (Europe/Brussels)",
            "you: /time +1d",
            "bot: Goeiemorgen. Tijd voor je check-in van tien seconden?",
            "[1] Check-in   [2] Later",
            "bot: Demo clock: ",
            " 12:00 (Europe/Brussels), 1 d ",
            "you: /time\n",
            "bot: Demo clock: ",
            "demo: stopped",
        ],
    )
    after_jump = transcript[transcript.index("you: /time +1d") : transcript.index("you: /time\n")]
    assert after_jump.count("Tijd voor je check-in") == 1


@pytest.mark.e2e
def test_time_never_goes_back_and_explains_itself():
    result = run_demo(stdin="/time -1d\n/time morgen\n")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Demo clock: give +1d, +2h, +30m") == 2


class LiveDemo:
    """`python -m bot demo` with lines written as the test goes, its output read by a thread."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "demo", *args],
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.transcript = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, fragment: str, timeout: float = 120) -> str:
        """The transcript from now until a line holding `fragment` and the lines after it
        that arrive within a second (a message's listing)."""
        deadline = time.monotonic() + timeout
        seen = ""
        while fragment not in seen:
            remaining = deadline - time.monotonic()
            try:
                seen += self.lines.get(timeout=max(0.1, remaining))
            except queue.Empty:
                if remaining <= 0:
                    raise AssertionError(
                        f"{fragment!r} not seen in:\n{self.transcript + seen}"
                    ) from None
        with contextlib.suppress(queue.Empty):
            while True:
                seen += self.lines.get(timeout=1.5)
        self.transcript += seen
        return seen

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def close(self) -> int:
        if self.process.poll() is None and self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@pytest.mark.e2e
def test_reload_in_the_demo_puts_content_live_and_lists_every_problem(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    demo = LiveDemo("--content", str(content))
    try:
        demo.wait_for("demo: ready")
        demo.type("/reload")
        assert "bot: Inhoud herladen:" in demo.wait_for("Inhoud herladen")

        ui = content / "ui.yaml"
        text = ui.read_text(encoding="utf-8")
        for key, nl, en in (
            ("exercise.next", "Verder", "Next"),
            ("reminder.later", "Later", "Later"),
        ):
            entry = f'  {key}:\n    nl: "{nl}"\n    en: "{en}"\n'
            assert entry in text, f"{key} changed in the shipped content"
            text = text.replace(entry, f'  {key}:\n    nl: "{nl}"\n')
        ui.write_text(text, encoding="utf-8")
        demo.type("/reload")
        refused = demo.wait_for("Nieuwe inhoud geweigerd")
    finally:
        code = demo.close()

    assert "(2 problemen)" in refused
    assert "texts.exercise.next.en: the English (en) text is missing" in refused
    assert "texts.reminder.later.en: the English (en) text is missing" in refused
    assert code == 0
