"""Parity with scipy.special, scikit-learn and gensim (issue 13).

Oracles: scipy.special's ``logsumexp``/``softmax``/``log_softmax`` called on
the same inputs, and the values scipy's documentation prints;
``LogisticRegression`` at equal settings; for ``WordVectors`` (gensim is not
installed) values computed by hand from gensim's documented semantics of
``KeyedVectors.most_similar`` and ``load_word2vec_format(limit=...)`` on a
tiny hand-made table.
"""

from __future__ import annotations

import copy
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import special
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from textfeat import OneHotVectorizer, SequencePadder, Vocabulary, persist
from textfeat._compat import InvalidParameterError
from textfeat.dense.vectors import Coverage, WordVectors
from textfeat.head.classifier import SoftmaxClassifier
from textfeat.head.functions import log_softmax, logsumexp, softmax
from textfeat.text._unknown import UnknownWordError

SQRT2 = math.sqrt(2.0)

# ==================================================================================
# logsumexp / softmax / log_softmax against scipy.special
# ==================================================================================


def test_logsumexp_scipy_doc_unweighted() -> None:
    # scipy's docstring: logsumexp(np.arange(10)) -> 9.4586297444267107
    got = logsumexp(np.arange(10), axis=None)
    assert got == pytest.approx(9.4586297444267107, rel=1e-15)
    assert got == pytest.approx(special.logsumexp(np.arange(10)), rel=1e-15)


def test_logsumexp_scipy_doc_weights() -> None:
    # scipy's docstring: logsumexp(a, b=b) -> 9.9170178533034665
    a, b = np.arange(10), np.arange(10, 0, -1)
    got = logsumexp(a, b=b)
    assert got == pytest.approx(9.9170178533034665, rel=1e-15)
    assert got == pytest.approx(special.logsumexp(a, b=b), rel=1e-15)


def test_logsumexp_scipy_doc_return_sign() -> None:
    # scipy's docstring: logsumexp([1,2],b=[1,-1],return_sign=True) -> (1.5413..., -1.0)
    res, sgn = logsumexp([1, 2], b=[1, -1], return_sign=True)
    assert res == pytest.approx(1.5413248546129181, rel=1e-15)
    assert sgn == -1.0
    want = special.logsumexp([1, 2], b=[1, -1], return_sign=True)
    assert (res, sgn) == pytest.approx(want, rel=1e-15)


def test_logsumexp_negative_sum_without_sign_is_nan() -> None:
    assert np.isnan(logsumexp([1, 2], b=[1, -1]))
    assert np.isnan(special.logsumexp([1, 2], b=[1, -1]))


def test_logsumexp_scipy_doc_zero_weights_mask_entries() -> None:
    # scipy's docstring: a masked entry becomes a zero weight; the result is log(5)
    a = np.array([np.log(2), 2, np.log(3)])
    b = np.array([1, 0, 1])
    assert logsumexp(a, b=b) == pytest.approx(np.log(5), rel=1e-15)


def test_logsumexp_zero_weight_removes_an_infinite_term() -> None:
    got = logsumexp([np.inf, 1.0], b=[0.0, 1.0])
    assert got == 1.0
    assert got == special.logsumexp([np.inf, 1.0], b=[0.0, 1.0])


def test_logsumexp_exactly_cancelling_weights_give_minus_inf_and_sign_zero() -> None:
    got = logsumexp([1.0, 1.0], b=[1.0, -1.0], return_sign=True)
    assert got == (-np.inf, 0.0)
    assert got == special.logsumexp([1.0, 1.0], b=[1.0, -1.0], return_sign=True)


def test_logsumexp_unweighted_sign_matches_scipy() -> None:
    x = np.array([[0.0, 1.0], [-np.inf, -np.inf], [np.nan, 1.0]])
    res, sgn = logsumexp(x, return_sign=True)
    want_res, want_sgn = special.logsumexp(x, axis=-1, return_sign=True)
    np.testing.assert_array_equal(res, want_res)
    np.testing.assert_array_equal(sgn, want_sgn)  # [1, 0, nan]


