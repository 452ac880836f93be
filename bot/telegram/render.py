"""Outcomes (bot.services.outcome) into Telegram text and buttons.

The one place that turns text ids into words and choices into inline buttons; `content
show` renders its previews through `render_text` too, so a preview reads as the chat does.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.loader import Content
from bot.services.outcome import Choices, Message, Text
from bot.telegram import callbacks


def render_text(texts: Content, text: Text, lang: str) -> str:
    if text.raw is not None:
        return text.raw
    return texts.text(text.id, lang, **text.values)


def render_body(texts: Content, body: Sequence[Text], lang: str) -> str:
    return "\n\n".join(render_text(texts, part, lang) for part in body)


def render_choices(texts: Content, choices: Choices, lang: str) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    render_text(texts, choice.label, lang),
                    callback_data=callbacks.encode(choice.action, *choice.args),
                )
                for choice in row
            ]
            for row in choices
        ]
    )


def render(texts: Content, message: Message, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    return render_body(texts, message.body, lang), render_choices(texts, message.choices, lang)
