"""A fault-injecting stand-in for the Bot API, between the bot under test and the emulator.

Owns: an HTTP/1.1 server on 127.0.0.1 (a free port, its own event loop in a background thread)
that forwards every request (method, path, headers, body) to the emulator and hands back its
answer, unless an armed rule says otherwise; the faults a rule can apply (429, 5xx with a JSON or
an HTML body, 403, a request held without an answer, a delivery whose answer comes too late, a
connection reset); and a record of every call, so a test can count what really reached the
emulator. Does not own: fixtures (a test module makes its own ``fault_proxy``) or the emulator.

Point the bot at it with ``TELEGRAM_API_URL=proxy.api_url_for_bot``. Long polls (getUpdates)
pass through untouched unless a rule targets them: forwarding has no timeout of its own.

    proxy.inject("sendMessage", bad_gateway(), match=text_contains("112"))       # next one
    proxy.inject("sendMessage", too_many_requests(3), match=chat_is(42), for_seconds=12)
    proxy.inject("sendMessage", deliver_slowly(8), match=text_contains("112"), times=1)
    [c.delivered for c in proxy.calls("sendMessage", text_contains("112"))]
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

__all__ = [
    "ApiRequest",
    "Call",
    "DeliverSlowly",
    "Fault",
    "FaultProxy",
    "Hang",
    "Reset",
    "Respond",
    "Rule",
    "bad_gateway",
    "chat_is",
    "deliver_slowly",
    "forbidden_blocked",
    "hang",
    "reset",
    "server_error",
    "text_contains",
    "too_many_requests",
]

# Headers that describe one hop, not the message: never copied from one side to the other.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    # httpx would decode a compressed answer; asking for none keeps the bytes as they are.
    "accept-encoding",
    "content-encoding",
}


# --- what the bot asked ----------------------------------------------------------------------


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request from the bot, decoded enough to match on."""

    http_method: str
    path: str
    """Path and query as sent, e.g. ``/bot123:abc/sendMessage``."""
    method: str
    """The Bot API method (``sendMessage``, ``getUpdates``, ...), or '' for other paths."""
    params: dict[str, Any]
    """The parameters, from a form, JSON or multipart body; JSON-looking values decoded."""
    headers: tuple[tuple[str, str], ...] = field(repr=False, default=())
    body: bytes = field(repr=False, default=b"")

    @property
    def text(self) -> str:
        """``text`` or ``caption``, or ''."""
        value = self.params.get("text", self.params.get("caption", ""))
        return value if isinstance(value, str) else str(value)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None


Predicate = Callable[[ApiRequest], bool]

# Predicates are small frozen dataclasses, not lambdas, so assertion messages can name them;
# lower-case because they read as functions where a rule is armed.


@dataclass(frozen=True)
class text_contains:
    """Matches requests whose text (or caption) contains ``substring``."""

    substring: str

    def __call__(self, request: ApiRequest) -> bool:
        return self.substring in request.text


@dataclass(frozen=True)
class chat_is:
    """Matches requests for one chat."""

    chat_id: int

    def __call__(self, request: ApiRequest) -> bool:
        return request.chat_id == self.chat_id


# --- what can go wrong -----------------------------------------------------------------------


@dataclass(frozen=True)
class Respond:
    """Answer at once with this status and body; the request is not forwarded."""

    status: int
    body: bytes
    content_type: str
    name: str


@dataclass(frozen=True)
class Hang:
    """Hold the request without forwarding or answering, until the client gives up (closes the
    connection) or ``seconds`` pass; then close the connection without an answer."""

    seconds: float
    name: str = "hang"


@dataclass(frozen=True)
class DeliverSlowly:
    """Forward at once (the emulator delivers), but hold the answer for ``delay`` seconds: a
    client that gives up sooner cannot know it arrived. A client still waiting gets it."""

    delay: float
    name: str = "slow"


@dataclass(frozen=True)
class Reset:
    """Drop the connection with a TCP reset once the request is read; nothing is forwarded."""

    name: str = "reset"


Fault = Respond | Hang | DeliverSlowly | Reset


def _api_error(status: int, description: str, **extra: Any) -> bytes:
    return json.dumps(
        {"ok": False, "error_code": status, "description": description, **extra}
    ).encode()


