"""WordDropout: rates against alpha/(c+alpha) on a real corpus, identity cases."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from conftest import NEWS, require
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import corpora

from textfeat import UNK, SpacyTokenizer, WordDropout
from textfeat._compat import InvalidParameterError
from textfeat.corpus import load_jsonl


@pytest.fixture(scope="module")
def news_tokens():
    texts, _, _ = load_jsonl(require(NEWS / "test.jsonl.gz"))
    return SpacyTokenizer(attr="lower").transform(texts[:1500])


@pytest.mark.corpus
def test_replacement_rate_per_frequency_bucket(news_tokens):
    alpha = 0.25
    drop = WordDropout(alpha=alpha, random_state=0)
    out = drop.fit_transform(news_tokens)
    counts = Counter(t for d in news_tokens for t in d)
    buckets = {"c=1": (1, 1), "c=2": (2, 2), "c=3-4": (3, 4), "c=5-20": (5, 20)}
    observed = Counter()
    expected = Counter()
    variance = Counter()
    for doc, new in zip(news_tokens, out, strict=True):
        for tok, got in zip(doc, new, strict=True):
            c = counts[tok]
            for name, (lo, hi) in buckets.items():
                if lo <= c <= hi:
                    p = alpha / (c + alpha)
                    observed[name] += got == UNK and tok != UNK
                    expected[name] += p
                    variance[name] += p * (1 - p)
    for name in buckets:
        # a Poisson-binomial count; 4.5 standard deviations is a loose bound
        # that a wrong formula (say alpha/(c+1)) overshoots many times over.
        assert expected[name] > 200, name
        bound = 4.5 * np.sqrt(variance[name])
        assert abs(observed[name] - expected[name]) <= bound, (
            name,
            observed[name],
            expected[name],
        )


@pytest.mark.corpus
def test_bernoulli_rate_matches_p(news_tokens):
    drop = WordDropout(mode="bernoulli", p=0.3, random_state=1)
    out = drop.fit_transform(news_tokens)
    n = sum(len(d) for d in news_tokens)
    dropped = sum(
        a != b
        for d, e in zip(news_tokens, out, strict=True)
        for a, b in zip(d, e, strict=False)
    )
    assert abs(dropped - 0.3 * n) <= 4.5 * np.sqrt(n * 0.3 * 0.7)
    assert drop.drop_rate_ == pytest.approx(dropped / n)


@settings(max_examples=40, deadline=None)
@given(corpora, st.sampled_from(["alpha", "p"]))
def test_rate_zero_is_the_identity_property(docs, which):
    drop = WordDropout(mode="frequency" if which == "alpha" else "bernoulli")
    drop.set_params(**{which: 0.0}, random_state=3)
    assert drop.fit_transform(docs) == [list(d) for d in docs]


@settings(max_examples=40, deadline=None)
@given(corpora, st.integers(1, 5), st.integers(0, 2**31))
def test_one_batch_equals_many_property(docs, batch, seed):
    drop = WordDropout(mode="bernoulli", p=0.5, random_state=seed)
    whole = drop.fit_transform(docs)
    pieces = []
    for start in range(0, len(docs), batch):
        pieces += drop.corrupt(docs[start : start + batch], start_index=start)
    assert pieces == whole


def test_same_seed_same_draws_different_seed_different_draws():
    docs = [[f"w{i}" for i in range(200)]]
    a = WordDropout(mode="bernoulli", p=0.5, random_state=7).fit_transform(docs)
    b = WordDropout(mode="bernoulli", p=0.5, random_state=7).fit_transform(docs)
    c = WordDropout(mode="bernoulli", p=0.5, random_state=8).fit_transform(docs)
    assert a == b and a != c


def test_transform_is_the_identity():
    docs = [["a", "b"], ["b"]]
    drop = WordDropout(mode="bernoulli", p=1.0, random_state=0).fit(docs)
    assert drop.transform(docs) == docs
    assert drop.fit_transform(docs) == [[UNK, UNK], [UNK]]


def test_special_symbols_are_never_dropped():
    docs = [["*S*", "x", "*/S*", "*PAD*"]]
    out = WordDropout(mode="bernoulli", p=1.0, random_state=0).fit_transform(docs)
    assert out == [["*S*", UNK, "*/S*", "*PAD*"]]


def test_drop_probability_formula():
    drop = WordDropout(alpha=0.5).fit([["a"] * 4 + ["b"]])
    np.testing.assert_allclose(
        drop.drop_probability(["a", "b", "c"]), [0.5 / 4.5, 0.5 / 1.5, 1.0]
    )


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"alpha": -0.1}, "alpha"),
        ({"p": 1.5}, "p"),
        ({"p": -0.01}, "p"),
        ({"mode": "gaussian"}, "mode"),
    ],
)
def test_invalid_parameters_are_named(params, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        WordDropout(**params).fit([["a"]])
