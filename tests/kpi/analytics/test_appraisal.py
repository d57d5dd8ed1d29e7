"""Weighted composites: weights sum to 100, attainment scores and zones."""

from __future__ import annotations

from kpi.analytics.appraisal import Part, check_weights, composite


def test_weights_must_sum_to_100():
    assert check_weights({"SL": 40, "FCR": 30, "WT": 30}) == []
    errors = check_weights({"SL": 40, "FCR": 30, "WT": 20})
    assert errors == ["The weights sum to 90, not 100."]
    assert composite([Part("SL", "SL", 50, 0.8, 0.8)]).score is None


def test_composite_weighs_attainment_both_directions():
    result = composite(
        [
            Part("SL", "Service level", 50, 0.72, 0.80),  # 90 points
            Part("AHT", "Handle time", 30, 330.0, 300.0, "lower"),  # 90.9 points
            Part("WT", "Walk-through", 20, 95.0, 90.0),  # 105.6 points
        ]
    )
    assert result.errors == []
    assert round(result.score, 1) == round(
        (50 * 90 + 30 * 300 / 330 * 100 + 20 * 95 / 90 * 100) / 100, 1
    )
    assert [c.zone for c in result.components] == ["amber", "amber", "green"]
    assert result.coverage == 100


def test_a_missing_value_leaves_the_composite_and_shows_in_coverage():
    result = composite([Part("SL", "SL", 60, 0.8, 0.8), Part("WT", "WT", 40, None, 90.0)])
    assert result.coverage == 60 and result.score == 100.0
    assert result.components[1].score is None and result.components[1].zone == ""
