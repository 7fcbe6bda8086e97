"""Tests for textfeat.scoring (and the plot in textfeat.plotting).

Oracles: scikit-learn's ``mutual_info_score`` column by column, scipy's
``entropy`` of each column's category counts, the 2x2 formula of Manning et
al. (IR book, eq. 13.17) evaluated with mpmath at 30 digits, and hypothesis
properties of entropy and mutual information.
"""

from __future__ import annotations

import gzip
import json
import math
import pickle
import sys
from functools import partial

import mpmath
import numpy as np
import pytest
import scipy.sparse as sp
from conftest import NEWS, require
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import entropy as scipy_entropy
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.feature_selection import SelectKBest, SelectPercentile
from sklearn.metrics import mutual_info_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

from textfeat import OneHotVectorizer, SpacyTokenizer
from textfeat._compat import InvalidParameterError
from textfeat.scoring import (
    class_scores,
    conditional_entropy,
    entropy,
    mutual_info,
    top_features,
)

TOL = 1e-10
FORMATS = ["csr", "csc", "dense"]


# --------------------------------------------------------------------------
# helpers: per-column oracles
# --------------------------------------------------------------------------


def _as(X, fmt):
    if fmt == "dense":
        return X.toarray() if sp.issparse(X) else np.asarray(X)
    return sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)


def _columns(X, categories):
    """Dense columns whose distinct values are the categories."""
    D = X.toarray() if sp.issparse(X) else np.asarray(X)
    return (D != 0).astype(int) if categories == "presence" else D


def _oracle_mi(X, y, categories="counts"):
    D = _columns(X, categories)
    return np.array([mutual_info_score(D[:, j], y) for j in range(D.shape[1])])


def _oracle_entropy(X, categories="counts"):
    D = _columns(X, categories)
    return np.array(
        [
            scipy_entropy(np.unique(D[:, j], return_counts=True)[1])
            for j in range(D.shape[1])
        ]
    )


def _label_entropy(y):
    return scipy_entropy(np.unique(y, return_counts=True)[1])


def _oracle_joint_entropy(X, y, categories="counts"):
    """H(X_j, Y) from the distinct (value, label) pairs of each column."""
    D = _columns(X, categories)
    codes = np.unique(y, return_inverse=True)[1]
    out = []
    for j in range(D.shape[1]):
        pairs = np.stack([D[:, j], codes], axis=1)
        out.append(scipy_entropy(np.unique(pairs, axis=0, return_counts=True)[1]))
    return np.array(out)


def _random_sparse(n, d, density, n_classes, seed, max_value=4):
    rng = np.random.default_rng(seed)
    X = sp.random(
        n,
        d,
        density=density,
        format="csr",
        rng=rng,
        data_rvs=lambda size: rng.integers(1, max_value + 1, size),
    )
    y = rng.integers(0, n_classes, n)
    y[:2] = [0, 1]  # at least two classes
    return X, y


# --------------------------------------------------------------------------
# oracle: sklearn.metrics.mutual_info_score, column by column
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("categories", ["presence", "counts"])
@pytest.mark.parametrize("n_classes", [2, 3, 7])
def test_mutual_info_equals_mutual_info_score_per_column(fmt, categories, n_classes):
    X, y = _random_sparse(300, 60, 0.15, n_classes, seed=n_classes)
    got = mutual_info(_as(X, fmt), y, categories=categories)
    np.testing.assert_allclose(got, _oracle_mi(X, y, categories), rtol=0, atol=TOL)


def test_mutual_info_with_string_labels_equals_integer_labels():
    X, y = _random_sparse(200, 30, 0.2, 4, seed=1)
    names = np.array(["sport", "politics", "science", "music"])[y]
    np.testing.assert_allclose(
        mutual_info(X, names), _oracle_mi(X, names, "presence"), rtol=0, atol=TOL
    )
    # class order differs (sorted names), so only the rounding may differ
    np.testing.assert_allclose(mutual_info(X, names), mutual_info(X, y), atol=1e-15)


def test_mutual_info_in_bits_is_nats_over_log_2():
    X, y = _random_sparse(200, 30, 0.2, 3, seed=2)
    np.testing.assert_allclose(
        mutual_info(X, y, base=2), mutual_info(X, y) / math.log(2), rtol=1e-14
    )


