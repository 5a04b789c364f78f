"""Temperature scaling: the fit on logits, and calibration="temperature" in the estimator."""

import numpy as np
import pytest
import torch
from scipy.special import expit
from sklearn.metrics import log_loss

from imbbce import BalancedBCEClassifier
from imbbce._calibration import (
    LOG_TEMPERATURE_PRIOR_STD,
    OFFSET_PRIOR_STD,
    fit_sigmoid,
    fit_temperature,
)
from imbbce._classifier import Seeds
from imbbce._prior import logit
from imbbce._split import validation_split

pytestmark = pytest.mark.filterwarnings("ignore::imbbce.MajorityCollapseWarning")


def drawn(n=40_000, scale=3.0, shift=0.0, seed=0):
    """Labels drawn from calibrated logits, and those logits plus ``shift``,
    times ``scale``."""
    rng = np.random.RandomState(seed)
    true = rng.normal(-1.0, 2.0, n)
    y = (rng.uniform(size=n) < expit(true)).astype(np.int64)
    return scale * (true + shift), y


def test_recovers_the_temperature_of_over_confident_logits():
    logits, y = drawn(scale=3.0)
    assert fit_temperature(logits, y) == pytest.approx(3.0, rel=0.05)
    logits, y = drawn(scale=0.5)
    assert fit_temperature(logits, y) == pytest.approx(0.5, rel=0.05)


def test_scales_before_the_prior_shift_is_taken_off():
    # Logits carry a shift of log(9) (as balanced class weights at 10 %
    # positives add) and are then twice too large: expit(z / 2 - log 9) is
    # calibrated.
    logits, y = drawn(scale=2.0, shift=np.log(9.0))
    assert fit_temperature(logits, y, shift=np.log(9.0)) == pytest.approx(2.0, rel=0.05)


def test_the_objective_is_stationary_at_the_temperature():
    rng = np.random.RandomState(1)
    logits = rng.normal(0.0, 4.0, 500)
    y = (rng.uniform(size=500) < expit(logits / 2.5 - 0.3)).astype(np.int64)
    weight = rng.uniform(0.5, 2.0, 500)
    temperature = fit_temperature(logits, y, shift=0.3, sample_weight=weight)
    # d/du at u = log T of sum w log-loss + u^2 / (2 s^2), weights of mean 1.
    weight = weight / weight.mean()
    p = expit(logits / temperature - 0.3)
    u = np.log(temperature)
    gradient = -np.dot(weight, (p - y) * logits) / temperature + u / LOG_TEMPERATURE_PRIOR_STD**2
    assert abs(gradient) < 1e-4


def test_a_constant_factor_on_the_weights_changes_nothing():
    logits, y = drawn(n=300, seed=2)
    weight = np.where(np.arange(300) % 3 == 0, 2.0, 1.0)
    assert fit_temperature(logits, y, sample_weight=weight) == pytest.approx(
        fit_temperature(logits, y, sample_weight=10 * weight), rel=1e-6
    )
    assert fit_temperature(logits, y, sample_weight=np.full(300, 3.0)) == pytest.approx(
        fit_temperature(logits, y), rel=1e-6
    )


def test_a_perfectly_separated_split_keeps_a_moderate_temperature():
    # Without the prior on log T, ever larger logits would keep lowering the
    # log-loss and T would run to its lower bound, every probability to 0 or 1.
    logits = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    y = np.array([0, 0, 0, 1, 1, 1])
    assert 0.2 < fit_temperature(logits, y) < 1.0


def test_many_rows_outweigh_the_prior():
    logits, y = drawn(n=40_000, scale=3.0)
    assert fit_temperature(logits, y) == pytest.approx(3.0, rel=0.05)


def test_a_network_that_ranks_backwards_gets_flat_probabilities():
    logits = np.tile([-1.0, -0.5, 0.5, 1.0], 100)
    y = np.tile([1, 1, 0, 0], 100)
    assert fit_temperature(logits, y) > 10.0


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="same shape"):
        fit_temperature(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="positive sum"):
        fit_temperature(np.zeros(3), np.zeros(3), sample_weight=np.zeros(3))


# ------------------------------------------------------------ fit_sigmoid


def test_sigmoid_recovers_a_scale_and_an_offset_the_temperature_cannot():
    # Logits twice too large and 0.7 too low in log-odds, after a prior
    # shift of log 9: a temperature alone cannot move the mean probability.
    logits, y = drawn(scale=2.0, shift=np.log(9.0) - 0.7)
    temperature, offset = fit_sigmoid(logits, y, shift=np.log(9.0))
    assert temperature == pytest.approx(2.0, rel=0.05)
    assert offset == pytest.approx(0.7, abs=0.05)
    only_t = fit_temperature(logits, y, shift=np.log(9.0))
    gap = expit(logits / only_t - np.log(9.0)).mean() - y.mean()
    sigmoid_gap = expit(logits / temperature + offset - np.log(9.0)).mean() - y.mean()
    assert abs(sigmoid_gap) < 0.005 < abs(gap)


