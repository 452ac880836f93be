"""Outcomes (bot.services.outcome) into Telegram text and buttons.

The words come from bot.services.wording, which `content show` (bot.services.preview) words
its previews with too, so a preview reads as the chat does; here only what is Telegram's:
choices into inline buttons with their payloads, a chart into a picture.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.loader import Content
from bot.services.outcome import Choices, HistoryChart, Message
from bot.services.wording import choice_label, render_body, render_text
from bot.telegram import callbacks

# render_text is imported from here by the handlers that word a single text.
__all__ = ["render", "render_chart", "render_choices", "render_text"]


def render_choices(texts: Content, choices: Choices, lang: str) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    choice_label(texts, choice, lang),
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
