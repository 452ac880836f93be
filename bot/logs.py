"""Logging set-up: event names and ids only; never message text, never the token."""

from __future__ import annotations

import logging
import sys


class RedactSecrets(logging.Filter):
    """Last line of defence: a library that logs a URL must not leak the bot token.

    The message, its arguments and an attached traceback are all redacted: an httpx error
    raised for a Bot API URL carries the token in its text.
    """

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed call must not raise here, nor leak through handleError
            message = f"{record.msg} (arguments that do not fit: {record.args!r})"
            record.msg, record.args = self._redact(message), None
        else:
            if self._leaks(message):
                record.msg, record.args = self._redact(message), None
        if record.exc_info and not record.exc_text:
            # The formatter would fill exc_text after this filter ran: fill it now, redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._leaks(record.exc_text):
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info and self._leaks(record.stack_info):
            record.stack_info = self._redact(record.stack_info)
        return True

    def _leaks(self, text: str) -> bool:
        return any(secret in text for secret in self.secrets)

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return text


def configure_logging(*secrets: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets(*secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