@pytest.mark.parametrize("categories", ["presence", "counts"])
def test_entropy_equals_scipy_entropy_of_column_counts(categories):
    X, _ = _random_sparse(250, 40, 0.3, 2, seed=3)
    np.testing.assert_allclose(
        entropy(X, categories=categories),
        _oracle_entropy(X, categories),
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize("categories", ["presence", "counts"])
def test_conditional_entropy_equals_joint_minus_marginal_oracle(categories):
    X, y = _random_sparse(250, 40, 0.3, 5, seed=4)
    expected = _oracle_joint_entropy(X, y, categories) - _oracle_entropy(X, categories)
    np.testing.assert_allclose(
        conditional_entropy(X, y, categories=categories), expected, rtol=0, atol=TOL
    )


def test_quantile_bins_match_per_column_searchsorted_oracle():
    rng = np.random.default_rng(5)
    n, d, n_bins = 400, 12, 5
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, d)) + y[:, None] * np.linspace(0, 1, d)
    X[:, 0] = 7.0  # constant column: one bin, no information
    X[:, 1] = np.round(X[:, 1])  # many ties: equal values share a bin
    edges_q = np.linspace(0, 1, n_bins + 1)[1:-1]
    codes = np.column_stack(
        [
            np.searchsorted(np.quantile(X[:, j], edges_q), X[:, j], side="right")
            for j in range(d)
        ]
    )
    got = mutual_info(X, y, categories="quantile", n_bins=n_bins)
    np.testing.assert_allclose(got, _oracle_mi(codes, y), rtol=0, atol=TOL)
    assert got[0] == 0.0
    np.testing.assert_allclose(
        entropy(X, categories="quantile", n_bins=n_bins),
        _oracle_entropy(codes),
        rtol=0,
        atol=TOL,
    )


def test_quantile_accepts_negative_values_and_sparse_is_refused():
    X = np.array([[-1.5, 0.2], [2.0, 0.4], [-3.0, -0.1], [4.0, 0.0]])
    y = [0, 1, 0, 1]
    np.testing.assert_allclose(
        mutual_info(X, y, categories="quantile", n_bins=2), [math.log(2), 0.0]
    )
    with pytest.raises(TypeError, match=r"categories='quantile'.*X is a sparse"):
        mutual_info(sp.csr_matrix(X), y, categories="quantile")


# --------------------------------------------------------------------------
# oracle: the IR book's 2x2 formula (Manning et al., eq. 13.17)
# --------------------------------------------------------------------------


def _ir_book_mi(n11, n10, n01, n00):
    """I(U; C) in bits, eq. 13.17, in 30-digit arithmetic."""
    mpmath.mp.dps = 30
    n11, n10, n01, n00 = (mpmath.mpf(v) for v in (n11, n10, n01, n00))
    N = n11 + n10 + n01 + n00
    n1_, n0_ = n11 + n10, n01 + n00  # term present / absent
    n_1, n_0 = n11 + n01, n10 + n00  # in class / not in class
    return float(
        n11 / N * mpmath.log(N * n11 / (n1_ * n_1), 2)
        + n01 / N * mpmath.log(N * n01 / (n0_ * n_1), 2)
        + n10 / N * mpmath.log(N * n10 / (n1_ * n_0), 2)
        + n00 / N * mpmath.log(N * n00 / (n0_ * n_0), 2)
    )


def _two_by_two(n11, n10, n01, n00):
    """One presence column and labels realising the table (class 1 = c)."""
    x = np.repeat([1, 1, 0, 0], [n11, n10, n01, n00])
    y = np.repeat([1, 0, 1, 0], [n11, n10, n01, n00])
    return sp.csr_matrix(x.reshape(-1, 1)), y


def test_ir_book_poultry_export_example():
    # IR book, section 13.5.1: class poultry, term export, 801,948 documents.
    table = (49, 27_652, 141, 774_106)
    X, y = _two_by_two(*table)
    got = mutual_info(X, y, base=2)[0]
    assert got == pytest.approx(_ir_book_mi(*table), rel=1e-12)
    assert got == pytest.approx(0.0001105, abs=5e-8)  # the value printed in the book
    # with two classes the one-vs-rest view is the same 2x2 table
    np.testing.assert_allclose(class_scores(X, y, base=2), [[got, got]], rtol=1e-12)


