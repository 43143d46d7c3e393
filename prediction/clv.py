"""The customer-lifetime-value models, fitted on RFM summary arrays (never on transactions):
BG/NBD for the number of future purchases and P(alive), Gamma-Gamma for the value per purchase,
both by maximum likelihood with `lifetimes` (see README: why lifetimes and not pymc-marketing).

The summary arrays may be compressed to the distinct (frequency, recency, age) combinations
with a weight each (Fader & Hardie's own trick): the likelihood is the same, the fit and the
predictions run on a few hundred thousand rows instead of a million.

Time unit: days. A month is 30 days, as in lifetimes' customer_lifetime_value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import ConvergenceError

DAYS_PER_MONTH = 30


class NotEnoughData(Exception):
    """The data cannot support a fit: too few repeat buyers, or the fit did not converge."""


@dataclass(frozen=True)
class Fitted:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class SpendFitted:
    p: float
    q: float
    v: float

    def order_value(self, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
        """E[M | x, m]: lifetimes' conditional_expected_average_profit."""
        weight = self.p * frequency / (self.p * frequency + self.q - 1)
        return (1 - weight) * self.v * self.p / (self.q - 1) + weight * monetary


def _quiet_fit(fitter, *args, **kwargs):
    # lifetimes prints the optimiser's output before raising ConvergenceError; numpy warns on
    # the way to a non-finite likelihood. Both are answered by NotEnoughData below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fitter.fit(*args, **kwargs)


def bgnbd_fit(
    *,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
    weights: np.ndarray | None = None,
) -> BetaGeoFitter:
    """Maximum-likelihood BG/NBD; NotEnoughData if it does not converge to finite parameters."""
    fitter = BetaGeoFitter()
    try:
        _quiet_fit(
            fitter,
            np.asarray(frequency, dtype=float),
            np.asarray(recency, dtype=float),
            np.asarray(age, dtype=float),
            weights=None if weights is None else np.asarray(weights, dtype=float),
        )
    except (ConvergenceError, ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
        raise NotEnoughData(str(exc)) from exc
    params = fitter.params_
    if not all(np.isfinite(params[name]) and params[name] > 0 for name in ("r", "alpha", "a", "b")):
        raise NotEnoughData("BG/NBD parameters are not finite and positive")
    return fitter


def gamma_gamma_fit(*, frequency: np.ndarray, monetary: np.ndarray) -> SpendFitted:
    """Maximum-likelihood Gamma-Gamma on repeat buyers with a positive value.

    q must exceed 1 for the population mean value per purchase to exist.
    """
    fitter = GammaGammaFitter()
    try:
        _quiet_fit(fitter, np.asarray(frequency, dtype=float), np.asarray(monetary, dtype=float))
    except (ConvergenceError, ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
        raise NotEnoughData(str(exc)) from exc
    p, q, v = (float(fitter.params_[name]) for name in ("p", "q", "v"))
    if not (np.isfinite([p, q, v]).all() and p > 0 and v > 0 and q > 1):
        raise NotEnoughData("Gamma-Gamma parameters out of range (q must exceed 1)")
    return SpendFitted(p=p, q=q, v=v)


def fitted(model: BetaGeoFitter) -> Fitted:
    return Fitted(*(float(model.params_[name]) for name in ("r", "alpha", "a", "b")))


def propensity(
    model: BetaGeoFitter,
    *,
    days: float,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """P(at least one purchase in the next `days` | history).

    In BG/NBD a customer can only drop out right after a purchase, so a customer alive now
    makes no purchase in t with probability ((α + T) / (α + T + t))^(r + x) (their purchase
    rate's posterior is Gamma(r + x, α + T)). Hence P(≥1) = P(alive) × (1 − that).
    """
    params = fitted(model)
    p_alive = model.conditional_probability_alive(frequency, recency, age)
    none_if_alive = ((params.alpha + age) / (params.alpha + age + days)) ** (params.r + frequency)
    return np.clip(p_alive * (1 - none_if_alive), 0.0, 1.0)


def discounted_purchases(
    model: BetaGeoFitter,
    *,
    months: int,
    monthly_rate: float,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """Σ over months i of E[purchases in month i] ÷ (1 + rate)^i: times a value per purchase,
    the discounted lifetime value (lifetimes' customer_lifetime_value, freq "D")."""
    total = np.zeros(len(frequency))
    previous = np.zeros(len(frequency))
    for month in range(1, months + 1):
        cumulative = model.conditional_expected_number_of_purchases_up_to_time(
            month * DAYS_PER_MONTH, frequency, recency, age
        )
        total += (cumulative - previous) / (1 + monthly_rate) ** month
        previous = cumulative
    return total
