"""Shared fixtures: the shipped content, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import Content, load_content

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"


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
