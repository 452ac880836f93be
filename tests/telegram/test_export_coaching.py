"""/export through the real Application: the coaching file's part is in it, and the consent
switches in the exported profile are the coach store's sharing."""

from __future__ import annotations

from test_coach_stranger import (  # noqa: F401 (the fixtures are used by name)
    ALICE,
    api,
    crig,
    export_of,
    linked,
    rig_class,
    table,
)


async def test_the_exported_switches_agree_with_what_is_shared(crig):  # noqa: F811
    await linked(crig, "checkins", "alerts")

    exported = await export_of(crig)

    consent = exported["profile"]["consent"]
    assert (consent["share_checkins"], consent["share_alerts"]) == (True, True)
    assert consent["share_reflections_default"] is False
    assert [s["item"] for s in exported["coaching"]["shared"]] == ["checkins", "alerts"]
    assert exported["coaching"]["coach"]["name"] == "Carla"
    assert ALICE not in (r.get("coach") for r in exported["coaching"]["reads"])