def test_small_hand_computed_two_by_two():
    # N11=2, N10=1, N01=1, N00=4: present in 3 of 8 documents, 3 in class c.
    # I = 2/8 log2(16/9) + 1/8 log2(8/15) + 1/8 log2(8/15) + 4/8 log2(32/25)
    hand = (
        2 / 8 * math.log2(16 / 9)
        + 2 * (1 / 8) * math.log2(8 / 15)
        + 4 / 8 * math.log2(32 / 25)
    )
    X, y = _two_by_two(2, 1, 1, 4)
    assert hand == pytest.approx(_ir_book_mi(2, 1, 1, 4), rel=1e-14)
    assert mutual_info(X, y, base=2)[0] == pytest.approx(hand, rel=1e-13)


# --------------------------------------------------------------------------
# per-class view and top features
# --------------------------------------------------------------------------


def test_class_scores_equal_mutual_info_of_one_vs_rest_labels():
    X, y = _random_sparse(300, 40, 0.2, 4, seed=6)
    got = class_scores(X, y)
    assert got.shape == (40, 4)
    for c in range(4):
        np.testing.assert_allclose(
            got[:, c], _oracle_mi(X, y == c, "presence"), rtol=0, atol=TOL
        )


def test_class_scores_pmi_by_hand():
    # feature present in samples 0, 1, 2; classes a a b b: P(x, a) = 2/4,
    # P(x) = 3/4, P(a) = 1/2 -> PMI(a) = log(4/3); PMI(b) = log(2/3).
    X = np.array([[1, 0], [1, 0], [1, 0], [0, 0]])
    got = class_scores(X, ["a", "a", "b", "b"], score="pmi")
    np.testing.assert_allclose(got[0], [math.log(4 / 3), math.log(2 / 3)])
    # a feature that never occurs has PMI -inf with every class
    assert np.all(got[1] == -np.inf)


def _toy_corpus():
    docs = [
        "cheap pills now",
        "cheap offer now now",
        "buy cheap pills",
        "meeting at noon",
        "lunch at noon today",
        "meeting today",
    ]
    y = ["spam", "spam", "spam", "ham", "ham", "ham"]
    vec = CountVectorizer()
    return vec, vec.fit_transform(docs), y


def test_top_features_names_from_vectorizer_list_or_default():
    vec, X, y = _toy_corpus()
    by_vec = top_features(X, y, n_top=3, feature_names=vec)
    by_list = top_features(
        X, y, n_top=3, feature_names=list(vec.get_feature_names_out())
    )
    assert by_vec == by_list
    assert list(by_vec) == ["ham", "spam"]
    assert by_vec["spam"][0] == ("cheap", pytest.approx(math.log(2)))
    default = top_features(X, y, n_top=1)
    j = list(vec.get_feature_names_out()).index("cheap")
    assert default["spam"] == [(f"x{j}", pytest.approx(math.log(2)))]


def test_top_features_are_sorted_positive_and_match_class_scores():
    X, y = _random_sparse(400, 80, 0.1, 3, seed=7)
    scores = class_scores(X, y)
    top = top_features(X, y, n_top=5)
    D = (X.toarray() != 0).astype(float)
    for c, items in top.items():
        values = [v for _, v in items]
        assert values == sorted(values, reverse=True)
        for name, value in items:
            j = int(name[1:])
            assert value == scores[j, c]
            # over-represented: share of class-c samples above overall share
            assert D[y == c, j].mean() > D[:, j].mean()


def test_top_features_min_count_drops_rare_features():
    vec, X, y = _toy_corpus()
    df = dict(zip(vec.get_feature_names_out(), (X.toarray() > 0).sum(0), strict=True))

    def listed(**kwargs):
        top = top_features(X, y, n_top=10, feature_names=vec, score="pmi", **kwargs)
        return {name for items in top.values() for name, _ in items}

    # PMI lists words seen once ('buy', 'lunch', ...) unless min_count drops them
    assert any(df[name] == 1 for name in listed())
    kept = listed(min_count=2)
    assert kept and all(df[name] >= 2 for name in kept)