def test_logsumexp_b_broadcasts_like_scipy() -> None:
    a = np.array([0.5, 1.0, -2.0])
    b = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])
    got = logsumexp(a, b=b, return_sign=True)
    want = special.logsumexp(a, axis=-1, b=b, return_sign=True)
    assert got[0].shape == (2,)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-14)
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (2, 0), (0, 1, 2), ()])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_axes_and_keepdims_match_scipy(axis, keepdims) -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=(2, 3, 4))
    b = rng.normal(size=(3, 1))
    res, sgn = logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True)
    want_res, want_sgn = special.logsumexp(
        a, axis=axis, b=b, keepdims=keepdims, return_sign=True
    )
    assert np.shape(res) == np.shape(want_res)
    np.testing.assert_allclose(res, want_res, rtol=1e-13)
    np.testing.assert_array_equal(sgn, want_sgn)


def test_logsumexp_random_signed_weights_match_scipy() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(1, 6))
        a = rng.choice([0.0, 1.0, -3.0, 700.0, -np.inf, 1e308, 2.5], size=n)
        b = rng.choice([1.0, -1.0, 2.0, -0.5, 3.0], size=n)
        got = logsumexp(a, b=b, return_sign=True)
        want = special.logsumexp(a, b=b, return_sign=True)
        np.testing.assert_allclose(got, want, rtol=1e-13)


def test_logsumexp_weighted_large_logits_do_not_overflow() -> None:
    assert logsumexp([1e308, 1e308], b=[0.5, 0.5]) == 1e308
    res, sgn = logsumexp([1e308, 0.0], b=[-1.0, 1.0], return_sign=True)
    assert (res, sgn) == (1e308, -1.0)


def test_logsumexp_weighted_all_minus_inf_row_is_minus_inf() -> None:
    got = logsumexp([[-np.inf, -np.inf], [0.0, 0.0]], b=[2.0, 3.0], return_sign=True)
    np.testing.assert_array_equal(got[0], [-np.inf, np.log(5.0)])
    np.testing.assert_array_equal(got[1], [0.0, 1.0])


def test_logsumexp_weights_with_temperature() -> None:
    x, b, t = np.array([1.0, 2.0, 4.0]), np.array([2.0, -1.0, 0.5]), 3.0
    want = t * special.logsumexp(x / t, b=b)
    assert logsumexp(x, b=b, temperature=t) == pytest.approx(want, rel=1e-14)


def test_logsumexp_dtype_promotion_matches_scipy() -> None:
    x32 = np.array([1.0, 2.0], dtype=np.float32)
    assert logsumexp(x32, b=np.float32(2.0)).dtype == np.float32
    assert logsumexp(x32, b=np.array([1.0, 2.0])).dtype == np.float64
    assert special.logsumexp(x32, b=np.array([1.0, 2.0])).dtype == np.float64


@pytest.mark.parametrize("x", [3.0, 3, np.float32(3.0), np.float64(3.0), np.array(3.0)])
def test_logsumexp_of_a_scalar_is_the_scalar(x) -> None:
    got = logsumexp(x)
    assert np.ndim(got) == 0 and not isinstance(got, np.ndarray)
    assert got == special.logsumexp(x) == 3.0


@pytest.mark.parametrize("x", [3.0, -2, np.float32(5.0), np.array(0.5)])
def test_softmax_of_a_scalar_is_one(x) -> None:
    got = softmax(x)
    assert np.ndim(got) == 0
    assert got == special.softmax(x) == 1.0


@pytest.mark.parametrize("x", [3.0, np.float64(-7.0), np.array(1e308)])
def test_log_softmax_of_a_scalar_is_zero(x) -> None:
    got = log_softmax(x)
    assert np.ndim(got) == 0
    assert got == special.log_softmax(x) == 0.0


SCIPY_DOC_X = np.array([[1, 0.5, 0.2, 3], [1, -1, 7, 3], [2, 12, 13, 3]])


def test_softmax_axis_none_scipy_doc() -> None:
    # scipy's docstring, softmax(x) over the entire array (5 significant digits)
    want = [[4.48309e-06, 2.71913e-06, 2.01438e-06, 3.31258e-05],
            [4.48309e-06, 6.06720e-07, 1.80861e-03, 3.31258e-05],
            [1.21863e-05, 2.68421e-01, 7.29644e-01, 3.31258e-05]]  # fmt: skip
    got = softmax(SCIPY_DOC_X, axis=None)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(got, special.softmax(SCIPY_DOC_X), rtol=1e-14)


def test_softmax_axis_zero_scipy_doc() -> None:
    want = [[2.11942e-01, 1.01300e-05, 2.75394e-06, 3.33333e-01],
            [2.11942e-01, 2.26030e-06, 2.47262e-03, 3.33333e-01],
            [5.76117e-01, 9.99988e-01, 9.97525e-01, 3.33333e-01]]  # fmt: skip
    np.testing.assert_allclose(softmax(SCIPY_DOC_X, axis=0), want, rtol=1e-5)


