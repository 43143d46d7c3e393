"""The customer-lifetime-value models, fitted on RFM summary arrays (never on transactions):
BG/NBD for the number of future purchases and P(alive), Gamma-Gamma for the value per purchase,
both by maximum likelihood with `lifetimes` (see README: why lifetimes and not pymc-marketing).

The summary arrays may be compressed to the distinct (frequency, recency, age) combinations
with a weight each (Fader & Hardie's own trick): the likelihood is the same, the fit and the
predictions run on a few hundred thousand rows instead of a million.

A fit may start from earlier parameters (last night's): the optimiser ends at the same
maximum, in fewer steps. The expected purchases, whose Gaussian hypergeometric function is
the costly part, are evaluated on the distinct (frequency, age) pairs only (see
`_by_frequency_and_age`).

Time unit: days. A month is 30 days, as in lifetimes' customer_lifetime_value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from autograd import value_and_grad
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import ConvergenceError, _scale_time
from scipy.optimize import minimize

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


class _WithoutStandardErrors:
    """A lifetimes fitter that skips the likelihood's Hessian after the fit.

    lifetimes differentiates the likelihood twice over every row after each fit, only for the
    parameters' standard errors and confidence intervals, which nothing here reads: at
    1,000,000 customers that took most of the fit's time. The optimisation is lifetimes' own
    (BaseFitter._fit: the same minimize call), so the parameters are the same; the variance
    matrix, standard errors and intervals are NaN.
    """

    def _fit(self, arguments, initial_params, params_size, disp, tol=1e-7, bounds=None, **kwargs):
        output = minimize(
            value_and_grad(self._negative_log_likelihood),
            jac=True,
            method=None,
            tol=tol,
            x0=0.1 * np.ones(params_size) if initial_params is None else initial_params,
            args=arguments,
            options={"disp": disp, **kwargs},
            bounds=bounds,
        )
        if not output.success:
            raise ConvergenceError(f"the model did not converge: {output.message}")
        return output.x, output.fun, np.full((params_size, params_size), np.nan)

    def _compute_variance_matrix(self) -> pd.DataFrame:
        names = self.params_.index
        return pd.DataFrame(np.nan, columns=names, index=names)


class _BetaGeoFitter(_WithoutStandardErrors, BetaGeoFitter):
    pass


class _GammaGammaFitter(_WithoutStandardErrors, GammaGammaFitter):
    pass


def _quiet_fit(fitter, *args, **kwargs):
    # lifetimes prints the optimiser's output before raising ConvergenceError; numpy warns on
    # the way to a non-finite likelihood. Both are answered by NotEnoughData below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fitter.fit(*args, **kwargs)


_FIT_ERRORS = (ConvergenceError, ValueError, FloatingPointError, np.linalg.LinAlgError)


def _start(values: list[float]) -> np.ndarray | None:
    """lifetimes optimises the logarithms of the parameters."""
    start = np.log(np.asarray(values, dtype=float))
    return start if np.isfinite(start).all() else None


def bgnbd_fit(
    *,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
    weights: np.ndarray | None = None,
    start: Fitted | None = None,
) -> BetaGeoFitter:
    """Maximum-likelihood BG/NBD; NotEnoughData if it does not converge to finite parameters.
    `start`: earlier parameters to start from (a start that fails is retried from lifetimes'
    own)."""
    arrays = [np.asarray(values, dtype=float) for values in (frequency, recency, age)]
    weights = None if weights is None else np.asarray(weights, dtype=float)
    if not (arrays[0] > 0).any():
        # Without a repeat purchase the model is not identified (lifetimes' Hessian, which
        # showed it, is no longer computed: see _WithoutStandardErrors).
        raise NotEnoughData("no repeat purchases")
    initial = None
    if start is not None:
        # lifetimes fits alpha on time scaled to 10 / max(T) (BetaGeoFitter.fit).
        initial = _start([start.r, start.alpha * _scale_time(arrays[2]), start.a, start.b])
    fitter = _BetaGeoFitter()
    try:
        _quiet_fit(fitter, *arrays, weights=weights, initial_params=initial)
    except _FIT_ERRORS as exc:
        if initial is None:
            raise NotEnoughData(str(exc)) from exc
        return bgnbd_fit(frequency=frequency, recency=recency, age=age, weights=weights)
    params = fitter.params_
    if not all(np.isfinite(params[name]) and params[name] > 0 for name in ("r", "alpha", "a", "b")):
        raise NotEnoughData("BG/NBD parameters are not finite and positive")
    return fitter


def gamma_gamma_fit(
    *, frequency: np.ndarray, monetary: np.ndarray, start: SpendFitted | None = None
) -> SpendFitted:
    """Maximum-likelihood Gamma-Gamma on repeat buyers with a positive value.

    q must exceed 1 for the population mean value per purchase to exist.
    """
    initial = None if start is None else _start([start.p, start.q, start.v])
    fitter = _GammaGammaFitter()
    try:
        _quiet_fit(
            fitter,
            np.asarray(frequency, dtype=float),
            np.asarray(monetary, dtype=float),
            initial_params=initial,
        )
    except _FIT_ERRORS as exc:
        if initial is None:
            raise NotEnoughData(str(exc)) from exc
        return gamma_gamma_fit(frequency=frequency, monetary=monetary)
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


def _by_frequency_and_age(model: BetaGeoFitter, compute, *, frequency, recency, age):
    """`compute(frequency, recency, age)` for a sum of expected purchases, evaluated on the
    distinct (frequency, age) pairs only.

    BG/NBD's E[purchases in (0, t] | x, tₓ, T] = (a + b + x − 1) / (a − 1) · P(alive | x, tₓ, T)
    · (1 − H(x, T, t)), where only H (the Gaussian hypergeometric term) is costly, and it does
    not depend on tₓ. So E at tₓ is E at tₓ = T times P(alive | x, tₓ, T) / P(alive | x, T, T),
    exactly (P(alive | x, T, T) = (b + x − 1) / (a + b + x − 1) > 0). At a million customers
    that is ~60,000 (x, T) pairs instead of ~700,000 histories.
    """
    frequency, recency, age = (
        np.asarray(values, dtype=float) for values in (frequency, recency, age)
    )
    if not len(frequency):
        return np.zeros(0)
    # One complex number per (frequency, age): numpy sorts them by real, then imaginary part.
    _pairs, first, inverse = np.unique(frequency + 1j * age, return_index=True, return_inverse=True)
    pair_frequency, pair_age = frequency[first], age[first]
    at_age = compute(pair_frequency, pair_age, pair_age)
    alive_at_age = model.conditional_probability_alive(pair_frequency, pair_age, pair_age)
    alive = model.conditional_probability_alive(frequency, recency, age)
    return at_age[inverse] * alive / alive_at_age[inverse]


def expected_purchases(
    model: BetaGeoFitter,
    *,
    days: float,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """E[purchases in the next `days` | history]: lifetimes'
    conditional_expected_number_of_purchases_up_to_time, on the distinct (frequency, age)."""

    def compute(x, t_x, t):
        return model.conditional_expected_number_of_purchases_up_to_time(days, x, t_x, t)

    return _by_frequency_and_age(model, compute, frequency=frequency, recency=recency, age=age)


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

    def compute(x, t_x, t):
        total = np.zeros(len(x))
        previous = np.zeros(len(x))
        for month in range(1, months + 1):
            cumulative = model.conditional_expected_number_of_purchases_up_to_time(
                month * DAYS_PER_MONTH, x, t_x, t
            )
            total += (cumulative - previous) / (1 + monthly_rate) ** month
            previous = cumulative
        return total

    return _by_frequency_and_age(model, compute, frequency=frequency, recency=recency, age=age)
