"""Information measures: distributions, per-feature KL/JS and joint entropy,
``discrete_features``, and the log loss from logits.

Oracles: scipy (``stats.entropy``, ``special.rel_entr``, ``special.kl_div``,
``spatial.distance.jensenshannon``), scikit-learn (``mutual_info_score``,
``mutual_info_classif``, ``log_loss``) and hand-computed cases; hypothesis
for the identities.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.spatial.distance import jensenshannon
from scipy.special import kl_div, rel_entr
from scipy.special import softmax as scipy_softmax
from scipy.stats import entropy as scipy_entropy
from sklearn.feature_selection import SelectKBest, mutual_info_classif
from sklearn.metrics import log_loss, mutual_info_score

from textfeat import SoftmaxClassifier
from textfeat._compat import InvalidParameterError
from textfeat.info import distributions as D
from textfeat.info.loss import log_loss_from_logits
from textfeat.info.per_class import class_scores, top_features
from textfeat.info.scoring import (
    conditional_entropy,
    entropy,
    joint_entropy,
    js_score,
    kl_score,
    mutual_info,
)

TOL = 1e-12
FORMATS = ["dense", "csr", "csc"]
LOG2 = math.log(2.0)


def _as(X, fmt):
    X = np.asarray(X)
    return {"dense": X, "csr": sp.csr_matrix(X), "csc": sp.csc_matrix(X)}[fmt]


# probability vectors with zeros, for the properties
def _vectors(k):
    return hnp.arrays(
        np.float64,
        k,
        elements=st.one_of(st.just(0.0), st.floats(1e-3, 10.0)),
    ).filter(lambda a: a.sum() > 0)


pairs = st.integers(1, 6).flatmap(lambda k: st.tuples(_vectors(k), _vectors(k)))
tables = st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(
    lambda s: hnp.arrays(np.float64, s, elements=st.integers(0, 5)).filter(
        lambda a: a.sum() > 0
    )
)


# ==========================================================================
# distribution functions: oracles
# ==========================================================================


@pytest.mark.parametrize("base", [None, 2, 10, 1.5])
def test_entropy_equals_scipy_entropy_along_each_axis(base):
    rng = np.random.default_rng(0)
    p = rng.random((4, 5, 3))
    p[p < 0.2] = 0.0
    for axis in range(3):
        np.testing.assert_allclose(
            D.entropy(p, axis=axis, base=base),
            scipy_entropy(p, axis=axis, base=base),
            rtol=1e-12,
        )


def test_kl_divergence_equals_scipy_entropy_p_q_and_rel_entr():
    rng = np.random.default_rng(1)
    p, q = rng.random((6, 5)), rng.random((6, 5)) + 0.01
    p[p < 0.3] = 0.0
    pn, qn = p / p.sum(1, keepdims=True), q / q.sum(1, keepdims=True)
    ours = D.kl_divergence(p, q)  # counts: normalised inside
    np.testing.assert_allclose(ours, scipy_entropy(p, q, axis=1), rtol=1e-12)
    np.testing.assert_allclose(ours, rel_entr(pn, qn).sum(1), rtol=1e-12)
    np.testing.assert_allclose(ours, kl_div(pn, qn).sum(1), rtol=1e-10, atol=1e-15)


def test_kl_divergence_in_bits_is_nats_over_log_2():
    p, q = [0.2, 0.3, 0.5], [0.4, 0.4, 0.2]
    assert D.kl_divergence(p, q, base=2) == pytest.approx(
        scipy_entropy(p, q, base=2), rel=1e-12
    )


def test_kl_divergence_is_inf_where_q_is_zero_and_p_positive():
    assert D.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert D.cross_entropy([0.5, 0.5], [1.0, 0.0]) == np.inf
    # the oracle agrees
    assert rel_entr([0.5, 0.5], [1.0, 0.0]).sum() == np.inf


def test_zero_log_zero_is_zero():
    assert D.entropy([1.0, 0.0, 0.0]) == 0.0
    # p = 0 where q = 0: no contribution, not NaN
    assert D.kl_divergence([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert D.cross_entropy([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert D.kl_divergence([0.0, 1.0], [0.5, 0.5], base=2) == pytest.approx(1.0)


def test_counts_are_normalised():
    assert D.entropy([1, 1, 2], base=2) == pytest.approx(1.5)
    assert D.kl_divergence([2, 2], [1, 3]) == pytest.approx(
        D.kl_divergence([0.5, 0.5], [0.25, 0.75])
    )


def test_huge_counts_do_not_overflow_the_sum():
    assert D.entropy([1e308, 1e308], base=2) == pytest.approx(1.0)


def test_cross_entropy_by_hand():
    # -(0.5 log2 0.25 + 0.5 log2 0.75) = 1 + 0.5 log2(4/3)
    assert D.cross_entropy([0.5, 0.5], [0.25, 0.75], base=2) == pytest.approx(
        1.0 + 0.5 * math.log2(4 / 3), rel=1e-14
    )


def test_js_divergence_equals_scipy_jensenshannon_squared():
    rng = np.random.default_rng(2)
    p, q = rng.random((5, 4)), rng.random((5, 4))
    p[p < 0.3] = 0.0
    for base in (None, 2):
        np.testing.assert_allclose(
            D.js_divergence(p, q, base=base),
            jensenshannon(p, q, axis=1, base=base) ** 2,
            rtol=1e-10,
        )


def test_js_divergence_of_disjoint_supports_is_log_2():
    assert D.js_divergence([1, 0], [0, 1]) == pytest.approx(LOG2, rel=1e-15)
    assert D.js_divergence([1, 0], [0, 1], base=2) == pytest.approx(1.0)


def test_information_content_by_hand():
    np.testing.assert_array_equal(
        D.information_content([0.5, 0.25, 1.0, 0.0], base=2), [1.0, 2.0, 0.0, np.inf]
    )
    assert D.information_content(0.125, base=2) == pytest.approx(3.0)
    # from log-probabilities, element-wise
    assert D.information_content(log_p=math.log(0.25), base=2) == pytest.approx(2.0)


def test_information_content_along_an_axis_normalises_counts_and_logits():
    expect = -np.log2(np.array([[0.75, 0.25], [0.5, 0.5]]))
    np.testing.assert_allclose(
        D.information_content([[3, 1], [2, 2]], axis=1, base=2), expect
    )
    logits = np.log([[3.0, 1.0], [2.0, 2.0]]) + 100.0
    np.testing.assert_allclose(
        D.information_content(log_p=logits, axis=1, base=2), expect, atol=1e-12
    )
    # expected information content is the entropy
    p = np.array([0.2, 0.3, 0.5])
    assert np.sum(p * D.information_content(p)) == pytest.approx(D.entropy(p))


def test_joint_entropy_is_entropy_of_the_flattened_table():
    rng = np.random.default_rng(3)
    pxy = rng.random((2, 3, 4))  # a batch of two 3x4 tables
    expect = scipy_entropy(pxy.reshape(2, -1), axis=1)
    np.testing.assert_allclose(D.joint_entropy(pxy), expect, rtol=1e-12)
    np.testing.assert_allclose(D.entropy(pxy, axis=(1, 2)), expect, rtol=1e-12)
    assert D.joint_entropy([[1, 1], [1, 1]], base=2) == pytest.approx(2.0)


def test_result_of_one_distribution_is_a_scalar_and_batches_keep_shape():
    assert np.ndim(D.entropy([0.5, 0.5])) == 0
    assert D.kl_divergence(np.ones((2, 3, 4)), np.ones((2, 3, 4)), axis=1).shape == (
        2,
        4,
    )


# ==========================================================================
# log-space input
# ==========================================================================


def test_log_p_gives_the_same_values_as_p():
    rng = np.random.default_rng(4)
    p, q = rng.random((3, 5)), rng.random((3, 5))
    p[0, 1] = 0.0
    with np.errstate(divide="ignore"):
        lp, lq = np.log(p) + 7.0, np.log(q) - 3.0  # unnormalised: logits
    for f in (D.kl_divergence, D.cross_entropy, D.js_divergence):
        np.testing.assert_allclose(f(log_p=lp, log_q=lq), f(p, q), rtol=1e-11)
        np.testing.assert_allclose(f(p, log_q=lq), f(p, q), rtol=1e-11)
    np.testing.assert_allclose(D.entropy(log_p=lp), D.entropy(p), rtol=1e-11)


def test_logits_of_1e308_stay_finite():
    assert D.entropy(log_p=[1e308, 0.0]) == 0.0
    assert D.entropy(log_p=[1e308, 1e308]) == pytest.approx(LOG2)
    assert D.kl_divergence(log_p=[1e308, 0.0], log_q=[0.0, 1e308]) == 1e308
    assert D.cross_entropy([1.0, 0.0], log_q=[0.0, 1e308]) == 1e308
    assert D.js_divergence(log_p=[1e308, 0.0], log_q=[0.0, 1e308]) == pytest.approx(
        LOG2
    )


def test_log_probability_that_underflows_still_meets_q_zero_as_inf():
    # p_2 = e^-800 > 0 is below the smallest float, yet q_2 = 0: KL is inf
    assert D.kl_divergence(log_p=[0.0, -800.0], log_q=[0.0, -np.inf]) == np.inf
    assert D.kl_divergence(log_p=[0.0, -np.inf], log_q=[0.0, -np.inf]) == 0.0


# ==========================================================================
# distribution functions: properties
# ==========================================================================


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_property_gibbs_inequality_with_equality_iff_p_equals_q(pq):
    p, q = pq
    kl = D.kl_divergence(p, q)
    assert kl >= 0
    assert D.kl_divergence(p, p) == 0.0
    pn, qn = p / p.sum(), q / q.sum()
    if np.max(np.abs(pn - qn)) > 1e-6:
        assert kl > 0
    # the oracle
    assert kl == pytest.approx(scipy_entropy(p, q), rel=1e-9, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_property_cross_entropy_is_entropy_plus_kl_and_at_least_entropy(pq):
    p, q = pq
    H, Hpq, kl = D.entropy(p), D.cross_entropy(p, q), D.kl_divergence(p, q)
    assert Hpq >= H - 1e-12
    if np.isfinite(kl):
        assert Hpq == pytest.approx(H + kl, rel=1e-9, abs=1e-12)
    else:
        assert Hpq == np.inf


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_property_entropy_between_0_and_log_k_and_js_between_0_and_log_2(pq):
    p, q = pq
    H = D.entropy(p)
    assert 0.0 <= H <= math.log(p.size) + 1e-12
    js = D.js_divergence(p, q)
    assert 0.0 <= js <= LOG2
    assert js == pytest.approx(D.js_divergence(q, p), abs=1e-15)


@settings(max_examples=200, deadline=None)
@given(tables)
def test_property_chain_rule_and_mutual_information_identities(counts):
    pxy = counts / counts.sum()
    px, py = pxy.sum(1), pxy.sum(0)
    H_xy = D.joint_entropy(pxy)
    H_x, H_y = D.entropy(px), D.entropy(py)
    # H(Y|X) = sum_x p(x) H(Y | X = x), over rows with mass
    rows = px > 0
    H_y_x = float(np.sum(px[rows] * D.entropy(pxy[rows], axis=1)))
    assert H_xy == pytest.approx(H_x + H_y_x, abs=1e-12)  # chain rule
    mi = H_y - H_y_x
    assert mi == pytest.approx(H_x + H_y - H_xy, abs=1e-12)
    assert mi == pytest.approx(
        D.kl_divergence(pxy, np.outer(px, py), axis=(0, 1)), abs=1e-12
    )
    # oracle: scikit-learn's mutual information of the contingency table
    assert mi == pytest.approx(
        mutual_info_score(None, None, contingency=counts.astype(np.int64)), abs=1e-12
    )


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-50, 50)),
    st.floats(-1e6, 1e6),
)
def test_property_logits_shifted_by_a_constant_give_the_same_entropy(z, c):
    assert D.entropy(log_p=z + c) == pytest.approx(D.entropy(log_p=z), abs=1e-9)
    assert D.entropy(log_p=z) == pytest.approx(
        scipy_entropy(scipy_softmax(z)), abs=1e-12
    )


# ==========================================================================
# distribution functions: bad input, refused naming the parameter
# ==========================================================================


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: D.entropy([0.5, -0.5, 1.0]),
            ValueError,
            r"p must be non-negative.*-0\.5.*\(1,\)",
        ),
        (
            lambda: D.kl_divergence([0.5, 0.5], [np.nan, 1.0]),
            ValueError,
            r"q holds NaN",
        ),
        (lambda: D.entropy([0.5, np.inf]), ValueError, r"p must be finite"),
        (
            lambda: D.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5]),
            ValueError,
            r"p and q must have the same shape.*\(2,\).*\(3,\)",
        ),
        (
            lambda: D.cross_entropy([0.5, 0.5], log_q=[0.0]),
            ValueError,
            r"p and log_q must have the same shape",
        ),
        (lambda: D.entropy([0.5, 0.5], base=0), ValueError, r"base must be"),
        (lambda: D.entropy([0.5, 0.5], base=-2), ValueError, r"base must be"),
        (lambda: D.entropy([0.5, 0.5], base=1), ValueError, r"base must be.*> 1"),
        (lambda: D.entropy([0.5, 0.5], base=0.5), ValueError, r"> 1.*got 0\.5"),
        (lambda: D.entropy([0.5, 0.5], base=math.inf), ValueError, r"base must be"),
        (lambda: D.entropy([0.5, 0.5], base=math.nan), ValueError, r"base must be"),
        (lambda: D.entropy([0.5, 0.5], base=2j), TypeError, r"base must be a real"),
        (lambda: D.entropy([0.5, 0.5], base=True), TypeError, r"base must be a real"),
        (lambda: D.entropy([0.5 + 1j, 0.5]), TypeError, r"p must be real.*complex"),
        (
            lambda: D.kl_divergence([0.5, 0.5], log_q=[0j, 0j]),
            TypeError,
            r"log_q must be real",
        ),
        (
            lambda: D.entropy(["a", "b"]),
            TypeError,
            r"p must be an array of real numbers",
        ),
        (lambda: D.entropy("ab"), TypeError, r"p must be an array of numbers"),
        (lambda: D.entropy([[1.0], [1.0, 2.0]]), ValueError, r"p could not be read"),
        (
            lambda: D.entropy([0.5, 0.5], log_p=[0.0, 0.0]),
            TypeError,
            r"exactly one of p.*both",
        ),
        (lambda: D.entropy(), TypeError, r"exactly one of p.*neither"),
        (lambda: D.kl_divergence([0.5, 0.5]), TypeError, r"exactly one of q"),
        (
            lambda: D.entropy(log_p=[np.inf, 0.0]),
            ValueError,
            r"log_p must be below \+inf",
        ),
        (lambda: D.entropy(log_p=[np.nan, 0.0]), ValueError, r"log_p holds NaN"),
        (
            lambda: D.entropy(log_p=[[0.0, 0.0], [-np.inf, -np.inf]]),
            ValueError,
            r"log_p has no mass.*\(1,\)",
        ),
        (
            lambda: D.entropy([[1.0, 0.0], [0.0, 0.0]]),
            ValueError,
            r"p has no mass.*\(1,\)",
        ),
        (lambda: D.entropy(np.zeros((2, 0))), ValueError, r"p has no entries"),
        (lambda: D.entropy(0.5), ValueError, r"p is a scalar"),
        (
            lambda: D.entropy([0.5, 0.5], axis=1),
            ValueError,
            r"axis 1 is out of range for p",
        ),
        (lambda: D.entropy([0.5, 0.5], axis=1.0), TypeError, r"axis must be an int"),
        (lambda: D.entropy(np.ones((2, 2)), axis=(0, 0)), ValueError, r"distinct axes"),
        (lambda: D.joint_entropy([0.5, 0.5]), ValueError, r"out of range for p with 1"),
        (
            lambda: D.information_content([0.5, 1.5]),
            ValueError,
            r"p must hold probabilities in \[0, 1\].*1\.5",
        ),
        (
            lambda: D.information_content(log_p=[0.5]),
            ValueError,
            r"log_p must hold log-probabilities",
        ),
        (
            lambda: D.information_content([-0.1]),
            ValueError,
            r"p must hold probabilities",
        ),
    ],
    ids=lambda v: getattr(v, "__name__", None) if isinstance(v, type) else None,
)
def test_bad_distribution_input_is_refused_naming_the_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ==========================================================================
# per-feature scores from the contingency tables
# ==========================================================================


def _categories(X, categories):
    X = np.asarray(X)
    return (X != 0).astype(int) if categories == "presence" else X


def _oracle_joint(X, y, categories):
    cols = _categories(X, categories)
    _, yc = np.unique(y, return_inverse=True)
    out = []
    for col in cols.T:
        _, xc = np.unique(col, return_inverse=True)
        table = np.zeros((xc.max() + 1, yc.max() + 1))
        np.add.at(table, (xc, yc), 1)
        out.append(scipy_entropy(table.ravel()))
    return np.array(out)


def _oracle_divergence(X, y, categories, kind):
    """(d, k): scipy KL / JS^2 of P(X_j | c) against P(X_j), column by column."""
    cols = _categories(X, categories)
    classes = np.unique(y)
    out = np.zeros((cols.shape[1], classes.size))
    for j, col in enumerate(cols.T):
        values = np.unique(col)
        q = np.array([np.mean(col == v) for v in values])
        for c, label in enumerate(classes):
            in_c = col[y == label]
            p = np.array([np.mean(in_c == v) for v in values])
            out[j, c] = (
                scipy_entropy(p, q) if kind == "kl" else jensenshannon(p, q) ** 2
            )
    return out


def _data(seed=0, n=60, d=7, n_classes=3):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, (n, d)) * (rng.random((n, d)) < 0.4)
    X[:, 0] = 0  # never occurs
    X[:, 1] = 2  # occurs everywhere
    y = rng.integers(0, n_classes, n)
    y[:n_classes] = np.arange(n_classes)
    return X, np.array(["a", "b", "c", "d"])[y]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("categories", ["presence", "counts"])
def test_joint_entropy_equals_entropy_of_each_contingency_table(fmt, categories):
    X, y = _data()
    np.testing.assert_allclose(
        joint_entropy(_as(X, fmt), y, categories=categories),
        _oracle_joint(X, y, categories),
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize("kind", ["kl", "js"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_class_scores_kl_js_equal_scipy_per_feature_and_class(kind, fmt):
    X, y = _data(1)
    np.testing.assert_allclose(
        class_scores(_as(X, fmt), y, score=kind),
        _oracle_divergence(X, y, "presence", kind),
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize("kind", ["kl", "js"])
@pytest.mark.parametrize("categories", ["presence", "counts"])
def test_kl_js_score_max_over_classes_equals_oracle(kind, categories):
    X, y = _data(2)
    score = kl_score if kind == "kl" else js_score
    np.testing.assert_allclose(
        score(sp.csr_matrix(X), y, categories=categories, base=2),
        _oracle_divergence(X, y, categories, kind).max(axis=1) / LOG2,
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize("kind", ["kl", "js"])
def test_kl_js_score_mean_is_the_prior_weighted_oracle(kind):
    X, y = _data(3)
    prior = np.unique(y, return_counts=True)[1] / y.size
    score = kl_score if kind == "kl" else js_score
    np.testing.assert_allclose(
        score(X, y, aggregate="mean", categories="counts"),
        _oracle_divergence(X, y, "counts", kind) @ prior,
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize("categories", ["presence", "counts"])
def test_kl_score_mean_over_classes_is_mutual_info(categories):
    X, y = _data(4)
    w = np.random.default_rng(4).random(y.size)
    np.testing.assert_allclose(
        kl_score(X, y, aggregate="mean", categories=categories, sample_weight=w),
        mutual_info(X, y, categories=categories, sample_weight=w),
        rtol=0,
        atol=TOL,
    )


def test_kl_js_scores_with_quantile_bins_equal_the_binned_oracle():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 3))
    y = rng.integers(0, 2, 80)
    codes = np.stack(
        [
            np.searchsorted(np.quantile(c, [0.25, 0.5, 0.75]), c, side="right")
            for c in X.T
        ],
        axis=1,
    )
    for kind, score in (("kl", kl_score), ("js", js_score)):
        np.testing.assert_allclose(
            score(X, y, categories="quantile", n_bins=4),
            _oracle_divergence(codes, y, "counts", kind).max(axis=1),
            rtol=0,
            atol=TOL,
        )


def test_integer_sample_weight_equals_repeating_rows_for_kl_js_and_joint():
    X, y = _data(6, n=30)
    w = np.random.default_rng(6).integers(0, 4, y.size)
    w[:3] = 1
    Xr, yr = np.repeat(X, w, axis=0), np.repeat(y, w)
    for f in (
        partial(class_scores, score="kl"),
        partial(class_scores, score="js"),
        joint_entropy,
        partial(js_score, categories="counts"),
    ):
        np.testing.assert_allclose(f(X, y, sample_weight=w), f(Xr, yr), atol=TOL)


@pytest.mark.parametrize("categories", ["presence", "counts"])
def test_float_weights_on_a_feature_present_everywhere_give_no_rounding_category(
    categories,
):
    # class sizes and table cells add the float weights in different orders;
    # N_c - n_jc came out as 1e-16 for a feature present in every sample, a
    # zero category the feature does not have (log of a division by zero).
    X, y = _data(4)
    w = np.random.default_rng(4).integers(1, 5, y.size)
    Xr, yr = np.repeat(X, w, axis=0), np.repeat(y, w)
    for f in (
        mutual_info,
        conditional_entropy,
        joint_entropy,
        kl_score,
        js_score,
        partial(kl_score, aggregate="mean"),
    ):
        np.testing.assert_allclose(
            f(X, y, categories=categories, sample_weight=w * 0.1),
            f(Xr, yr, categories=categories),
            atol=1e-12,
        )
    np.testing.assert_allclose(
        class_scores(X, y, sample_weight=w * 0.1), class_scores(Xr, yr), atol=1e-12
    )


def test_class_of_zero_weight_scores_zero():
    X = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    y = ["a", "a", "b", "c"]
    table = class_scores(X, y, score="kl", sample_weight=[1, 1, 1, 0])
    np.testing.assert_array_equal(table[:, 2], [0.0, 0.0])
    assert np.all(np.isfinite(table))


def test_feature_present_everywhere_scores_zero_without_nan():
    X = np.ones((4, 1))
    y = [0, 0, 1, 1]
    for kind in ("kl", "js"):
        np.testing.assert_array_equal(class_scores(X, y, score=kind), [[0.0, 0.0]])


def test_kl_js_scores_plug_into_select_k_best():
    X, y = _data(7)
    for score in (kl_score, js_score, partial(js_score, aggregate="mean")):
        selector = SelectKBest(score, k=3).fit(sp.csr_matrix(X), y)
        expect = np.argsort(-score(X, y), kind="stable")[:3]
        assert set(np.flatnonzero(selector.get_support())) == set(expect)


def test_top_features_by_js_are_sorted_and_match_class_scores():
    X, y = _data(8)
    table = class_scores(X, y, score="js")
    top = top_features(X, y, score="js", n_top=3, positive=False)
    for c, label in enumerate(np.unique(y)):
        scores = [s for _, s in top[label]]
        assert scores == sorted(scores, reverse=True)
        for name, s in top[label]:
            assert s == table[int(name[1:]), c]


def test_input_is_not_modified_by_kl_js():
    X = sp.csr_matrix(_data(9)[0])
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    js_score(X, _data(9)[1])
    class_scores(X, _data(9)[1], score="kl")
    for a, b in zip(before, (X.data, X.indices, X.indptr), strict=True):
        np.testing.assert_array_equal(a, b)


def test_bad_aggregate_and_score_are_refused():
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="aggregate"):
        kl_score(X, y, aggregate="sum")
    with pytest.raises(InvalidParameterError, match="score"):
        class_scores(X, y, score="kld")


@st.composite
def matrices(draw):
    n = draw(st.integers(2, 25))
    d = draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.int64, (n, d), elements=st.integers(0, 3)))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 3)))
    y[:2] = [0, 1]
    return X, y, draw(st.sampled_from(["presence", "counts"]))


@settings(max_examples=150, deadline=None)
@given(matrices())
def test_property_per_feature_chain_rule_and_mi_identities(case):
    X, y, categories = case
    H_x = entropy(X, categories=categories)
    H_xy = joint_entropy(X, y, categories=categories)
    H_y_x = conditional_entropy(X, y, categories=categories)
    mi = mutual_info(X, y, categories=categories)
    H_y = scipy_entropy(np.unique(y, return_counts=True)[1])
    np.testing.assert_allclose(H_xy, H_x + H_y_x, atol=1e-12)  # chain rule
    np.testing.assert_allclose(mi, H_x + H_y - H_xy, atol=1e-12)
    assert np.all(H_xy >= np.maximum(H_x, H_y) - 1e-12)
    # KL >= 0, JS <= log 2, prior-weighted KL = MI
    kl = class_scores(X, y, score="kl")
    js = class_scores(X, y, score="js")
    assert np.all(kl >= 0) and np.all((js >= 0) & (js <= LOG2))
    np.testing.assert_allclose(
        kl_score(X, y, aggregate="mean", categories=categories), mi, atol=1e-12
    )


# ==========================================================================
# discrete_features (issue 13)
# ==========================================================================


def _mixed(seed=0, n=120):
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [
            rng.integers(-2, 3, n),  # discrete, negative values too
            rng.normal(size=n),  # continuous
            rng.integers(0, 2, n),  # discrete
            rng.normal(size=n) * 3,  # continuous
        ]
    ).astype(float)
    y = rng.integers(0, 3, n)
    y = np.where(X[:, 0] > 0, y, 0)  # make column 0 informative
    return X, y


@pytest.mark.parametrize("mask", [[True, False, True, False], [0, 2], [-4, -2]])
def test_discrete_columns_equal_mutual_info_classif(mask):
    X, y = _mixed()
    ours = mutual_info(X, y, discrete_features=mask, categories="quantile")
    anchor = mutual_info_classif(X, y, discrete_features=mask, random_state=0)
    np.testing.assert_allclose(ours[[0, 2]], anchor[[0, 2]], rtol=0, atol=TOL)
    for j in (0, 2):
        assert ours[j] == pytest.approx(mutual_info_score(X[:, j], y), abs=TOL)


def test_continuous_columns_are_binned_like_categories_quantile():
    X, y = _mixed(1)
    ours = mutual_info(X, y, discrete_features=[0, 2], categories="quantile", n_bins=5)
    np.testing.assert_allclose(
        ours[[1, 3]],
        mutual_info(X[:, [1, 3]], y, categories="quantile", n_bins=5),
        atol=TOL,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_all_discrete_equals_mutual_info_classif_discrete_true(fmt):
    X, y = _mixed(2)
    Xd = X[:, [0, 2]]
    ours = mutual_info(_as(Xd, fmt), y, discrete_features=True)
    np.testing.assert_allclose(
        ours, mutual_info_classif(Xd, y, discrete_features=True), atol=TOL
    )


def test_discrete_auto_means_all_columns_of_a_sparse_matrix():
    X, y = _mixed(3)
    Xs = sp.csr_matrix(np.abs(X[:, [0, 2]]))
    np.testing.assert_allclose(
        mutual_info(Xs, y, discrete_features="auto"),
        mutual_info(Xs, y, categories="counts"),
        atol=TOL,
    )
    np.testing.assert_allclose(
        mutual_info(Xs, y, discrete_features="auto"),
        mutual_info_classif(Xs, y, discrete_features="auto"),
        atol=TOL,
    )


def test_discrete_features_reach_every_per_feature_scorer():
    X, y = _mixed(4)
    mask = [True, False, True, False]
    kw = {"discrete_features": mask, "categories": "quantile"}
    H_x = entropy(X, **kw)
    assert H_x[0] == pytest.approx(
        scipy_entropy(np.unique(X[:, 0], return_counts=True)[1])
    )
    np.testing.assert_allclose(
        joint_entropy(X, y, **kw), H_x + conditional_entropy(X, y, **kw), atol=TOL
    )
    np.testing.assert_allclose(
        kl_score(X, y, aggregate="mean", **kw), mutual_info(X, y, **kw), atol=TOL
    )
    assert js_score(X, y, **kw).shape == (4,)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"discrete_features": [0, 2]},
            ValueError,
            r"discrete_features marks 2 column.*\[1, 3\].*categories='presence'.*quantile",
        ),
        (
            {"discrete_features": False, "categories": "counts"},
            ValueError,
            r"discrete_features marks 4.*categories='counts'",
        ),
        (
            {"discrete_features": [True, False]},
            ValueError,
            r"discrete_features is a boolean mask of length 2.*4 features",
        ),
        (
            {"discrete_features": [0, 4]},
            ValueError,
            r"discrete_features holds column index 4, out of range",
        ),
        (
            {"discrete_features": [0.0, 2.0]},
            TypeError,
            r"discrete_features must be a boolean mask or integer.*float64",
        ),
        ({"discrete_features": [[0, 2]]}, ValueError, r"discrete_features must be 1-d"),
        ({"discrete_features": "all"}, InvalidParameterError, r"discrete_features"),
    ],
)
def test_bad_discrete_features_are_refused(kwargs, error, match):
    X, y = _mixed()
    with pytest.raises(error, match=match):
        mutual_info(X, y, **kwargs)


def test_continuous_columns_of_a_sparse_matrix_are_refused():
    X, y = _mixed()
    with pytest.raises(TypeError, match="discrete_features.*dense X"):
        mutual_info(
            sp.csr_matrix(X), y, discrete_features=[0, 2], categories="quantile"
        )


# ==========================================================================
# log loss from logits
# ==========================================================================


def test_log_loss_from_logits_equals_sklearn_log_loss_multiclass():
    rng = np.random.default_rng(10)
    Z = rng.normal(scale=3, size=(50, 4))
    y = np.array(["w", "x", "y", "z"])[rng.integers(0, 4, 50)]
    w = rng.random(50)
    P = scipy_softmax(Z, axis=1)
    assert log_loss_from_logits(y, Z) == pytest.approx(
        log_loss(y, y_proba=P), rel=1e-12
    )
    assert log_loss_from_logits(y, Z, sample_weight=w) == pytest.approx(
        log_loss(y, y_proba=P, sample_weight=w), rel=1e-12
    )
    assert log_loss_from_logits(y, Z, normalize=False) == pytest.approx(
        log_loss(y, y_proba=P, normalize=False), rel=1e-12
    )


def test_log_loss_from_logits_with_labels_missing_from_y_true():
    Z = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 3.0]])
    y = [0, 2]
    assert log_loss_from_logits(y, Z, labels=[0, 1, 2]) == pytest.approx(
        log_loss(y, y_proba=scipy_softmax(Z, axis=1), labels=[0, 1, 2]), rel=1e-12
    )


def test_log_loss_of_the_softmax_head_equals_sklearn_on_its_probabilities():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(80, 5))
    for n_classes in (2, 3):
        y = (X[:, 0] > 0).astype(int) + (n_classes == 3) * (X[:, 1] > 1)
        clf = SoftmaxClassifier(C=1.0).fit(X, y)
        assert log_loss_from_logits(y, clf.decision_function(X)) == pytest.approx(
            log_loss(y, y_proba=clf.predict_proba(X)), rel=1e-9
        )


def test_log_loss_from_huge_logits_is_finite_and_exact():
    assert log_loss_from_logits([0, 1], [[1e308, 0.0], [0.0, 1e308]]) == 0.0
    # a confident mistake costs its true loss (scikit-learn would clip at ~36)
    assert log_loss_from_logits([1, 0], [[1000.0, 0.0], [0.0, -1000.0]]) == 500.0
    assert log_loss_from_logits([0, 1], [[0.0, -np.inf], [0.0, -np.inf]]) == np.inf


@pytest.mark.parametrize(
    ("y", "Z", "kwargs", "error", "match"),
    [
        (
            [0, 1],
            [[np.nan, 0.0], [0.0, 0.0]],
            {},
            ValueError,
            r"logits hold NaN at index \(0, 0\)",
        ),
        (
            [0, 1],
            [[np.inf, 0.0], [0.0, 0.0]],
            {},
            ValueError,
            r"logits must be below \+inf",
        ),
        ([0, 1], [[1j, 0.0], [0.0, 0.0]], {}, TypeError, r"logits must be real"),
        (
            [0, 1],
            [["a", "b"], ["c", "d"]],
            {},
            TypeError,
            r"logits must be an array of real",
        ),
        ([0, 1], np.zeros((2, 2, 2)), {}, ValueError, r"logits must be 1-d .* or 2-d"),
        (
            [0, 1, 1],
            np.zeros((2, 2)),
            {},
            ValueError,
            r"y_true and logits have different lengths",
        ),
        (
            [0, 1],
            np.zeros((2, 3)),
            {},
            ValueError,
            r"logits has 3 columns but there are 2 classes",
        ),
        (
            [0, 5],
            np.zeros((2, 2)),
            {"labels": [0, 1]},
            ValueError,
            r"y_true holds 5 at index 1",
        ),
        ([0, 0], np.zeros((2, 2)), {}, ValueError, r"single label.*labels="),
        (
            [0, 1],
            np.zeros((2, 2)),
            {"sample_weight": [1.0, -1.0]},
            ValueError,
            r"sample_weight must be finite and non-negative.*index 1",
        ),
        (
            [0, 1],
            np.zeros((2, 2)),
            {"sample_weight": [1.0]},
            ValueError,
            r"sample_weight must have one weight per sample",
        ),
        (
            [0, 1],
            np.zeros((2, 2)),
            {"sample_weight": [0.0, 0.0]},
            ValueError,
            r"sample_weight sums to 0",
        ),
        (
            ["a", "b"],
            np.zeros((2, 2)),
            {"labels": [0, 1]},
            ValueError,
            r"y_true holds 'a' at index 0, which is not in labels",
        ),
        (
            [0.5, 1.5],
            np.zeros((2, 2)),
            {},
            ValueError,
            r"y_true must hold class labels",
        ),
    ],
)
def test_bad_log_loss_input_is_refused_naming_the_parameter(y, Z, kwargs, error, match):
    with pytest.raises(error, match=match):
        log_loss_from_logits(y, Z, **kwargs)


def test_zero_weight_sample_with_infinite_loss_is_ignored():
    Z = [[0.0, -np.inf], [0.0, 0.0]]
    assert log_loss_from_logits([1, 0], Z, sample_weight=[0.0, 1.0]) == pytest.approx(
        LOG2
    )


def test_select_k_best_with_js_score_round_trips_through_a_model_file(tmp_path):
    from sklearn.pipeline import make_pipeline

    from textfeat import load_model, save_model

    X, y = _data(12)
    pipe = make_pipeline(SelectKBest(js_score, k=3), SoftmaxClassifier()).fit(X, y)
    save_model(pipe, tmp_path / "m.tfm")
    loaded = load_model(tmp_path / "m.tfm")
    assert loaded[0].score_func is js_score
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