@pytest.mark.parametrize("axis", [(0, 1), (1, 0), (0,), None])
def test_softmax_and_log_softmax_tuple_axis_match_scipy(axis) -> None:
    x = np.random.default_rng(1).normal(size=(3, 4, 2)) * 10
    np.testing.assert_allclose(softmax(x, axis=axis), special.softmax(x, axis=axis),
                               rtol=1e-13)  # fmt: skip
    # atol: near 0, scipy's log(sum) loses digits that log1p keeps (checked
    # against mpmath: -3.049415330106431e-08 exactly, scipy ...340374089e-08).
    np.testing.assert_allclose(log_softmax(x, axis=axis),
                               special.log_softmax(x, axis=axis), rtol=1e-13,
                               atol=1e-15)  # fmt: skip


def test_log_softmax_scipy_doc() -> None:
    # scipy's docstring: log_softmax([1000.0, 1.0]) -> [0., -999.]
    np.testing.assert_array_equal(log_softmax([1000.0, 1.0]), [0.0, -999.0])


def test_overflow_safety_kept_for_tuple_axis() -> None:
    x = np.array([[1e308, 1e308], [-np.inf, -np.inf]])
    assert logsumexp(x, axis=(0, 1)) == pytest.approx(1e308 + np.log(2.0), rel=1e-15)
    np.testing.assert_array_equal(softmax(x, axis=(0, 1)), [[0.5, 0.5], [0.0, 0.0]])


# -- bad inputs -----------------------------------------------------------------------
FUNCTIONS = [logsumexp, softmax, log_softmax]


@pytest.mark.parametrize("func", FUNCTIONS)
@pytest.mark.parametrize("x", [[1 + 2j, 0.0], np.array([1.0], dtype=np.complex64), 1j])
def test_complex_x_is_refused_naming_x(func, x) -> None:
    with pytest.raises(InvalidParameterError, match=r"'x' parameter.*complex"):
        func(x)


def test_complex_b_is_refused_naming_b() -> None:
    with pytest.raises(InvalidParameterError, match=r"'b' parameter.*complex"):
        logsumexp([1.0, 2.0], b=[1.0, 1j])


@pytest.mark.parametrize("func", FUNCTIONS)
def test_text_x_is_refused_naming_x(func) -> None:
    with pytest.raises(InvalidParameterError, match=r"'x' parameter.*real numbers"):
        func(["a", "b"])


@pytest.mark.parametrize("b", [[1.0, 2.0, 3.0], np.ones((2, 3))])
def test_b_of_the_wrong_shape_is_refused_naming_both_shapes(b) -> None:
    with pytest.raises(InvalidParameterError, match=r"'b' parameter.*shape \(2,\)"):
        logsumexp([1.0, 2.0], b=b)


@pytest.mark.parametrize("func", FUNCTIONS)
@pytest.mark.parametrize("axis", [2, -3, (0, 2), (0, 0), (1, -1)])
def test_axis_out_of_range_or_repeated_is_refused(func, axis) -> None:
    with pytest.raises(InvalidParameterError, match=r"'axis' parameter.*Got"):
        func(np.zeros((2, 3)), axis=axis)


@pytest.mark.parametrize("axis", [1.5, True, "0", [0]])
def test_axis_of_the_wrong_type_is_refused(axis) -> None:
    with pytest.raises(InvalidParameterError, match=r"'axis' parameter"):
        logsumexp(np.zeros((2, 3)), axis=axis)


@pytest.mark.parametrize("name", ["keepdims", "return_sign"])
def test_non_boolean_flags_are_refused(name) -> None:
    with pytest.raises(InvalidParameterError, match=name):
        logsumexp([1.0], **{name: "yes"})


# ==================================================================================
# SoftmaxClassifier: C=inf, class and sample weights, sparsify
# ==================================================================================


@pytest.fixture(scope="module")
def noisy_iris():
    """Two iris features plus noise: not separable, so the unpenalised fit is finite."""
    X, y = load_iris(return_X_y=True)
    X = X[:, :2] + np.random.default_rng(0).normal(scale=0.5, size=(150, 2))
    return X, y


