"""The outcome types are plain frozen values: a service's answer cannot change on its way."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from bot.services import outcome


@pytest.mark.parametrize(
    "kind",
    [*typing.get_args(outcome.Effect), outcome.Outcome, outcome.Message, outcome.Text],
    ids=lambda kind: kind.__name__,
)
def test_every_outcome_type_is_a_frozen_dataclass(kind):
    assert dataclasses.is_dataclass(kind)
    assert kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
