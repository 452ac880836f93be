"""/history's argument: 14 or 30 days; anything else is told what is possible, not shown a
silent 14 days."""

from __future__ import annotations

import pytest

USER = 43


@pytest.mark.parametrize("typed", ["/history 365", "/history abc"])
async def test_a_period_we_do_not_have_is_answered_with_the_ones_we_have(rig, content, typed):
    rig.consent(USER)

    await rig.process(rig.update(USER, text=typed))

    assert rig.api.calls_of("sendPhoto") == []
    (sent,) = rig.api.calls_of("sendMessage")
    assert sent.params["text"] == content.text("history.periods", "nl")
    labels = [b["text"] for row in sent.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [content.text("history.show_days", "nl", days=d) for d in (14, 30)]


async def test_history_30_still_draws_thirty_days(rig, content):
    rig.consent(USER)

    await rig.process(rig.update(USER, text="/history 30"))

    (photo,) = rig.api.calls_of("sendPhoto")
    assert photo.params["caption"].startswith(content.text("history.empty", "nl", days=30)[:20])
