"""Tests for textfeat.softmax, each against an oracle.

Oracles: mpmath at 400 digits for the stable functions; central finite
differences for the gradient; ``sklearn.metrics.log_loss`` for the loss;
``LogisticRegression`` for coefficients and probabilities at equal ``C``.
"""

from __future__ import annotations

import gzip
import itertools
import json
import tracemalloc
import warnings

import mpmath
import numpy as np
import pytest
import scipy.sparse as sp
from conftest import NEWS, require
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from textfeat._compat import InvalidParameterError
from textfeat.head._loss import loss_grad
from textfeat.softmax import (
    SoftmaxClassifier,
    log_softmax,
    logsumexp,
    softmax,
)

# 1e308 + log(3) needs ~330 significant digits to keep the log(3).
DIGITS = 400

# --------------------------------------------------------------------------
# mpmath references
# --------------------------------------------------------------------------


def _mp_row(row, temperature):
    return [mpmath.mpf(float(v)) / mpmath.mpf(temperature) for v in row]


@mpmath.workdps(DIGITS)
def mp_logsumexp(row, temperature=1.0):
    xs = [v for v in _mp_row(row, temperature) if v != mpmath.ninf]
    if not xs:
        return -np.inf
    return float(mpmath.mpf(temperature) * mpmath.log(mpmath.fsum(map(mpmath.exp, xs))))


@mpmath.workdps(DIGITS)
def mp_log_softmax(row, temperature=1.0):
    xs = _mp_row(row, temperature)
    finite = [v for v in xs if v != mpmath.ninf]
    lse = mpmath.log(mpmath.fsum(map(mpmath.exp, finite)))
    return np.array([-np.inf if v == mpmath.ninf else float(v - lse) for v in xs])


EXTREME_ROWS = [
    [1e308, 1e308, 1e308],
    [-1e308, -1e308],
    [1e308, 0.0, -1e308],
    [1000.0, 999.0, 998.5],
    [-1000.0, -1001.0, -np.inf],
    [0.0, -np.inf, 3.5, -np.inf],
    [1e-300, -1e-300, 0.0],
    [710.0, 709.0],
]


@pytest.mark.parametrize("row", EXTREME_ROWS)
@pytest.mark.parametrize("temperature", [1.0, 0.25, 7.0])
def test_logsumexp_matches_mpmath(row, temperature):
    got = float(logsumexp(np.array(row), temperature=temperature))
    want = mp_logsumexp(row, temperature)
    assert got == pytest.approx(want, rel=4 * np.finfo(float).eps)


@pytest.mark.parametrize("row", EXTREME_ROWS)
@pytest.mark.parametrize("temperature", [1.0, 0.25, 7.0])
def test_log_softmax_matches_mpmath(row, temperature):
    got = log_softmax(np.array(row), temperature=temperature)
    want = mp_log_softmax(row, temperature)
    # -2e308 is not a float: an entry 1e308 below a 1e308 maximum is -inf.
    want = np.where(want < -np.finfo(float).max, -np.inf, want)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("row", EXTREME_ROWS)
def test_softmax_matches_mpmath(row):
    got = softmax(np.array(row))
    want = np.exp(mp_log_softmax(row))
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-300)


def test_all_neg_inf_row_is_uniform_with_neg_inf_logsumexp():
    x = np.array([[-np.inf, -np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0, 3.0]])
    assert logsumexp(x)[0] == -np.inf
    np.testing.assert_array_equal(softmax(x)[0], np.full(4, 0.25))
    np.testing.assert_array_equal(log_softmax(x)[0], np.full(4, -np.log(4.0)))


def test_neg_inf_entry_gets_probability_exactly_zero():
    p = softmax(np.array([0.0, -np.inf, 0.0]))
    np.testing.assert_array_equal(p, [0.5, 0.0, 0.5])


def test_pos_inf_entries_share_the_mass():
    p = softmax(np.array([np.inf, 1.0, np.inf]))
    np.testing.assert_array_equal(p, [0.5, 0.0, 0.5])
    assert logsumexp(np.array([np.inf, 1.0])) == np.inf


def test_axis_zero_normalises_columns():
    x = np.array([[0.0, 1.0], [np.log(3.0), 1.0]])
    np.testing.assert_allclose(softmax(x, axis=0), [[0.25, 0.5], [0.75, 0.5]])


def test_float32_input_stays_float32():
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    assert softmax(x).dtype == np.float32
    assert log_softmax(x).dtype == np.float32
    assert logsumexp(x).dtype == np.float32


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_non_positive_temperature_is_rejected(bad):
    with pytest.raises(InvalidParameterError, match="temperature"):
        softmax([0.0, 1.0], temperature=bad)


def test_infinite_temperature_is_rejected():
    with pytest.raises(ValueError, match="temperature"):
        logsumexp([0.0, 1.0], temperature=np.inf)


