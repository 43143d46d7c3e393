"""The models on summary arrays: Fader, Hardie & Lee's published CDNOW parameters, the
propensity formula, and the discounted value against lifetimes' own CLV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value
from lifetimes.utils import _customer_lifetime_value

from prediction import clv

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_bgnbd_on_cdnow_matches_fader_hardie_lee_2005_within_one_percent():
    summary = load_cdnow_summary(index_col=[0])  # 2,357 customers, weeks, 39-week calibration

    model = clv.bgnbd_fit(
        frequency=summary["frequency"].to_numpy(),
        recency=summary["recency"].to_numpy(),
        age=summary["T"].to_numpy(),
    )

    fitted = clv.fitted(model)
    for name, published in PUBLISHED.items():
        assert getattr(fitted, name) == pytest.approx(published, rel=0.01), name


def test_fits_without_standard_errors_give_lifetimes_own_parameters():
    summary = load_cdnow_summary_data_with_monetary_value()
    repeat = summary[summary["frequency"] > 0]
    history = [summary[name].to_numpy() for name in ("frequency", "recency", "T")]

    model = clv.bgnbd_fit(frequency=history[0], recency=history[1], age=history[2])
    spend = clv.gamma_gamma_fit(
        frequency=repeat["frequency"].to_numpy(), monetary=repeat["monetary_value"].to_numpy()
    )

    theirs = BetaGeoFitter().fit(*history).params_
    assert clv.fitted(model) == clv.Fitted(*(theirs[name] for name in ("r", "alpha", "a", "b")))
    theirs = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"]).params_
    assert spend == clv.SpendFitted(*(theirs[name] for name in ("p", "q", "v")))
    assert model.standard_errors_.isna().all()  # not computed: nothing reads them


def test_compressed_summary_with_weights_gives_the_same_fit():
    summary = load_cdnow_summary(index_col=[0])
    combos = summary.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")

    model = clv.bgnbd_fit(
        frequency=combos["frequency"].to_numpy(),
        recency=combos["recency"].to_numpy(),
        age=combos["T"].to_numpy(),
        weights=combos["n"].to_numpy(),
    )

    fitted = clv.fitted(model)
    for name, published in PUBLISHED.items():
        assert getattr(fitted, name) == pytest.approx(published, rel=0.01), name


def test_a_handful_of_one_time_buyers_is_not_enough_data():
    with pytest.raises(clv.NotEnoughData):
        clv.bgnbd_fit(
            frequency=np.array([0, 0, 0]),
            recency=np.array([0, 0, 0]),
            age=np.array([10, 20, 30]),
        )


class _Fixed:
    """A stand-in fitted BG/NBD with known parameters and P(alive)."""

    def __init__(self, r, alpha, p_alive):
        self.params_ = {"r": r, "alpha": alpha, "a": 1.0, "b": 1.0}
        self._p_alive = p_alive

    def conditional_probability_alive(self, frequency, recency, age):
        return np.full(len(frequency), self._p_alive)


def test_propensity_is_p_alive_times_the_chance_of_a_purchase_while_alive():
    # r = 1, α = 10, x = 1, T = 10, t = 20: alive and no purchase = (20 / 40)^2 = 0.25,
    # so P(≥1) = 0.8 × (1 − 0.25) = 0.6.
    model = _Fixed(r=1.0, alpha=10.0, p_alive=0.8)

    result = clv.propensity(
        model, days=20, frequency=np.array([1.0]), recency=np.array([5.0]), age=np.array([10.0])
    )

    assert result[0] == pytest.approx(0.6)


def test_discounted_purchases_times_value_equals_lifetimes_customer_lifetime_value():
    everybody = load_cdnow_summary(index_col=[0])
    model = clv.bgnbd_fit(
        frequency=everybody["frequency"].to_numpy(),
        recency=everybody["recency"].to_numpy() * 7,
        age=everybody["T"].to_numpy() * 7,
    )
    summary = everybody.head(50)
    days = {name: summary[name] * 7 for name in ("recency", "T")}
    value = pd.Series(np.linspace(10, 60, len(summary)), index=summary.index)

    ours = clv.discounted_purchases(
        model,
        months=12,
        monthly_rate=0.01,
        frequency=summary["frequency"].to_numpy(),
        recency=days["recency"].to_numpy(),
        age=days["T"].to_numpy(),
    )
    theirs = _customer_lifetime_value(
        model,
        summary["frequency"],
        days["recency"],
        days["T"],
        value,
        time=12,
        discount_rate=0.01,
        freq="D",
    )

    np.testing.assert_allclose(ours * value.to_numpy(), theirs.to_numpy(), rtol=1e-9)


def test_gamma_gamma_order_value_weighs_own_mean_against_the_population():
    spend = clv.SpendFitted(p=2.0, q=3.0, v=10.0)
    # population mean v p / (q − 1) = 10; x = 2: w = 4 / (4 + 2) = 2/3 → 1/3 × 10 + 2/3 × 40.
    assert spend.order_value(np.array([2.0]), np.array([40.0]))[0] == pytest.approx(30.0)


def test_expected_purchases_on_frequency_and_age_equal_lifetimes_for_every_history():
    # Evaluated on the distinct (frequency, age) pairs and rescaled by P(alive): exactly
    # lifetimes' per-customer formula.
    summary = load_cdnow_summary(index_col=[0])
    history = {
        "frequency": summary["frequency"].to_numpy(dtype=float),
        "recency": summary["recency"].to_numpy(dtype=float) * 7,
        "age": summary["T"].to_numpy(dtype=float) * 7,
    }
    model = clv.bgnbd_fit(**history)

    ours = clv.expected_purchases(model, days=360, **history)
    theirs = model.conditional_expected_number_of_purchases_up_to_time(
        360, history["frequency"], history["recency"], history["age"]
    )

    assert len(np.unique(history["frequency"] * 10_000 + history["age"])) < len(ours)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_a_fit_started_from_earlier_parameters_ends_at_the_same_maximum():
    summary = load_cdnow_summary(index_col=[0])
    history = {
        "frequency": summary["frequency"].to_numpy(),
        "recency": summary["recency"].to_numpy(),
        "age": summary["T"].to_numpy(),
    }
    cold = clv.fitted(clv.bgnbd_fit(**history))
    yesterday = clv.Fitted(r=cold.r * 1.1, alpha=cold.alpha * 0.9, a=cold.a * 1.1, b=cold.b)

    warm = clv.fitted(clv.bgnbd_fit(**history, start=yesterday))

    for name in ("r", "alpha", "a", "b"):
        assert getattr(warm, name) == pytest.approx(getattr(cold, name), rel=1e-4), name


def test_a_start_that_fails_falls_back_to_lifetimes_own():
    summary = load_cdnow_summary(index_col=[0])
    history = {
        "frequency": summary["frequency"].to_numpy(),
        "recency": summary["recency"].to_numpy(),
        "age": summary["T"].to_numpy(),
    }
    absurd = clv.Fitted(r=1e-300, alpha=1e300, a=1e300, b=1e-300)

    fitted = clv.fitted(clv.bgnbd_fit(**history, start=absurd))

    assert fitted.r == pytest.approx(PUBLISHED["r"], rel=0.01)