def test_the_sigmoid_objective_is_stationary():
    rng = np.random.RandomState(1)
    logits = rng.normal(0.0, 4.0, 500)
    y = (rng.uniform(size=500) < expit(logits / 2.5 + 0.4 - 0.3)).astype(np.int64)
    weight = rng.uniform(0.5, 2.0, 500)
    temperature, offset = fit_sigmoid(logits, y, shift=0.3, sample_weight=weight)
    weight = weight / weight.mean()
    residual = weight * (expit(logits / temperature + offset - 0.3) - y)
    u = np.log(temperature)
    d_u = -np.dot(residual, logits) / temperature + u / LOG_TEMPERATURE_PRIOR_STD**2
    d_offset = residual.sum() + offset / OFFSET_PRIOR_STD**2
    assert abs(d_u) < 1e-3 and abs(d_offset) < 1e-3


def test_a_perfectly_separated_split_keeps_the_sigmoid_moderate():
    logits = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    y = np.array([0, 0, 0, 1, 1, 1])
    temperature, offset = fit_sigmoid(logits, y)
    assert 0.2 < temperature < 1.0 and abs(offset) < 0.5


def test_the_sigmoid_refuses_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        fit_sigmoid(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="positive sum"):
        fit_sigmoid(np.zeros(3), np.zeros(3), sample_weight=np.zeros(3))


# ----------------------------------------------------------- the estimator

RNG = np.random.RandomState(0)
X = RNG.randn(1500, 6)
y = (X[:, 0] + X[:, 1] + 1.0 * RNG.randn(1500) > 2.3).astype(np.int64)


def make(**params):
    base = dict(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=30, random_state=0)
    return BalancedBCEClassifier(**(base | params))


def test_default_has_temperature_one_and_the_same_probabilities():
    clf = make(early_stopping=True).fit(X, y)
    assert clf.temperature_ == 1.0 and clf.calibration_offset_ == 0.0
    calibrated = make(early_stopping=True, calibration="temperature").fit(X, y)
    # Same split, same training: only the division by the temperature differs.
    assert calibrated.temperature_ != 1.0
    np.testing.assert_allclose(
        calibrated.decision_function(X) * calibrated.temperature_, clf.decision_function(X)
    )
    # The 0.5 decision does not change without prior correction.
    assert np.array_equal(calibrated.predict(X), clf.predict(X))


@pytest.mark.parametrize("calibration", ["temperature", "sigmoid"])
@pytest.mark.parametrize("prior_correction", [False, True])
def test_probabilities_are_calibrated_then_shifted(prior_correction, calibration):
    clf = make(calibration=calibration, prior_correction=prior_correction).fit(X, y)
    assert (clf.calibration_offset_ != 0.0) == (calibration == "sigmoid")
    with torch.no_grad():
        raw = clf.net_.module_(torch.as_tensor(X, dtype=torch.float32)).numpy()
    raw = raw.astype(np.float64)
    calibrated = raw / clf.temperature_ + clf.calibration_offset_
    expected = expit(calibrated - prior_correction * clf.prior_shift_)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("prior_correction", [False, True])
def test_the_temperature_lowers_the_log_loss_of_the_validation_split(prior_correction):
    # The same network with and without the division: on the validation
    # split, where it was fitted, the temperature can only lower the loss
    # of the prior-corrected probabilities.
    clf = make(calibration="temperature", max_iter=100, prior_correction=prior_correction)
    clf.fit(X, y)
    _, valid = validation_split(y, 0.1, Seeds.draw(0).split)
    z = clf.decision_function(X[valid]) + logit(clf.threshold_)
    if prior_correction:
        z = z + clf.prior_shift_
    z = z * clf.temperature_  # the network's own logits
    calibrated = log_loss(y[valid], expit(z / clf.temperature_ - clf.prior_shift_))
    plain = log_loss(y[valid], expit(z - clf.prior_shift_))
    assert calibrated < plain