def test_smooth_max_tends_to_max_as_temperature_goes_to_zero():
    x = np.array([0.3, 2.0, 1.9, -5.0])
    gaps = [float(logsumexp(x, temperature=t)) - 2.0 for t in (1.0, 0.1, 0.01, 1e-3)]
    assert all(a > b for a, b in itertools.pairwise(gaps))
    assert gaps[-1] == pytest.approx(0.0, abs=1e-40)


finite_rows = hnp.arrays(
    np.float64,
    st.integers(1, 12),
    elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=200, deadline=None)
@given(x=finite_rows, c=st.floats(-1e4, 1e4), t=st.floats(0.05, 20.0))
def test_softmax_sums_to_one_and_ignores_a_shift(x, c, t):
    p = softmax(x, temperature=t)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(softmax(x + c, temperature=t), p, atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(x=finite_rows, t=st.floats(0.05, 20.0))
def test_logsumexp_is_a_smooth_max(x, t):
    lse = float(logsumexp(x, temperature=t))
    top = float(x.max())
    slack = 1e-12 * max(1.0, abs(top))
    assert top - slack <= lse <= top + t * np.log(x.size) + slack


# --------------------------------------------------------------------------
# The objective
# --------------------------------------------------------------------------


def _problem(n_classes, sparse, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 5))
    X[rng.random(X.shape) < 0.4] = 0.0
    y = rng.integers(0, n_classes, size=30)
    sw = rng.uniform(0.2, 3.0, size=30)
    return (sp.csr_matrix(X) if sparse else X), y, sw


@pytest.mark.parametrize(("n_classes", "sparse"), [(4, True), (4, False), (2, True)])
def test_gradient_matches_finite_differences(n_classes, sparse):
    X, y, sw = _problem(n_classes, sparse)
    n_out = 1 if n_classes == 2 else n_classes
    theta = np.random.default_rng(1).normal(size=5 * n_out + n_out)
    args = (X, X.T, y, sw, 3.0, n_out, True, n_classes == 2)
    _, grad = loss_grad(theta, *args)
    h = 1e-6
    numeric = np.array(
        [
            (loss_grad(theta + h * e, *args)[0] - loss_grad(theta - h * e, *args)[0])
            / (2 * h)
            for e in np.eye(theta.size)
        ]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_loss_equals_log_loss_plus_penalty(n_classes):
    X, y, sw = _problem(n_classes, sparse=False)
    C = 3.0
    n_out = 1 if n_classes == 2 else n_classes
    theta = np.random.default_rng(2).normal(size=5 * n_out + n_out)
    loss, _ = loss_grad(theta, X, X.T, y, sw, C, n_out, True, n_classes == 2)
    W, b = theta[: 5 * n_out].reshape(5, n_out), theta[5 * n_out :]
    Z = X @ W + b
    logits = np.column_stack([np.zeros(30), Z]) if n_classes == 2 else Z
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    ce = log_loss(y, P, sample_weight=sw, normalize=False, labels=range(n_classes))
    objective = C * ce + 0.5 * np.sum(W**2)
    assert loss * C * sw.sum() == pytest.approx(objective, rel=1e-12)


# --------------------------------------------------------------------------
# Against LogisticRegression at equal C
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def iris_scaled():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("binary", [False, True])
def test_coef_and_proba_match_logistic_regression(iris_scaled, binary):
    X, y = iris_scaled
    if binary:
        y = (y == 2).astype(int)
    tight = {"C": 0.5, "tol": 1e-10, "max_iter": 10_000}
    ours = SoftmaxClassifier(**tight).fit(X, y)
    ref = LogisticRegression(**tight).fit(X, y)
    # Both stop at L-BFGS's gradient tolerance: 1e-6 on the parameters.
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-7)


def test_binary_model_has_one_row_and_1d_decision(iris_scaled):
    X, y = iris_scaled
    clf = SoftmaxClassifier().fit(X, y == 1)
    assert clf.coef_.shape == (1, 4)
    scores = clf.decision_function(X)
    assert scores.shape == (150,)
    np.testing.assert_allclose(
        clf.predict_proba(X)[:, 1], 1.0 / (1.0 + np.exp(-scores)), rtol=1e-12
    )


def test_string_labels_round_trip(iris_scaled):
    X, y = iris_scaled
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = SoftmaxClassifier().fit(X, names)
    np.testing.assert_array_equal(clf.classes_, ["setosa", "versicolor", "virginica"])
    by_index = SoftmaxClassifier().fit(X, y)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[by_index.predict(X)])


def test_sparse_and_dense_give_the_same_model(iris_scaled):
    X, y = iris_scaled
    dense = SoftmaxClassifier(tol=1e-8, max_iter=1000).fit(X, y)
    sparse = SoftmaxClassifier(tol=1e-8, max_iter=1000).fit(sp.csc_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-10)


