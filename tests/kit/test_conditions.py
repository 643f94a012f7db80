"""The generated service and archgen decide a condition alike: the kit's `flow.holds`
(what runs) against archgen.model.conditions.condition_holds (what the validator, the
diagrams and the smoke test reason with), on random conditions and sampled values."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from archgen.model.conditions import Condition, condition_holds
from tests.model.test_conditions import CONDITIONS, samples


@settings(max_examples=300, deadline=None)
@given(CONDITIONS, st.data())
def test_the_kit_and_the_model_agree_on_every_condition(kit_src: Path, condition: Condition,
                                                        data: st.DataObject) -> None:
    flow: Any = importlib.import_module("archgen_service_kit.flow")
    for _ in range(5):
        record = {name: data.draw(st.sampled_from(samples(comparison)))
                  for name, comparison in condition.items()}
        assert flow.holds(condition, record) is condition_holds(condition, record), record