def too_many_requests(retry_after: int) -> Respond:
    """Telegram's flood control: 429 with ``parameters.retry_after``."""
    body = _api_error(
        429,
        f"Too Many Requests: retry after {retry_after}",
        parameters={"retry_after": retry_after},
    )
    return Respond(429, body, "application/json", f"429 retry_after={retry_after}")


def server_error(status: int = 500, *, html: bool = False) -> Respond:
    """A 5xx: a Bot API error JSON, or (``html``) the HTML page a front proxy gives."""
    phrase = http.HTTPStatus(status).phrase
    if html:
        page = (
            f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
            "</body>\r\n</html>\r\n"
        )
        return Respond(status, page.encode(), "text/html", f"{status} html")
    return Respond(status, _api_error(status, phrase), "application/json", f"{status} json")


def bad_gateway(*, html: bool = False) -> Respond:
    return server_error(502, html=html)


def forbidden_blocked() -> Respond:
    """What Telegram answers when the user blocked the bot."""
    body = _api_error(403, "Forbidden: bot was blocked by the user")
    return Respond(403, body, "application/json", "403 blocked")


def hang(seconds: float = 15.0) -> Hang:
    """No answer: longer than python-telegram-bot's default 5 s read timeout by default."""
    return Hang(seconds)


def deliver_slowly(delay: float = 8.0) -> DeliverSlowly:
    """Delivered, but the answer comes after ``delay`` s (default: past PTB's 5 s read timeout)."""
    return DeliverSlowly(delay)


def reset() -> Reset:
    return Reset()


# --- rules and the record --------------------------------------------------------------------


@dataclass(eq=False)
class Rule:
    """An armed fault: for calls of ``method`` that ``match``, ``times`` times and/or during
    ``for_seconds`` counted from the first call it hits."""

    method: str
    fault: Fault
    match: Predicate | None = None
    times: int | None = 1
    for_seconds: float | None = None
    hits: int = 0
    first_hit_at: float | None = None
    cancelled: bool = False

    def applies_to(self, request: ApiRequest, now: float) -> bool:
        if self.cancelled or request.method != self.method:
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        if (
            self.for_seconds is not None
            and self.first_hit_at is not None
            and now - self.first_hit_at >= self.for_seconds
        ):
            return False
        return self.match is None or bool(self.match(request))

    def cancel(self) -> None:
        self.cancelled = True

    def __repr__(self) -> str:
        limits = []
        if self.times is not None:
            limits.append(f"times={self.times}")
        if self.for_seconds is not None:
            limits.append(f"for_seconds={self.for_seconds}")
        return (
            f"Rule({self.method} {self.fault.name} match={self.match!r} {' '.join(limits)} "
            f"hits={self.hits})"
        )


@dataclass(eq=False)
class Call:
    """One request the bot made, and what the proxy did with it."""

    request: ApiRequest
    started: float
    """time.monotonic() when the request was fully read (same clock as the test's)."""
    fault: str | None = None
    """The name of the fault applied, or None when passed through."""
    forwarded: bool = False
    upstream_status: int | None = None
    """What the emulator answered, when forwarded."""
    status: int | None = None
    """The HTTP status the bot was given; None while pending, or when it got no answer."""
    finished: float | None = None
    outcome: str = "pending"
    """'answered', 'held' (closed unanswered), 'reset', 'client gone', 'upstream error'."""

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def delivered(self) -> bool:
        """The emulator accepted it: a message sent this way is in the chat."""
        return self.forwarded and self.upstream_status == 200

    def describe(self, since: float | None = None) -> str:
        at = self.started - since if since is not None else self.started
        text = self.request.text.replace("\n", " ")
        parts = [f"t={at:6.2f}s {self.method or self.request.path}"]
        if self.request.chat_id is not None:
            parts.append(f"chat={self.request.chat_id}")
        if text:
            parts.append(repr(text[:40] + ("…" if len(text) > 40 else "")))
        parts.append(f"fault={self.fault or '-'}")
        parts.append(f"delivered={self.delivered}")
        parts.append(f"status={self.status} ({self.outcome})")
        return " ".join(parts)


# --- the proxy -------------------------------------------------------------------------------


