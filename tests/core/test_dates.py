from datetime import date

import pytest

from bot.core.dates import MONTHS, day_text, when_text

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("day", "lang", "expected"),
    [
        (date(2026, 12, 3), "nl", "3 december"),
        (date(2026, 12, 3), "en", "3 December"),
        (date(2026, 3, 1), "nl", "1 maart"),
        (date(2027, 1, 6), "nl", "6 januari 2027"),
        (date(2027, 1, 6), "en", "6 January 2027"),
        (date(2025, 5, 31), "en", "31 May 2025"),
    ],
)
def test_a_day_is_written_in_words_with_the_year_only_when_it_is_not_this_year(day, lang, expected):
    assert day_text(day, lang, TODAY) == expected


def test_both_languages_name_twelve_months():
    assert all(len(names) == 12 for names in MONTHS.values())
    assert set(MONTHS) == {"nl", "en"}


@pytest.mark.parametrize(
    ("day", "lang", "expected"),
    [
        (date(2026, 11, 30), "nl", "vandaag"),
        (date(2026, 12, 1), "nl", "morgen"),
        (date(2026, 12, 1), "en", "tomorrow"),
        (date(2026, 12, 3), "nl", "op 3 december"),
        (date(2027, 1, 6), "en", "on 6 January 2027"),
    ],
)
def test_a_nearby_day_is_named_and_a_later_one_dated(day, lang, expected):
    assert when_text(day, lang, TODAY) == expected