def test_top_features_rejects_wrong_number_of_names():
    _, X, y = _toy_corpus()
    with pytest.raises(ValueError, match="feature_names has 2 names but X has"):
        top_features(X, y, feature_names=["a", "b"])
    with pytest.raises((TypeError, InvalidParameterError), match="feature_names"):
        top_features(X, y, feature_names="cheap")


# --------------------------------------------------------------------------
# documented results: constant features, weights, explicit zeros
# --------------------------------------------------------------------------


def test_constant_features_carry_no_information():
    y = np.array([0, 1, 2, 0, 1, 2])
    X = np.column_stack([np.zeros(6), np.ones(6), np.full(6, 3.0)])
    for categories in ("presence", "counts"):
        np.testing.assert_array_equal(mutual_info(X, y, categories=categories), 0.0)
        np.testing.assert_array_equal(entropy(X, categories=categories), 0.0)
        np.testing.assert_allclose(
            conditional_entropy(X, y, categories=categories),
            math.log(3),
            rtol=1e-14,
        )


def test_integer_sample_weight_equals_repeating_rows():
    X, y = _random_sparse(120, 25, 0.25, 3, seed=8)
    w = np.random.default_rng(8).integers(0, 4, 120)  # zeros drop rows
    w[:2] = 1  # keep both classes
    Xr, yr = X[np.repeat(np.arange(120), w)], np.repeat(y, w)
    for categories in ("presence", "counts"):
        for fn in (mutual_info, conditional_entropy):
            np.testing.assert_allclose(
                fn(X, y, categories=categories, sample_weight=w),
                fn(Xr, yr, categories=categories),
                rtol=0,
                atol=TOL,
            )
        np.testing.assert_allclose(
            entropy(X, categories=categories, sample_weight=w),
            entropy(Xr, categories=categories),
            rtol=0,
            atol=TOL,
        )
    np.testing.assert_allclose(
        class_scores(X, y, sample_weight=w), class_scores(Xr, yr), rtol=0, atol=TOL
    )


def test_explicit_zeros_and_duplicates_in_csr():
    # row 0 stores an explicit zero for column 0; row 1 stores column 1 twice
    X = sp.csr_matrix(
        (np.array([0, 2, 1, 1, 3]), np.array([0, 1, 1, 1, 0]), np.array([0, 2, 4, 5])),
        shape=(3, 2),
    )
    y = [0, 1, 1]
    dense = X.toarray()  # sums duplicates: [[0, 2], [0, 2], [3, 0]]
    for categories in ("presence", "counts"):
        np.testing.assert_allclose(
            mutual_info(X, y, categories=categories),
            mutual_info(dense, y, categories=categories),
            rtol=0,
            atol=TOL,
        )


def test_input_is_not_modified():
    X, y = _random_sparse(100, 20, 0.2, 3, seed=9)
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    mutual_info(X, y, categories="counts")
    mutual_info(X, y)
    for a, b in zip(before, (X.data, X.indices, X.indptr), strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------
# bad input: clear errors naming the parameter
# --------------------------------------------------------------------------

Y4 = [0, 1, 0, 1]


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_X_is_refused(bad):
    X = np.array([[1.0], [bad], [0.0], [1.0]])
    with pytest.raises(ValueError, match="Input X contains"):
        mutual_info(X, Y4)
    with pytest.raises(ValueError, match="Input X contains"):
        mutual_info(sp.csr_matrix(X), Y4)


def test_negative_values_are_refused_with_their_position():
    X = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, -2.0], [0.0, 0.0], [1.0, 1.0]]))
    for categories in ("presence", "counts"):
        with pytest.raises(
            ValueError, match=r"X must be non-negative.*-2\.0 at row 1, column 1"
        ):
            mutual_info(X, Y4, categories=categories)
    with pytest.raises(ValueError, match="X must be non-negative"):
        entropy(X)


def test_length_mismatch_names_X_and_y():
    with pytest.raises(ValueError, match="X has 4 samples, y has 3 labels"):
        mutual_info(np.eye(4), [0, 1, 0])


