"""Text that matplotlib can draw: characters its font lacks are left out.

A Telegram name can hold an emoji ("🌻") or a script the bundled DejaVu Sans has no glyph
for; matplotlib would draw a missing-glyph box (and warn). No font shipped with matplotlib
or this bot has emoji, so such characters are left out of a PDF or a picture cleanly; the
chat text around them (the digest, a caption) keeps the name as it is. matplotlib is
imported at the first call, not with this module.
"""

from __future__ import annotations

import functools
import re

# Kept whatever the font says: layout characters.
_ALWAYS = frozenset("\n\t ")
_SPACES = re.compile(r"[ \t]{2,}")
# What a left-out name leaves at the start of a line ("🌻: report" -> ": report").
_LEFT_OVER = re.compile(r"^[\s:;,.–-]+")


@functools.cache
def _codepoints() -> frozenset[int]:
    """The characters both the regular and the bold default font have a glyph for."""
    from matplotlib.font_manager import FontProperties, findfont, get_font

    maps = [
        set(get_font(findfont(FontProperties(weight=weight))).get_charmap())
        for weight in ("normal", "bold")
    ]
    return frozenset(set.intersection(*maps))


def drawable(text: str) -> str:
    """`text` without the characters the font cannot draw (unchanged when it can draw all)."""
    known = _codepoints()
    kept = "".join(ch for ch in text if ch in _ALWAYS or ord(ch) in known)
    if kept == text:
        return text
    return _LEFT_OVER.sub("", _SPACES.sub(" ", kept)).strip()
