"""Dates as a coachee reads them: "3 december" (nl), "3 December" (en), never "2026-12-03".

One formatter for every text that names a day, so the two languages cannot drift apart.
"""

from __future__ import annotations

from datetime import date, timedelta

MONTHS = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def day_month(day: date, lang: str) -> str:
    """ "3 december" / "3 December"."""
    return f"{day.day} {MONTHS.get(lang, MONTHS['en'])[day.month - 1]}"


def day_month_year(day: date, lang: str) -> str:
    """ "3 december 2026" / "3 December 2026"."""
    return f"{day_month(day, lang)} {day.year}"


def day_text(day: date, lang: str, today: date) -> str:
    """ "3 december", with the year only when it is not this year ("3 januari 2027")."""
    return day_month(day, lang) if day.year == today.year else day_month_year(day, lang)


# The two nearby days said as words; any other day as "op 3 december" / "on 3 December".
NEARBY = {"nl": ("vandaag", "morgen", "op"), "en": ("today", "tomorrow", "on")}


def when_text(day: date, lang: str, today: date) -> str:
    """ "vandaag", "morgen" or "op 3 december" (en: "today", "tomorrow", "on 3 December")."""
    words = NEARBY.get(lang, NEARBY["en"])
    if day == today:
        return words[0]
    if day == today + timedelta(days=1):
        return words[1]
    return f"{words[2]} {day_text(day, lang, today)}"