def _unpenalised_lr(**kw) -> LogisticRegression:
    with warnings.catch_warnings():  # penalty=None is deprecated for C=inf in 1.8
        warnings.simplefilter("ignore", FutureWarning)
        return LogisticRegression(penalty=None, tol=1e-10, max_iter=10_000, **kw)


def _fit_lr(lr, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return lr.fit(*args, **kw)


@pytest.mark.parametrize("binary", [False, True])
def test_c_inf_matches_unpenalised_logistic_regression(noisy_iris, binary) -> None:
    X, y = noisy_iris
    y = (y == 1).astype(int) if binary else y
    clf = SoftmaxClassifier(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    lr = _fit_lr(_unpenalised_lr(), X, y)
    np.testing.assert_allclose(clf.coef_, lr.coef_, atol=1e-5)
    np.testing.assert_allclose(clf.intercept_, lr.intercept_, atol=1e-5)


def test_c_inf_with_class_and_sample_weights_matches_logistic_regression(
    noisy_iris,
) -> None:
    X, y = noisy_iris
    sw = np.random.default_rng(1).integers(0, 4, size=len(y)).astype(float)
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    clf = SoftmaxClassifier(C=np.inf, tol=1e-10, max_iter=10_000, class_weight=cw)
    clf.fit(X, y, sample_weight=sw)
    lr = _fit_lr(_unpenalised_lr(class_weight=cw), X, y, sample_weight=sw)
    np.testing.assert_allclose(clf.coef_, lr.coef_, atol=1e-5)


@pytest.mark.parametrize("C", [0.3, np.inf])
def test_balanced_class_weight_counts_classes_by_sample_weight(noisy_iris, C) -> None:
    # LogisticRegression (scikit-learn >= 1.6) weights the class counts of
    # "balanced" by sample_weight.
    X, y = noisy_iris
    sw = np.random.default_rng(2).integers(0, 4, size=len(y)).astype(float)
    clf = SoftmaxClassifier(C=C, tol=1e-10, max_iter=10_000, class_weight="balanced")
    clf.fit(X, y, sample_weight=sw)
    lr = LogisticRegression(C=C, tol=1e-10, max_iter=10_000, class_weight="balanced")
    _fit_lr(lr, X, y, sample_weight=sw)
    np.testing.assert_allclose(clf.coef_, lr.coef_, atol=1e-5)


@pytest.mark.parametrize("C", [0, 0.0, -1.0, np.nan, -np.inf, "1", None])
def test_bad_c_is_refused_naming_it(noisy_iris, C) -> None:
    X, y = noisy_iris
    with pytest.raises(InvalidParameterError, match=r"'C' parameter"):
        SoftmaxClassifier(C=C).fit(X, y)


@pytest.fixture
def fitted(noisy_iris):
    X, y = noisy_iris
    return SoftmaxClassifier(C=10.0).fit(X, y), X, y


def test_sparsify_makes_coef_csr(fitted) -> None:
    clf, _, _ = fitted
    dense = clf.coef_.copy()
    clf.sparsify()
    assert sp.issparse(clf.coef_) and clf.coef_.format == "csr"
    np.testing.assert_array_equal(clf.coef_.toarray(), dense)


@pytest.mark.parametrize("kind", ["dense", "csr", "csc", "float32"])
def test_sparsified_model_predicts_the_same(fitted, kind) -> None:
    clf, X, _ = fitted
    Xk = {"dense": X, "csr": sp.csr_matrix(X), "csc": sp.csc_matrix(X),
          "float32": X.astype(np.float32)}[kind]  # fmt: skip
    pred, proba = clf.predict(Xk), clf.predict_proba(Xk)
    clf.sparsify()
    np.testing.assert_array_equal(clf.predict(Xk), pred)
    rtol = 1e-5 if kind == "float32" else 1e-12  # float32: another summation order
    np.testing.assert_allclose(clf.predict_proba(Xk), proba, rtol=rtol)


def test_densify_restores_the_dense_coef(fitted) -> None:
    clf, _, _ = fitted
    dense = clf.coef_.copy()
    clf.sparsify().densify()
    assert isinstance(clf.coef_, np.ndarray)
    np.testing.assert_array_equal(clf.coef_, dense)


@pytest.mark.parametrize("method", ["sparsify", "densify"])
def test_sparsify_and_densify_need_a_fitted_model(method) -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        getattr(SoftmaxClassifier(), method)()


def test_warm_start_from_a_sparsified_model_gives_a_dense_coef(fitted) -> None:
    clf, X, y = fitted
    n_iter_cold = clf.n_iter_
    clf.sparsify().set_params(warm_start=True).fit(X, y)
    assert isinstance(clf.coef_, np.ndarray)
    assert clf.n_iter_ < n_iter_cold  # it started from the solution


def test_partial_fit_after_sparsify_takes_the_same_steps(noisy_iris) -> None:
    X, y = noisy_iris
    a = SoftmaxClassifier(random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    b = copy.deepcopy(a)
    a.sparsify().partial_fit(X, y)
    b.partial_fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_saving_a_sparsified_model_is_refused_naming_coef(fitted, tmp_path) -> None:
    clf, _, _ = fitted
    clf.sparsify()
    with pytest.raises(ValueError, match=r"coef_.*cannot save.*csr_matrix"):
        persist.save(clf, tmp_path / "m.zip")
    assert not (tmp_path / "m.zip").exists()


def test_densified_model_round_trips_through_a_model_file(fitted, tmp_path) -> None:
    clf, X, _ = fitted
    persist.save(clf.sparsify().densify(), tmp_path / "m.zip")
    back = persist.load(tmp_path / "m.zip")
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))


def test_c_inf_model_round_trips_through_a_model_file(noisy_iris, tmp_path) -> None:
    X, y = noisy_iris
    clf = SoftmaxClassifier(C=np.inf).fit(X, y)
    persist.save(clf, tmp_path / "m.zip")
    back = persist.load(tmp_path / "m.zip")
    assert back.C == np.inf
    np.testing.assert_array_equal(back.coef_, clf.coef_)


# ==================================================================================
# WordVectors: limit, analogies (gensim's semantics), the embedding matrix
# ==================================================================================

TEXT = "4 2\na 1 0\nb 0 1\nc 1 1\nd 2 2\n"


def _binary(words: list[str], vecs: np.ndarray) -> bytes:
    head = f"{len(words)} {vecs.shape[1]}\n".encode()
    body = b"".join(
        w.encode() + b" " + v.astype("<f4").tobytes() + b"\n"
        for w, v in zip(words, vecs, strict=True)
    )
    return head + body


@pytest.mark.parametrize(
    ("fmt", "content"),
    [("word2vec", TEXT), ("fasttext", TEXT), ("glove", TEXT.split("\n", 1)[1])],
)
def test_limit_reads_the_first_vectors_of_a_text_file(tmp_path, fmt, content) -> None:
    path = tmp_path / "v.txt"
    path.write_text(content)
    wv = WordVectors.load(path, fmt, limit=2)
    assert wv.words == ["a", "b"]
    np.testing.assert_array_equal(wv.vectors, [[1, 0], [0, 1]])


def test_limit_reads_the_first_vectors_of_a_binary_file(tmp_path) -> None:
    vecs = np.array([[1, 0], [0, 1], [1, 1], [2, 2]], dtype=np.float32)
    path = tmp_path / "v.bin"
    path.write_bytes(_binary(["a", "b", "c", "d"], vecs))
    wv = WordVectors.load(path, limit=3)
    assert wv.words == ["a", "b", "c"]
    np.testing.assert_array_equal(wv.vectors, vecs[:3])


def test_limit_does_not_read_past_the_limit(tmp_path) -> None:
    # As gensim: the records after the limit are not read, so a bad one there
    # does not stop the load.
    path = tmp_path / "v.txt"
    path.write_text("3 2\na 1 0\nb 0 1\nc not numbers at all\n")
    assert WordVectors.load(path, limit=2).words == ["a", "b"]


def test_limit_above_the_count_reads_and_checks_everything(tmp_path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("3 2\na 1 0\nb 0 1\n")
    with pytest.raises(ValueError, match=r"file ends after 2 of the 3 vectors"):
        WordVectors.load(path, limit=10)


def test_limit_counts_a_skipped_repeated_word(tmp_path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("a 1 0\na 5 5\nb 0 1\n")
    wv = WordVectors.load(path, "glove", limit=2, duplicates="first")
    assert wv.words == ["a"]


@pytest.mark.parametrize("limit", [0, -1, "3", 2.5, True, 2.0])
def test_bad_limit_is_refused_naming_it(tmp_path, limit) -> None:
    path = tmp_path / "v.txt"
    path.write_text(TEXT)
    with pytest.raises(ValueError, match=r"'limit' parameter of WordVectors.load"):
        WordVectors.load(path, limit=limit)


# -- most_similar: gensim's 3CosAdd, by hand -----------------------------------------
# Unit vectors: man (1,0,0), woman (0,1,0), king (1,0,1)/sqrt2, queen (0,1,1)/sqrt2,
# apple (0,0,1). The norms differ on purpose (gensim normalises each word first).
ANALOGY_WORDS = ["man", "woman", "king", "queen", "apple"]
ANALOGY_VECS = np.array(
    [[2.0, 0, 0], [0, 3.0, 0], [1.0, 0, 1.0], [0, 1.0, 1.0], [0, 0, 5.0]]
)


def _analogy(handle_unknown: str = "zero") -> WordVectors:
    return WordVectors(ANALOGY_WORDS, ANALOGY_VECS, handle_unknown=handle_unknown)


def test_analogy_by_hand() -> None:
    # query = unit(king) + unit(woman) - unit(man), direction
    # (1/sqrt2 - 1, 1, 1/sqrt2), squared norm 3 - sqrt2; query words left out.
    got = _analogy().most_similar(positive=["king", "woman"], negative=["man"])
    norm = math.sqrt(3 - SQRT2)
    assert [w for w, _ in got] == ["queen", "apple"]
    np.testing.assert_allclose(
        [s for _, s in got], [(1 / SQRT2 + 0.5) / norm, (1 / SQRT2) / norm], rtol=1e-12
    )


def test_analogy_weighted_pair_by_hand() -> None:
    # 2 unit(king) + unit(woman) - unit(man): direction (sqrt2 - 1, 1, sqrt2),
    # squared norm 6 - 2 sqrt2; cos(apple) = sqrt2 / sqrt(6 - 2 sqrt2)
    got = _analogy().most_similar(positive=[("king", 2.0), "woman"], negative=["man"])
    assert dict(got)["apple"] == pytest.approx(SQRT2 / math.sqrt(6 - 2 * SQRT2))


def test_analogy_tuple_of_two_words_is_two_words() -> None:
    # gensim's _ensure_list keeps a tuple as a list of keys
    wv = _analogy()
    assert wv.most_similar(("king", "woman")) == wv.most_similar(["king", "woman"])


def test_analogy_topn_none_returns_every_similarity_in_row_order() -> None:
    sims = _analogy().most_similar(positive=["king"], topn=None)
    np.testing.assert_allclose(sims, [1 / SQRT2, 0.0, 1.0, 0.5, 1 / SQRT2])


def test_analogy_topn_zero_is_empty() -> None:
    assert _analogy().most_similar(positive=["king"], topn=0) == []


def test_analogy_restrict_vocab_looks_at_the_first_words_only() -> None:
    got = _analogy().most_similar(positive=["queen"], restrict_vocab=2)
    assert [w for w, _ in got] == ["woman", "man"]


def test_analogy_vector_query_is_not_normalised_nor_excluded() -> None:
    got = _analogy().most_similar(positive=[np.array([0.0, 2.0, 2.0])], topn=1)
    assert got[0][0] == "queen" and got[0][1] == pytest.approx(1.0)


def test_analogy_unknown_word_with_error_policy_names_it() -> None:
    with pytest.raises(UnknownWordError, match=r"'zzz'.*handle_unknown='error'"):
        _analogy("error").most_similar(positive=["king", "zzz"])


@pytest.mark.parametrize("policy", ["zero", "ignore"])
def test_analogy_unknown_word_adds_nothing_with_zero_or_ignore(policy) -> None:
    wv = _analogy(policy)
    assert wv.most_similar(positive=["king", "zzz"], negative=["man", "qqq"]) == (
        wv.most_similar(positive=["king"], negative=["man"])
    )


def test_analogy_every_word_unknown_with_ignore_is_an_error() -> None:
    with pytest.raises(UnknownWordError, match=r"none of the query words"):
        _analogy("ignore").most_similar(positive=["zzz"], negative=["qqq"])


def test_analogy_unknown_word_with_mean_policy_by_hand() -> None:
    # mean vector (3, 4, 7) / 5; cos(queen) = (4 + 7) / (sqrt2 * sqrt74)
    got = _analogy("mean").most_similar(positive=["zzz"], topn=1)
    assert got[0][0] == "queen"
    assert got[0][1] == pytest.approx(11 / (SQRT2 * math.sqrt(74)))


def test_analogy_unknown_word_with_unk_policy_uses_and_excludes_the_unk_row() -> None:
    wv = WordVectors([*ANALOGY_WORDS, "*UNK*"], np.vstack([ANALOGY_VECS, [[0, 1, 1]]]),
                     handle_unknown="unk")  # fmt: skip
    got = wv.most_similar(positive="zzz", topn=2)
    assert [w for w, _ in got] == ["queen", "woman"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"positive": ["king"], "topn": -1}, "'topn'"),
        ({"positive": ["king"], "topn": "3"}, "'topn'"),
        ({"positive": ["king"], "topn": True}, "'topn'"),
        ({"positive": ["king"], "restrict_vocab": 0}, "'restrict_vocab'"),
        ({"positive": [np.ones(2)]}, r"positive\[0\] must be .* vector of 3"),
        ({"positive": ["king"], "negative": [("man", "w")]}, r"negative\[0\]"),
        ({"positive": [("king", 1.0, 2.0)]}, r"positive\[0\]"),
        ({}, "no query"),
    ],
)
def test_analogy_bad_arguments_are_refused(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        _analogy().most_similar(**kwargs)


# -- the embedding matrix --------------------------------------------------------------
TABLE = WordVectors(["the", "cat", "sat", "on"], [[1.0, 0.0], [0.0, 1.0], [2.0, 2.0],
                                                  [3.0, -1.0]])  # fmt: skip
DOCS = [["the", "cat", "sat"], ["the", "mat", "mat"], ["dog"]]


def test_matrix_indexed_by_padded_ids_gives_each_token_vector() -> None:
    padder = SequencePadder(maxlen=4).fit(DOCS)
    emb = TABLE.matrix(padder)
    got = emb[padder.transform([["the", "cat", "on"], ["sat"]])]
    # "on" is unknown to the padder -> *UNK* id -> zeros (the table's policy);
    # padding -> *PAD* -> zeros.
    want = [[[1, 0], [0, 1], [0, 0], [0, 0]], [[2, 2], [0, 0], [0, 0], [0, 0]]]
    np.testing.assert_array_equal(got, want)


def test_matrix_row_i_is_the_vector_of_id_i() -> None:
    vocab = Vocabulary().fit(DOCS)
    emb = TABLE.matrix(vocab, handle_unknown="mean")
    mean = TABLE.vectors.mean(axis=0)
    for i, word in enumerate(vocab.itos_):
        want = TABLE[word] if word in TABLE else mean
        if word == "*PAD*":
            want = np.zeros(2)
        np.testing.assert_array_equal(emb[i], want, err_msg=word)


def test_matrix_pad_row_is_zero_even_if_the_table_has_one() -> None:
    wv = WordVectors(["*PAD*", "a"], [[5.0, 5.0], [1.0, 2.0]])
    emb = wv.matrix(Vocabulary().fit([["a"]]))
    np.testing.assert_array_equal(emb[0], [0.0, 0.0])


def test_matrix_specials_take_the_table_rows_when_present() -> None:
    wv = WordVectors(["*UNK*", "*S*", "a"], [[7.0, 7.0], [8.0, 8.0], [1.0, 2.0]])
    emb = wv.matrix(Vocabulary().fit([["a"]]))
    np.testing.assert_array_equal(emb[:5], [[0, 0], [7, 7], [8, 8], [0, 0], [1, 2]])


def test_matrix_unk_policy_fills_with_the_table_unk_row() -> None:
    wv = WordVectors(["*UNK*", "a"], [[7.0, -7.0], [1.0, 2.0]])
    emb = wv.matrix(["a", "b", "*UNK*"], handle_unknown="unk")
    np.testing.assert_array_equal(emb, [[1, 2], [7, -7], [7, -7]])


def test_matrix_defaults_to_the_table_policy() -> None:
    emb = TABLE.with_unknown("mean").matrix(["cat", "zzz"])
    np.testing.assert_array_equal(emb[1], TABLE.vectors.mean(axis=0))


def test_matrix_random_rows_depend_on_the_seed_and_the_id_only() -> None:
    a = TABLE.matrix(["zzz", "cat", "qqq"], handle_unknown="random", random_state=3)
    b = TABLE.matrix(["zzz", "the", "qqq", "yyy"], handle_unknown="random",
                     random_state=3)  # fmt: skip
    np.testing.assert_array_equal(a[[0, 2]], b[[0, 2]])
    assert not np.array_equal(a[0], a[2])
    c = TABLE.matrix(["zzz"], handle_unknown="random", random_state=4)
    assert not np.array_equal(a[0], c[0])


def test_matrix_random_rows_have_the_scale_of_the_table() -> None:
    words = [f"w{i}" for i in range(4000)]
    emb = TABLE.matrix(words, handle_unknown="random", random_state=0)
    np.testing.assert_allclose(emb.mean(axis=0), TABLE.vectors.mean(axis=0), atol=0.1)
    np.testing.assert_allclose(emb.std(axis=0), TABLE.vectors.std(axis=0), rtol=0.05)


def test_matrix_error_policy_names_the_first_missing_word() -> None:
    with pytest.raises(UnknownWordError, match=r"'mat' \(id 4; 2 of"):
        TABLE.matrix(Vocabulary().fit(DOCS), handle_unknown="error")


def test_matrix_coverage_counts_regular_words() -> None:
    # itos_: specials, the, mat, cat, dog, sat (counts, then code points)
    _, cov = TABLE.matrix(Vocabulary().fit(DOCS), return_coverage=True)
    assert cov == Coverage(n_found=3, n_missing=2, missing=["mat", "dog"])
    assert cov.ratio == pytest.approx(0.6)


def test_matrix_aligns_with_onehot_columns() -> None:
    vec = OneHotVectorizer().fit(DOCS)
    emb = TABLE.matrix(vec)
    names = vec.get_feature_names_out()
    assert emb.shape == (len(names), 2)
    j = int(np.flatnonzero(names == "tok=sat")[0])
    np.testing.assert_array_equal(emb[j], [2.0, 2.0])


def test_matrix_accepts_a_mapping() -> None:
    emb = TABLE.matrix({"sat": 1, "the": 0, "zzz": 2})
    np.testing.assert_array_equal(emb, [[1, 0], [2, 2], [0, 0]])


def test_matrix_keeps_the_table_dtype() -> None:
    wv = WordVectors(["a"], np.ones((1, 3), dtype=np.float32))
    assert wv.matrix(["a", "b"], handle_unknown="mean").dtype == np.float32


@pytest.mark.parametrize(
    "vocabulary", [Vocabulary(), SequencePadder(), OneHotVectorizer()], ids=repr
)
def test_matrix_of_an_unfitted_vocabulary_is_refused(vocabulary) -> None:
    with pytest.raises(NotFittedError, match="not (fitted|built)"):
        TABLE.matrix(vocabulary)


@pytest.mark.parametrize(
    ("vocabulary", "match"),
    [
        ("the cat", "'vocabulary' parameter"),
        (42, "'vocabulary' parameter"),
        (["the", 3], r"vocabulary\[1\] is a int"),
        (["the", "the"], "appears twice"),
        ({"the": 0, "cat": 2}, "must be the ints 0 to 1"),
        ({"the": 0, "cat": -1}, "must be the ints 0 to 1"),
        ({"the": 0, "cat": True}, "must be the ints 0 to 1"),
        ({"the": 0, 5: 1}, "not a str"),
    ],
)
def test_matrix_bad_vocabulary_is_refused(vocabulary, match) -> None:
    with pytest.raises(ValueError, match=match):
        TABLE.matrix(vocabulary)


def test_matrix_fitted_estimator_without_a_vocabulary_is_refused() -> None:
    from textfeat import CBOWVectorizer

    cbow = CBOWVectorizer(vectors=TABLE).fit(DOCS)
    with pytest.raises(ValueError, match=r"'vocabulary'.*CBOWVectorizer has no"):
        TABLE.matrix(cbow)


def test_matrix_bad_random_state_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="'random_state' parameter"):
        TABLE.matrix(["zzz"], handle_unknown="random", random_state="seed")


@pytest.mark.parametrize("policy", ["ignore", "drop", 0])
def test_matrix_bad_policy_is_refused(policy) -> None:
    with pytest.raises(ValueError, match="'handle_unknown' parameter of WordVectors.matrix"):
        TABLE.matrix(["the"], handle_unknown=policy)


def test_matrix_unk_policy_needs_an_unk_row() -> None:
    with pytest.raises(ValueError, match="needs a '\\*UNK\\*' row"):
        TABLE.matrix(["the"], handle_unknown="unk")


def test_matrix_file_round_trip(tmp_path: Path) -> None:
    # limit= and matrix together: the usual way to start from a large file
    TABLE.save(tmp_path / "v.txt")
    wv = WordVectors.load(tmp_path / "v.txt", limit=2)
    emb = wv.matrix(["cat", "sat"])
    np.testing.assert_array_equal(emb, [[0, 1], [0, 0]])