class FaultProxy:
    """Forwards the bot's Bot API calls to ``upstream`` (the emulator's base URL), with faults.

    ``start()``/``stop()`` or use it as a context manager. Thread-safe: tests arm rules and
    read the record from their own thread while the proxy serves from its loop thread.
    """

    def __init__(self, upstream: str, host: str = "127.0.0.1") -> None:
        self.upstream = upstream.rstrip("/")
        self.host = host
        self.port = 0
        self.started_at = time.monotonic()
        self._rules: list[Rule] = []
        self._calls: list[Call] = []
        self._changed = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._client: httpx.AsyncClient | None = None
        self._connections: set[asyncio.Task[None]] = set()

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url_for_bot(self) -> str:
        """What the bot's TELEGRAM_API_URL must be: PTB appends the token to it."""
        return f"{self.base_url}/bot"

    def start(self) -> FaultProxy:
        if self._loop is not None:
            raise RuntimeError("the proxy is already running")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=self._run_loop, args=(loop,), name="fault-proxy", daemon=True
        )
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._open(), loop).result(timeout=10)
        self.started_at = time.monotonic()
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        if not thread.is_alive():
            loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    async def _open(self) -> None:
        # No timeout: a long poll waits as long as the bot asked it to; the bot's own timeouts
        # decide. trust_env=False: a proxy from the environment must never see this traffic.
        self._client = httpx.AsyncClient(
            base_url=self.upstream,
            timeout=httpx.Timeout(None),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
            trust_env=False,
        )
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
        if self._client is not None:
            await self._client.aclose()

    # --- arming faults -----------------------------------------------------------------------

    def inject(
        self,
        method: str,
        fault: Fault,
        *,
        match: Predicate | None = None,
        times: int | None = None,
        for_seconds: float | None = None,
    ) -> Rule:
        """Apply ``fault`` to the next calls of ``method`` (a Bot API method) that ``match``.

        ``times``: how many matching calls (default 1, or unlimited when ``for_seconds`` is
        given); ``for_seconds``: a window that opens at the first call the rule hits. With both,
        whichever ends first. Rules are tried in the order armed; the first that applies wins.
        """
        if times is None and for_seconds is None:
            times = 1
        rule = Rule(method, fault, match, times, for_seconds)
        with self._changed:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Disarm every rule (the record stays)."""
        with self._changed:
            for rule in self._rules:
                rule.cancel()
            self._rules.clear()

    # --- the record --------------------------------------------------------------------------

    def calls(self, method: str | None = None, match: Predicate | None = None) -> list[Call]:
        """Every call so far (of ``method``, matching ``match``), oldest first."""
        with self._changed:
            calls = list(self._calls)
        return [
            c
            for c in calls
            if (method is None or c.method == method) and (match is None or match(c.request))
        ]

    def wait_for_call(
        self,
        method: str,
        match: Predicate | None = None,
        timeout: float = 5.0,
        *,
        where: Callable[[Call], bool] | None = None,
    ) -> Call:
        """The first call of ``method`` matching ``match`` (and ``where``), waiting for it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for call in self._calls:
                    if (
                        call.method == method
                        and (match is None or match(call.request))
                        and (where is None or where(call))
                    ):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
        raise AssertionError(
            f"the bot made no {method} call matching {match!r} within {timeout:.1f}s; "
            f"its calls:\n{self.describe(method)}"
        )

    def describe(self, method: str | None = None, match: Predicate | None = None) -> str:
        """The record as lines, for assertion messages (times from the proxy's start)."""
        calls = [c for c in self.calls(method, match) if c.method != "getUpdates"]
        return "\n".join(f"  {c.describe(self.started_at)}" for c in calls) or "  (no calls)"

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _update(self, call: Call, **changes: Any) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(call, name, value)
            self._changed.notify_all()

    def _pick(self, request: ApiRequest) -> Rule | None:
        now = time.monotonic()
        with self._changed:
            for rule in self._rules:
                if rule.applies_to(request, now):
                    rule.hits += 1
                    if rule.first_hit_at is None:
                        rule.first_hit_at = now
                    return rule
        return None

    # --- serving -----------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                if not await self._handle(request, reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._connections.discard(task)
            if not writer.transport.is_closing():
                writer.transport.abort()

    async def _handle(
        self,
        request: ApiRequest,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Serve one request; False when the connection must be dropped afterwards."""
        call = Call(request, time.monotonic())
        rule = self._pick(request)
        fault = rule.fault if rule is not None else None
        call.fault = fault.name if fault is not None else None
        self._record(call)
        keep_alive = _keep_alive(request)

        if isinstance(fault, Respond):
            await _write(writer, fault.status, [("Content-Type", fault.content_type)], fault.body)
            self._update(call, status=fault.status, finished=time.monotonic(), outcome="answered")
            return keep_alive
        if isinstance(fault, Reset):
            _reset(writer)
            self._update(call, finished=time.monotonic(), outcome="reset")
            return False
        if isinstance(fault, Hang):
            gone = await _client_gone(reader, fault.seconds)
            outcome = "client gone" if gone else "held"
            self._update(call, finished=time.monotonic(), outcome=outcome)
            return False

        try:
            status, headers, body = await self._forward(request)
        except httpx.HTTPError as exc:
            body = _api_error(502, f"Bad Gateway: fault proxy could not reach the emulator: {exc}")
            await _write(writer, 502, [("Content-Type", "application/json")], body)
            self._update(call, status=502, finished=time.monotonic(), outcome="upstream error")
            return keep_alive
        self._update(call, forwarded=True, upstream_status=status)

        if isinstance(fault, DeliverSlowly) and await _client_gone(reader, fault.delay):
            self._update(call, finished=time.monotonic(), outcome="client gone")
            return False
        try:
            await _write(writer, status, headers, body)
        except ConnectionError:
            self._update(call, finished=time.monotonic(), outcome="client gone")
            return False
        self._update(call, status=status, finished=time.monotonic(), outcome="answered")
        return keep_alive

    async def _forward(self, request: ApiRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        assert self._client is not None
        headers = [(k, v) for k, v in request.headers if k.lower() not in _HOP_BY_HOP]
        response = await self._client.request(
            request.http_method, request.path, headers=headers, content=request.body
        )
        kept = [(k, v) for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP]
        return response.status_code, kept, response.content


# --- HTTP/1.1 plumbing -----------------------------------------------------------------------


async def _read_request(reader: asyncio.StreamReader) -> ApiRequest | None:
    line = await reader.readline()
    if not line.strip():
        return None
    http_method, path, _version = line.decode("latin-1").split(maxsplit=2)
    headers: list[tuple[str, str]] = []
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    lowered = {k.lower(): v for k, v in headers}
    if "chunked" in lowered.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        body = await reader.readexactly(int(lowered.get("content-length", "0") or 0))
    method = path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] if "/bot" in path else ""
    params = _params(body, lowered.get("content-type", ""), path)
    return ApiRequest(http_method.upper(), path, method, params, tuple(headers), body)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = b""
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return body
        body += await reader.readexactly(size)
        await reader.readline()


def _params(body: bytes, content_type: str, path: str) -> dict[str, Any]:
    """Best effort: the bot's parameters, for predicates and the record only."""
    pairs: list[tuple[str, str]] = []
    if "?" in path:
        pairs += parse_qsl(path.split("?", 1)[1], keep_blank_values=True)
    try:
        if "application/json" in content_type and body:
            loaded = json.loads(body)
            return dict(pairs) | (loaded if isinstance(loaded, dict) else {})
        if "multipart/form-data" in content_type:
            pairs += _multipart_fields(body, content_type)
        elif body:
            pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    except ValueError:
        pass
    params: dict[str, Any] = {}
    for key, value in pairs:
        params[key] = value
        if value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _multipart_fields(body: bytes, content_type: str) -> list[tuple[str, str]]:
    boundary = content_type.split("boundary=", 1)[-1].strip().strip('"').encode()
    fields: list[tuple[str, str]] = []
    for part in body.split(b"--" + boundary):
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep or b"filename=" in head:
            continue
        for token in head.decode("latin-1").split(";"):
            token = token.strip()
            if token.startswith("name="):
                fields.append(
                    (token[5:].strip('"'), content.rstrip(b"\r\n").decode("utf-8", "replace"))
                )
    return fields


def _keep_alive(request: ApiRequest) -> bool:
    connection = next((v for k, v in request.headers if k.lower() == "connection"), "")
    return "close" not in connection.lower()


async def _write(
    writer: asyncio.StreamWriter, status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"HTTP/1.1 {status} {phrase}", *(f"{k}: {v}" for k, v in headers)]
    lines.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()


async def _client_gone(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Wait up to ``seconds`` for the client to close its side; True if it did."""
    try:
        data = await asyncio.wait_for(reader.read(1), seconds)
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return not data


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST rather than FIN: SO_LINGER on, zero seconds."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