def test_single_class_is_refused():
    with pytest.raises(ValueError, match="y has a single class"):
        mutual_info(np.eye(3), ["a", "a", "a"])
    with pytest.raises(ValueError, match="y has a single class"):
        conditional_entropy(np.eye(3), [1, 1, 1])


@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_empty_matrix_is_refused(shape):
    with pytest.raises(ValueError, match="X is empty"):
        mutual_info(sp.csr_matrix(shape), [0, 1, 0][: shape[0]])
    with pytest.raises(ValueError, match="X is empty"):
        entropy(np.zeros(shape))


def test_continuous_and_multilabel_y_are_refused():
    with pytest.raises(ValueError, match=r"y must hold class labels.*'continuous'"):
        mutual_info(np.eye(4), [0.1, 0.7, 0.3, 2.5])
    with pytest.raises(ValueError, match="y must hold class labels"):
        mutual_info(np.eye(4), np.eye(4))
    with pytest.raises(ValueError, match="Input y contains NaN"):
        mutual_info(np.eye(4), [0.0, np.nan, 1.0, 1.5])


@pytest.mark.parametrize("base", [0, -2.0, 0.5, 1])
def test_base_at_most_one_is_refused(base):
    # base 1 has no logarithm; a base below 1 would make information negative
    with pytest.raises(
        InvalidParameterError, match=r"'base' parameter.*range \(1\.0, inf\)"
    ):
        mutual_info(np.eye(4), Y4, base=base)
    with pytest.raises(InvalidParameterError, match="'base' parameter"):
        entropy(np.eye(4), base=base)


def test_bad_categories_and_n_bins_are_refused():
    with pytest.raises(InvalidParameterError, match="'categories' parameter"):
        mutual_info(np.eye(4), Y4, categories="tfidf")
    with pytest.raises(InvalidParameterError, match="'n_bins' parameter"):
        mutual_info(np.eye(4), Y4, categories="quantile", n_bins=1)


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ([1, 1, 1], "one weight per sample"),
        ([1, -1, 1, 1], "sample_weight must be non-negative"),
        ([0, 0, 0, 0], "sample_weight sums to 0"),
        ([1, np.nan, 1, 1], "Input sample_weight contains NaN"),
    ],
)
def test_bad_sample_weight_is_refused(weight, message):
    with pytest.raises(ValueError, match=message):
        mutual_info(np.eye(4), Y4, sample_weight=weight)


# --------------------------------------------------------------------------
# scikit-learn integration
# --------------------------------------------------------------------------


def test_selector_with_mutual_info_pickles_and_clones():
    # GridSearchCV(n_jobs>1) pickles the scorer, decorated for validation
    X, y = _random_sparse(100, 20, 0.2, 3, seed=11)
    selector = pickle.loads(pickle.dumps(clone(SelectKBest(mutual_info, k=5))))
    np.testing.assert_array_equal(selector.fit(X, y).scores_, mutual_info(X, y))


def test_select_k_best_and_percentile_keep_the_top_scores():
    X, y = _random_sparse(300, 50, 0.2, 3, seed=10)
    scores = mutual_info(X, y)
    top10 = set(np.argsort(-scores, kind="stable")[:10])
    kbest = SelectKBest(mutual_info, k=10).fit(X, y)
    assert set(np.flatnonzero(kbest.get_support())) == top10
    np.testing.assert_array_equal(kbest.scores_, scores)
    pct = SelectPercentile(mutual_info, percentile=20).fit(X, y)
    assert set(np.flatnonzero(pct.get_support())) == top10
    counts = SelectKBest(partial(mutual_info, categories="counts"), k=10).fit(X, y)
    np.testing.assert_allclose(counts.scores_, _oracle_mi(X, y), rtol=0, atol=TOL)


def _news_subset(
    n_per_class=40, labels=("rec.autos", "sci.space", "talk.politics.guns")
):
    path = require(NEWS / "train.jsonl.gz")
    texts, y, seen = [], [], dict.fromkeys(labels, 0)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            label = record["label"]
            if label in seen and seen[label] < n_per_class:
                seen[label] += 1
                texts.append(record["text"])
                y.append(label)
    return texts, np.array(y)