def test_threshold_auto_is_chosen_on_the_calibrated_probabilities():
    clf = make(calibration="temperature", prior_correction=True, threshold="auto").fit(X, y)
    # predict thresholds the calibrated, shifted probabilities at threshold_.
    assert np.array_equal(
        clf.predict(X), clf.classes_[(clf.predict_proba(X)[:, 1] > clf.threshold_).astype(int)]
    )
    uncalibrated = make(prior_correction=True, threshold="auto").fit(X, y)
    # The same rows are called positive; the threshold is on the new scale.
    assert np.mean(clf.predict(X) == uncalibrated.predict(X)) > 0.99


@pytest.mark.parametrize("calibration", ["temperature", "sigmoid"])
def test_calibration_holds_a_small_split_out_without_stopping_early(calibration):
    # 9 minority rows in all: early_stopping="auto" does not stop early on the
    # split's one minority row, but the calibration is fitted on the split.
    X_small, y_small = X[:400], y[:400]
    clf = make(calibration=calibration, prior_correction=True).fit(X_small, y_small)
    assert not clf.early_stopping_ and clf.scoring_ is None
    assert clf.n_iter_ == clf.max_iter and clf.stop_reason_ == "max_iter"
    assert clf.diagnostics_["checked_on"] == "validation"
    _, valid = validation_split(y_small, 0.1, Seeds.draw(0).split)
    with torch.no_grad():
        z = clf.net_.module_(torch.as_tensor(X_small[valid], dtype=torch.float32)).numpy()
    fit = fit_sigmoid if calibration == "sigmoid" else fit_temperature
    expected = fit(z.astype(np.float64), y_small[valid], shift=clf.prior_shift_)
    if calibration == "temperature":
        expected = (expected, 0.0)
    assert (clf.temperature_, clf.calibration_offset_) == pytest.approx(expected)
    # The network is the one trained on the other rows without a split.
    train = np.setdiff1d(np.arange(400), valid)
    plain = make(early_stopping=False).fit(X_small[train], y_small[train])
    with torch.no_grad():
        z_plain = plain.net_.module_(torch.as_tensor(X_small[valid], dtype=torch.float32))
    assert np.array_equal(z, z_plain.numpy())


def test_calibration_stops_early_when_asked_or_when_the_split_is_large():
    asked = make(calibration="temperature", early_stopping=True).fit(X[:400], y[:400])
    assert asked.early_stopping_ and asked.scoring_ is not None
    X_big = np.vstack([X] * 4)
    y_big = np.concatenate([y] * 4)  # 10 % of the minority rows is at least 50
    assert (y_big == 1).sum() >= 500
    large = make(calibration="temperature", max_iter=2).fit(X_big, y_big)
    assert large.early_stopping_


@pytest.mark.parametrize("calibration", ["temperature", "sigmoid"])
def test_calibration_without_early_stopping_is_refused(calibration):
    with pytest.raises(ValueError, match=f"calibration='{calibration}'.*early_stopping=True"):
        make(calibration=calibration, early_stopping=False).fit(X, y)


def test_sigmoid_fits_the_offset_on_the_temperatures_network():
    # The same split and training; the offset is fitted with the temperature
    # on the validation logits, around the prior shift.
    temperature = make(calibration="temperature", prior_correction=True).fit(X, y)
    sigmoid = make(calibration="sigmoid", prior_correction=True).fit(X, y)
    _, valid = validation_split(y, 0.1, Seeds.draw(0).split)
    with torch.no_grad():
        z = sigmoid.net_.module_(torch.as_tensor(X[valid], dtype=torch.float32)).numpy()
    expected = fit_sigmoid(z.astype(np.float64), y[valid], shift=sigmoid.prior_shift_)
    assert (sigmoid.temperature_, sigmoid.calibration_offset_) == pytest.approx(expected)
    # The temperature's model has the same network: z = (its logit + shift) * T.
    shift = sigmoid.prior_shift_
    z_all = (temperature.decision_function(X) + shift) * temperature.temperature_  # threshold 0.5
    expected_proba = expit(z_all / sigmoid.temperature_ + sigmoid.calibration_offset_ - shift)
    np.testing.assert_allclose(sigmoid.predict_proba(X)[:, 1], expected_proba, rtol=1e-5)


@pytest.mark.parametrize("calibration", ["temperature", "sigmoid"])
def test_without_a_split_the_temperature_stays_one_and_a_warning_says_so(calibration):
    y_one = np.zeros(50, dtype=np.int64)
    y_one[0] = 1
    with pytest.warns(UserWarning) as record:
        clf = make(calibration=calibration).fit(X[:50], y_one)
    assert clf.temperature_ == 1.0 and clf.calibration_offset_ == 0.0
    assert any("temperature_ is 1.0" in str(w.message) for w in record)


def test_invalid_calibration_is_refused():
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="calibration"):
        make(calibration="platt").fit(X, y)
