"""Logs carry event names and ids, never the bot token."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import RedactSecrets, configure_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
URL = f"https://api.telegram.org/bot{TOKEN}/getUpdates"


def record(msg: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, msg, args or None, exc_info)


def formatted(rec: logging.LogRecord, *secrets: str) -> str:
    assert RedactSecrets(*secrets).filter(rec) is True  # redacts, never drops
    return logging.Formatter("%(message)s").format(rec)


def test_token_in_the_message_is_redacted():
    out = formatted(record(f"HTTP Request: POST {URL}"), TOKEN)

    assert TOKEN not in out
    assert out == "HTTP Request: POST https://api.telegram.org/bot<redacted>/getUpdates"


def test_token_in_the_arguments_is_redacted():
    rec = record('HTTP Request: %s %s "%s"', "POST", URL, "HTTP/1.1 200 OK")

    out = formatted(rec, TOKEN)

    assert TOKEN not in out
    assert "<redacted>" in out
    assert out.endswith('"HTTP/1.1 200 OK"')
    assert rec.args is None  # nothing left for another handler to format with the token


def test_token_inside_a_non_string_argument_is_redacted():
    out = formatted(record("request failed: %r", {"url": URL}), TOKEN)

    assert TOKEN not in out


def test_every_secret_is_redacted():
    out = formatted(
        record("a=%s b=%s", "first-secret", "second-secret"), "first-secret", "second-secret"
    )

    assert out == "a=<redacted> b=<redacted>"


def test_messages_without_a_secret_are_left_alone():
    rec = record("checkin.recorded user=%s", 42)

    assert formatted(rec, TOKEN) == "checkin.recorded user=42"
    assert rec.args == (42,)


def test_empty_secret_redacts_nothing():
    assert formatted(record("user=%s", 42), "") == "user=42"


def test_token_in_a_logged_exception_is_redacted():
    try:
        raise ConnectionError(f"Client error '404 Not Found' for url '{URL}'")
    except ConnectionError as exc:
        rec = record("update.failed", exc_info=(type(exc), exc, exc.__traceback__))

    out = formatted(rec, TOKEN)

    assert TOKEN not in out
    assert "ConnectionError" in out
    assert "<redacted>" in out


def test_a_malformed_call_neither_raises_nor_leaks():
    rec = record("two placeholders %s %s", URL)  # one argument short

    out = formatted(rec, TOKEN)

    assert TOKEN not in out


# --- configure_logging -------------------------------------------------------------------


@pytest.fixture
def restore_logging():
    """configure_logging replaces the root handlers (pytest's among them): put them back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "apscheduler")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


def test_configure_logging_silences_httpx_below_warning(restore_logging):
    configure_logging(TOKEN)

    httpx = logging.getLogger("httpx")
    assert httpx.getEffectiveLevel() == logging.WARNING
    assert not httpx.isEnabledFor(logging.INFO)
    assert httpx.isEnabledFor(logging.WARNING)
    assert logging.getLogger("bot").isEnabledFor(logging.INFO)


def test_configured_handler_redacts_the_token_everywhere(restore_logging):
    configure_logging(TOKEN)
    [handler] = logging.getLogger().handlers
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]

    logging.getLogger("httpx").info("HTTP Request: POST %s", URL)  # below WARNING: dropped
    logging.getLogger("httpx").warning("HTTP Request: POST %s", URL)
    logging.getLogger("telegram.ext").error("polling failed for %s", URL)
    logging.getLogger("bot.telegram").info("reminder.sent kind=%s", "checkin")

    out = stream.getvalue()
    assert TOKEN not in out
    assert out.count("<redacted>") == 2
    assert "reminder.sent kind=checkin" in out