def _grid_search(pipe, texts, y):
    grid = GridSearchCV(
        pipe,
        {"selectkbest__k": [10, 300, "all"]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )
    grid.fit(texts, y)
    assert grid.best_params_["selectkbest__k"] in (10, 300, "all")
    assert grid.best_score_ > 0.7  # three topics: chance is 1/3
    selector = grid.best_estimator_.named_steps["selectkbest"]
    if grid.best_params_["selectkbest__k"] != "all":
        k = grid.best_params_["selectkbest__k"]
        assert selector.get_support().sum() == k
    return grid


def test_grid_search_over_k_with_count_vectorizer():
    texts, y = _news_subset()
    pipe = make_pipeline(
        CountVectorizer(binary=True), SelectKBest(mutual_info), MultinomialNB()
    )
    _grid_search(pipe, texts, y)


def test_grid_search_over_k_with_textfeat_tokenizer_and_one_hot():
    texts, y = _news_subset()
    pipe = make_pipeline(
        SpacyTokenizer(),
        OneHotVectorizer(),
        SelectKBest(mutual_info),
        MultinomialNB(),
    )
    _grid_search(pipe, texts, y)


# --------------------------------------------------------------------------
# 20news: the whole train set against mutual_info_score
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def news_counts():
    path = require(NEWS / "train.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    vec = CountVectorizer()
    X = vec.fit_transform(r["text"] for r in records)
    return vec, X, np.array([r["label"] for r in records])


@pytest.mark.corpus
def test_20news_mutual_info_equals_mutual_info_score(news_counts):
    # All 130k columns are scored; the per-column oracle (about 3 ms a column)
    # runs on 300 random columns plus the 50 top-scoring ones.
    _, X, y = news_counts
    onehot = X.copy()
    onehot.data[:] = 1
    got = mutual_info(onehot, y)
    rng = np.random.default_rng(0)
    cols = np.union1d(rng.choice(X.shape[1], 300, replace=False), np.argsort(-got)[:50])
    np.testing.assert_allclose(
        got[cols], _oracle_mi(onehot[:, cols], y), rtol=0, atol=TOL
    )
    np.testing.assert_array_equal(got, mutual_info(X, y))  # presence of counts
    # counts as categories, on the raw count matrix
    counts = mutual_info(X[:, cols], y, categories="counts")
    np.testing.assert_allclose(counts, _oracle_mi(X[:, cols], y), rtol=0, atol=TOL)


@pytest.mark.corpus
def test_20news_top_features_are_topical(news_counts):
    vec, X, y = news_counts
    top = top_features(X, y, n_top=5, feature_names=vec)  # counts: by presence
    assert "hockey" in [name for name, _ in top["rec.sport.hockey"]]
    assert "space" in [name for name, _ in top["sci.space"]]


# --------------------------------------------------------------------------
# properties (hypothesis)
# --------------------------------------------------------------------------


@st.composite
def matrices_and_labels(draw, max_samples=30, max_features=4):
    n = draw(st.integers(2, max_samples))
    d = draw(st.integers(1, max_features))
    n_classes = draw(st.integers(2, 4))
    X = draw(hnp.arrays(np.int64, (n, d), elements=st.integers(0, 3)))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    y[:2] = [0, 1]
    fmt = draw(st.sampled_from(FORMATS))
    categories = draw(st.sampled_from(["presence", "counts"]))
    return _as(X, fmt), y, categories, X


@settings(max_examples=150, deadline=None)
@given(matrices_and_labels())
def test_property_information_bounds_and_identities(case):
    X, y, categories, dense = case
    H_x = entropy(X, categories=categories)
    H_y_given_x = conditional_entropy(X, y, categories=categories)
    mi = mutual_info(X, y, categories=categories)
    H_y = _label_entropy(y)
    # 0 <= I <= min(H(X), H(Y))
    assert np.all(mi >= 0)
    assert np.all(mi <= np.minimum(H_x, H_y) + 1e-12)
    # I = H(Y) - H(Y|X)
    np.testing.assert_allclose(mi, H_y - H_y_given_x, rtol=0, atol=1e-12)
    # H(X, Y) = H(X) + H(Y|X)
    np.testing.assert_allclose(
        _oracle_joint_entropy(dense, y, categories),
        H_x + H_y_given_x,
        rtol=0,
        atol=1e-12,
    )
    # 0 <= H(X) <= log k, k = number of categories of the column
    k = np.array(
        [np.unique(c).size for c in _columns(dense, categories).T], dtype=float
    )
    assert np.all(H_x >= 0)
    assert np.all(H_x <= np.log(k) + 1e-12)


@settings(max_examples=100, deadline=None)
@given(
    class_sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5),
    pattern=st.lists(st.integers(0, 3), min_size=1, max_size=6),
    seed=st.integers(0, 2**32 - 1),
    categories=st.sampled_from(["presence", "counts"]),
)
def test_property_feature_independent_of_y_scores_zero(
    class_sizes, pattern, seed, categories
):
    # every class sees the same pattern of values, r_c times: P(x | c) = P(x)
    x = np.concatenate([np.tile(pattern, r) for r in class_sizes])
    y = np.repeat(np.arange(len(class_sizes)), [r * len(pattern) for r in class_sizes])
    order = np.random.default_rng(seed).permutation(x.size)
    X, y = sp.csr_matrix(x[order].reshape(-1, 1)), y[order]
    assert mutual_info(X, y, categories=categories)[0] == pytest.approx(0, abs=1e-12)
    assert conditional_entropy(X, y, categories=categories)[0] == pytest.approx(
        _label_entropy(y), abs=1e-12
    )


@settings(max_examples=100, deadline=None)
@given(
    y=hnp.arrays(np.int64, st.integers(2, 40), elements=st.integers(0, 5)),
    values=st.permutations(range(6)),
)
def test_property_feature_determining_y_scores_H_y(y, values):
    y[:2] = [0, 1]
    x = np.asarray(values)[y]  # a one-to-one function of the label
    X = sp.csr_matrix(x.reshape(-1, 1))
    H_y = _label_entropy(y)
    assert mutual_info(X, y, categories="counts")[0] == pytest.approx(H_y, abs=1e-12)
    assert conditional_entropy(X, y, categories="counts")[0] == pytest.approx(
        0, abs=1e-12
    )
    # presence determines a two-class label
    y2 = (y == y[0]).astype(int)
    X2 = sp.csr_matrix(y2.reshape(-1, 1))
    assert mutual_info(X2, y2)[0] == pytest.approx(_label_entropy(y2), abs=1e-12)


# --------------------------------------------------------------------------
# the plot
# --------------------------------------------------------------------------


def test_plot_has_rank_curve_cutoff_and_one_panel_per_class(tmp_path):
    from textfeat.plotting import plot_mutual_info  # matplotlib: a test dependency

    vec, X, y = _toy_corpus()
    fig = plot_mutual_info(X, y, k=3, feature_names=vec, n_top=2)
    rank_ax, *class_axes = fig.axes
    assert [ax.get_title() for ax in class_axes] == ["ham", "spam"]
    curve = rank_ax.lines[0].get_ydata()
    np.testing.assert_allclose(curve, np.sort(mutual_info(X, y))[::-1])
    cutoff = [line for line in rank_ax.lines[1:] if line.get_linestyle() == "--"]
    assert cutoff and cutoff[0].get_xdata()[0] == 3
    labels = [t.get_text() for t in class_axes[1].get_yticklabels()]
    assert labels == [
        name for name, _ in top_features(X, y, n_top=2, feature_names=vec)["spam"]
    ]
    fig.savefig(tmp_path / "mi.png")
    assert (tmp_path / "mi.png").stat().st_size > 0


def test_plot_without_matplotlib_says_how_to_install(monkeypatch):
    from textfeat import plotting

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    _, X, y = _toy_corpus()
    with pytest.raises(ImportError, match=r"pip install 'textfeat\[plot\]'"):
        plotting.plot_mutual_info(X, y)


def test_plot_rejects_bad_k():
    from textfeat.plotting import plot_mutual_info  # matplotlib: a test dependency

    _, X, y = _toy_corpus()
    with pytest.raises(ValueError, match="k must be a positive integer"):
        plot_mutual_info(X, y, k=0)
