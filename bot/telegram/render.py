"""Outcomes (bot.services.outcome) into Telegram text and buttons.

The one place that turns text ids into words and choices into inline buttons; `content
show` renders its previews through `render_text` too, so a preview reads as the chat does.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.loader import Content
from bot.services.outcome import Choices, HistoryChart, Message, Text
from bot.telegram import callbacks


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


def render_chart(texts: Content, chart: HistoryChart, lang: str) -> bytes:
    """The chart as a PNG; a few hundred ms, so callers run it off the event loop."""
    # matplotlib loads only when a chart is drawn, not with every module that renders text.
    from bot.reports.chart import ChartLabels, render_history_chart

    labels = ChartLabels(
        title=render_text(texts, chart.title, lang),
        energy=render_text(texts, chart.energy, lang),
        stress=render_text(texts, chart.stress, lang),
        sleep=render_text(texts, chart.sleep, lang),
        exercise=render_text(texts, chart.exercise, lang),
        no_data=render_text(texts, chart.no_data, lang),
    )
    return render_history_chart(chart.summary, labels)