def test_float32_gives_the_float64_model(iris_scaled):
    X, y = iris_scaled
    f64 = SoftmaxClassifier(tol=1e-5, max_iter=1000).fit(X, y)
    f32 = SoftmaxClassifier(tol=1e-5, max_iter=1000).fit(X.astype(np.float32), y)
    np.testing.assert_allclose(f32.coef_, f64.coef_, atol=1e-3)
    assert f32.decision_function(X.astype(np.float32)).dtype == np.float32


def test_float32_sparse_fit_makes_no_float64_copy_of_x():
    rng = np.random.default_rng(0)
    X = sp.random(20_000, 1_000, density=0.05, format="csr", dtype=np.float32, rng=rng)
    y = rng.integers(0, 3, size=20_000)
    x_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes  # 8 MB
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        SoftmaxClassifier(max_iter=5).fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # fit keeps float32 sparse copies (the CSR transpose, and the row blocks
    # its threads work on; scipy copies a block's arrays): about 19 MB here.
    # Upcasting would make each of those copies in float64 (12 MB apiece,
    # plus the upcast X itself): more than 40 MB.
    assert peak < 3 * x_bytes


def test_max_iter_reached_warns():
    X, y = load_iris(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        clf = SoftmaxClassifier(max_iter=3).fit(X, y)
    assert clf.n_iter_ == 3


def test_warm_start_resumes_from_the_solution(iris_scaled):
    X, y = iris_scaled
    clf = SoftmaxClassifier(warm_start=True, tol=1e-6).fit(X, y)
    first = clf.n_iter_
    clf.fit(X, y)
    assert clf.n_iter_ < first / 4


def test_class_weight_equals_sample_weight(iris_scaled):
    X, y = iris_scaled
    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    by_class = SoftmaxClassifier(class_weight=weights, tol=1e-10, max_iter=1000)
    by_sample = SoftmaxClassifier(tol=1e-10, max_iter=1000)
    by_class.fit(X, y)
    by_sample.fit(X, y, sample_weight=np.array([weights[c] for c in y]))
    np.testing.assert_allclose(by_class.coef_, by_sample.coef_, atol=1e-8)


def test_balanced_class_weight_matches_logistic_regression(iris_scaled):
    X, y = iris_scaled
    keep = np.r_[0:50, 50:70, 100:150]
    tight = {"tol": 1e-10, "max_iter": 10_000, "class_weight": "balanced"}
    ours = SoftmaxClassifier(**tight).fit(X[keep], y[keep])
    ref = LogisticRegression(**tight).fit(X[keep], y[keep])
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)


# --------------------------------------------------------------------------
# Probabilities and temperature
# --------------------------------------------------------------------------


def test_predict_log_proba_is_finite_where_proba_underflows(iris_scaled):
    X, y = iris_scaled
    clf = SoftmaxClassifier(C=100.0).fit(X, y)
    far = X[:5] * 1e3
    assert np.any(clf.predict_proba(far) == 0.0)
    logp = clf.predict_log_proba(far)
    assert np.all(np.isfinite(logp))
    np.testing.assert_allclose(logp, log_softmax(clf.decision_function(far)))


def test_predict_proba_divides_logits_by_temperature(iris_scaled):
    X, y = iris_scaled
    clf = SoftmaxClassifier(temperature=2.5).fit(X, y)
    Z = X @ clf.coef_.T + clf.intercept_
    expected = np.exp(Z / 2.5) / np.exp(Z / 2.5).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-12)


def test_fit_temperature_lowers_held_out_log_loss_and_keeps_predictions():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    train, val, test = np.arange(0, 600), np.arange(600, 1200), np.arange(1200, 1797)
    clf = SoftmaxClassifier(C=1e3, max_iter=2000).fit(X[train], y[train])
    before_p, before_y = clf.predict_proba(X[test]), clf.predict(X[test])
    clf.fit_temperature(X[val], y[val])
    assert clf.temperature_ > 1.0  # an overfitted model is overconfident
    assert log_loss(y[test], clf.predict_proba(X[test])) < 0.9 * log_loss(
        y[test], before_p
    )
    np.testing.assert_array_equal(clf.predict(X[test]), before_y)


def test_fit_temperature_minimises_validation_log_loss(iris_scaled):
    X, y = iris_scaled
    clf = SoftmaxClassifier(C=50.0).fit(X[::2], y[::2])
    clf.fit_temperature(X[1::2], y[1::2])
    T = clf.temperature_

    def nll(t):
        return log_loss(y[1::2], softmax(clf.decision_function(X[1::2]), temperature=t))

    assert nll(T) <= min(nll(T * 0.99), nll(T * 1.01))


