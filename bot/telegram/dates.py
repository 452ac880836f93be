"""Dates as people write them, in the coachee's language: "3 december", "3 December 2026".

The month names and the order of day, month and year are content (date.* in ui.yaml).
"""

from __future__ import annotations

from datetime import date

from telegram.ext import ContextTypes

from bot.telegram.replies import text


def day_month(context: ContextTypes.DEFAULT_TYPE, day: date, lang: str) -> str:
    month = text(context, f"date.month.{day.month}", lang)
    return text(context, "date.day_month", lang, day=day.day, month=month)


def day_month_year(context: ContextTypes.DEFAULT_TYPE, day: date, lang: str) -> str:
    month = text(context, f"date.month.{day.month}", lang)
    return text(context, "date.day_month_year", lang, day=day.day, month=month, year=day.year)
