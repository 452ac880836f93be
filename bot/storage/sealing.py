"""Encryption at rest: how a data file's bytes are sealed on write and opened on read.

With BOT_DATA_KEY set every data file (each coachee's file, the index, the temp file of an
atomic write) holds one Fernet token: AES-128-CBC with an HMAC-SHA256 over it, from the
`cryptography` package's high-level recipes, so a file changed or read with another key is
refused, never half-read. MultiFernet gives rotation its shape: the first key writes, every
key listed reads. Without a key files are plain JSON, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Every Fernet token starts with its version byte 0x80, base64-encoded: "gAAAAA".
TOKEN_START = b"gAAAAA"


class DataKeyError(RuntimeError):
    """A data file that does not open with the keys given; the message is one line."""


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def is_sealed(raw: bytes) -> bool:
    return raw.startswith(TOKEN_START)


def is_plain(raw: bytes) -> bool:
    return raw.lstrip()[:1] in (b"{", b"")


@dataclass(frozen=True)
class Sealer:
    """What files are written with (`writer`, None: plain JSON) and opened with (`readers`),
    and whether a plain file is accepted on read (only while rotating)."""

    writer: Fernet | None = None
    readers: MultiFernet | None = None
    accept_plain: bool = True

    @classmethod
    def with_keys(cls, keys: Sequence[str]) -> Sealer:
        """The bot's sealer: no keys means plain files; with keys, only sealed files open."""
        if not keys:
            return cls()
        fernets = [Fernet(key) for key in keys]
        return cls(fernets[0], MultiFernet(fernets), accept_plain=False)

    @classmethod
    def for_rotation(cls, old: Sequence[str], new: str | None) -> tuple[Sealer, Sealer]:
        """(reader, writer): the reader opens files under the new key, any old one, or plain,
        so a rotation killed halfway is finished by running it again."""
        readers = [Fernet(key) for key in ([new] if new else []) + list(old)]
        reader = cls(None, MultiFernet(readers) if readers else None, accept_plain=True)
        return reader, cls.with_keys([new] if new else [])

    @property
    def encrypts(self) -> bool:
        return self.writer is not None

    def seal(self, data: bytes) -> bytes:
        return data if self.writer is None else self.writer.encrypt(data)

    def open(self, raw: bytes, path: Path) -> bytes:
        if is_sealed(raw):
            if self.readers is None:
                raise DataKeyError(f"{path} is encrypted but BOT_DATA_KEY is not set")
            try:
                return self.readers.decrypt(raw)
            except InvalidToken:
                raise DataKeyError(
                    f"{path} does not open with BOT_DATA_KEY (another key, or the file was changed)"
                ) from None
        if not is_plain(raw):
            raise DataKeyError(f"{path} is neither JSON nor an encrypted data file")
        if not self.accept_plain:
            raise DataKeyError(f"{path} is not encrypted but BOT_DATA_KEY is set")
        return raw


PLAIN = Sealer()