# --------------------------------------------------------------------------
# partial_fit
# --------------------------------------------------------------------------


def test_partial_fit_needs_classes_on_first_call(iris_scaled):
    X, y = iris_scaled
    with pytest.raises(ValueError, match="classes must be passed"):
        SoftmaxClassifier().partial_fit(X, y)


def test_partial_fit_rejects_balanced_class_weight(iris_scaled):
    X, y = iris_scaled
    with pytest.raises(ValueError, match="balanced"):
        SoftmaxClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_rejects_unknown_label(iris_scaled):
    X, y = iris_scaled
    with pytest.raises(ValueError, match=r"not in classes_.*\[2\]"):
        SoftmaxClassifier().partial_fit(X, y, classes=[0, 1])


def test_partial_fit_reaches_the_full_batch_softmax():
    # Overlapping classes, so the (nearly) unpenalised optimum is finite and
    # the penalty convention of partial_fit (Notes) does not matter. A
    # one-vs-rest model has different probabilities; ours converges to the
    # multinomial optimum that L-BFGS finds.
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [1.5, 0.0], [0.0, 1.5]])
    y = rng.integers(0, 3, size=300)
    X = centres[y] + rng.normal(size=(300, 2))
    full = SoftmaxClassifier(C=1e4, tol=1e-10, max_iter=1000).fit(X, y)
    mini = SoftmaxClassifier(C=1e4, batch_size=30, random_state=0)
    for _ in range(200):
        mini.partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_allclose(mini.predict_proba(X), full.predict_proba(X), atol=0.01)


def _read(path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [r["text"] for r in rows], np.array([r["label"] for r in rows])


@pytest.fixture(scope="module")
def news_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    train_texts, y_train = _read(require(NEWS / "train.jsonl.gz"))
    test_texts, y_test = _read(require(NEWS / "test.jsonl.gz"))
    vec = TfidfVectorizer(sublinear_tf=True, min_df=2)
    return vec.fit_transform(train_texts), y_train, vec.transform(test_texts), y_test


@pytest.mark.corpus
def test_partial_fit_reaches_full_batch_accuracy_in_five_passes(news_tfidf):
    # All 20 categories. Full batch: L-BFGS at C=10; mini-batch: 5 shuffled
    # passes of 256-row AdaGrad steps, fed in chunks of 2,000 rows.
    X_train, y_train, X_test, y_test = news_tfidf
    full = SoftmaxClassifier(C=10.0).fit(X_train, y_train)
    full_acc = full.score(X_test, y_test)
    mini = SoftmaxClassifier(C=10.0, random_state=0)
    classes = np.unique(y_train)
    rng = np.random.default_rng(0)
    for _ in range(5):
        order = rng.permutation(X_train.shape[0])
        for start in range(0, len(order), 2000):
            rows = order[start : start + 2000]
            mini.partial_fit(X_train[rows], y_train[rows], classes=classes)
    assert mini.score(X_test, y_test) >= full_acc - 0.01


# scikit-learn's estimator checks run for every numeric step in test_contract.py.


# --------------------------------------------------------------------------
# partial_fit state: plain data, checked when used
# --------------------------------------------------------------------------


def _partially_fitted():
    X, y = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], ["a", "b", "c"]
    return SoftmaxClassifier(random_state=0).partial_fit(X, y, classes=y), X, y


def test_partial_fit_keeps_no_generator_in_its_state():
    clf, _, _ = _partially_fitted()
    kinds = {type(v) for v in vars(clf).values()}
    assert not any(
        issubclass(k, np.random.RandomState | np.random.Generator) for k in kinds
    )


def test_partial_fit_keeps_the_seeded_generator_state():
    # Oracle: RandomState(0) after drawing the one permutation of the chunk,
    # the stream the next call continues.
    clf, _, _ = _partially_fitted()
    rng = np.random.RandomState(0)
    rng.permutation(3)
    kind, keys, pos, *_ = clf._rng_state
    assert kind == "MT19937" and pos == rng.get_state()[2]
    assert np.array_equal(keys, rng.get_state()[1])


@pytest.mark.parametrize(
    ("attr", "value", "match"),
    [
        ("_rng_state", ("MT19937", np.zeros(3, np.uint32), 0, 0, 0.0), "_rng_state"),
        ("_rng_state", "not a state", "_rng_state"),
        ("_adagrad", (np.zeros((5, 3)), np.zeros(3)), "_adagrad"),
        ("_adagrad", [1, 2], "_adagrad"),
        ("_seen", -1.0, "_seen"),
        ("_seen", float("nan"), "_seen"),
    ],
)
def test_changed_partial_fit_state_is_refused_naming_it(attr, value, match):
    clf, X, y = _partially_fitted()
    setattr(clf, attr, value)
    with pytest.raises(ValueError, match=match):
        clf.partial_fit(X, y)
