"""Shared fixtures: the shipped content, loaded once; which tests must run alone (``serial``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.content.loader import Content, load_content

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"


# Tests that measure time against a deadline close to the work it takes (a crisis answer within
# 2 s, linear-time safety checks, "refused quickly"). Their deadlines are the point, so they are
# not loosened for a busy machine: scripts/test runs everything else on parallel workers first,
# then these alone, one at a time (``-m serial`` / ``-m "not serial"``). A node id or a prefix
# of one (a whole file). The other crisis-fault tests wait out Telegram's faults (5 to 25 s, two
# minutes in all) with deadlines of 5 to 20 s for an answer that takes a tenth of a second:
# they run on the parallel workers, where their waiting overlaps the other tests.
SERIAL = (
    "tests/e2e/test_crisis_faults.py::test_fifty_users_at_once_every_crisis_answer_arrives_within_2s",
    "tests/e2e/test_safety.py::test_a_brand_new_users_first_message_in_crisis_gets_the_crisis_line",
    "tests/safety/test_layers.py::test_assessment_takes_linear_time_whatever_the_text_holds",
    "tests/safety/test_engine.py::test_assess_is_deterministic_and_fast",
    "tests/content/test_limits.py",
    "tests/test_startup.py::test_an_api_url_that_cannot_work_is_one_line_and_exit_2",
)


# The slowest files, slowest first. This order holds in a plain (one-process) run only:
# scripts/test's parallel part lets pytest-xdist hand out files by their number of tests,
# which ran faster on two cores than this order did (round 12 and 13, docs/safety.md), so
# there the model rebuild, one test in a file of its own, starts late. Order within a file
# is unchanged.
SLOW_FIRST = (
    "tests/e2e/test_crisis_faults.py",
    "tests/safety/test_model_rebuild.py",
    "tests/safety/test_layers.py",
    "tests/test_demo.py",
    "tests/test_demo_time.py",
    "tests/e2e/test_faults.py",
    "tests/e2e/test_crisis_flows.py",
    "tests/e2e/test_coachee_day.py",
    "tests/e2e/test_reload.py",
)


def _slowness(item: pytest.Item) -> int:
    file = item.nodeid.split("::", 1)[0]
    return SLOW_FIRST.index(file) if file in SLOW_FIRST else len(SLOW_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SERIAL):
            item.add_marker(pytest.mark.serial)
    items.sort(key=_slowness)  # stable: the same order on every worker


@pytest.fixture(autouse=True, scope="session")
def passed_checks_of_this_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The bots the tests start record passed content checks (bot/content/passed_checks.py)
    in a folder of this run, not the user's cache: no run leans on an earlier one."""
    before = os.environ.get("BOT_CHECKS_CACHE")
    os.environ["BOT_CHECKS_CACHE"] = str(tmp_path_factory.mktemp("passed-checks"))
    yield
    if before is None:
        os.environ.pop("BOT_CHECKS_CACHE", None)
    else:
        os.environ["BOT_CHECKS_CACHE"] = before


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT_DIR)


LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


@pytest.fixture(autouse=True, scope="session")
def loopback_only():
    """No test reaches anything but this machine: a name that is not loopback is refused
    before any DNS query or connection is made (subprocesses are checked by their own tests)."""
    import ipaddress
    import socket

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in LOOPBACK_NAMES:
            try:
                allowed = ipaddress.ip_address(name).is_loopback
            except ValueError:
                allowed = False
            if not allowed:
                raise OSError(f"tests reach loopback only, not {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    yield
    socket.getaddrinfo = real_getaddrinfo
