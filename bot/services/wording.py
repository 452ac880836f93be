"""Outcomes into words: a text by id filled in the reader's language, a message's body, a
button's label. No Telegram here: the bot (bot.telegram.render) and `content show`
(bot.services.preview) both word a message through these, so a preview reads as the chat does.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.loader import Content
from bot.services.outcome import Choice, Choices, Text


def render_text(texts: Content, text: Text, lang: str) -> str:
    if text.raw is not None:
        return text.raw
    # A value may itself be a text by id (an item's name in the reader's language).
    values = {
        key: render_text(texts, value, lang) if isinstance(value, Text) else value
        for key, value in text.values.items()
    }
    return texts.text(text.id, lang, **values)


def render_body(texts: Content, body: Sequence[Text], lang: str) -> str:
    return "\n\n".join(render_text(texts, part, lang) for part in body)


def choice_label(texts: Content, choice: Choice, lang: str) -> str:
    return render_text(texts, choice.label, lang)


def choice_labels(texts: Content, choices: Choices, lang: str) -> list[list[str]]:
    """The labels of the buttons, row by row."""
    return [[choice_label(texts, choice, lang) for choice in row] for row in choices]
