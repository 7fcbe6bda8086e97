"""CBOWVectorizer: hand-computed averages, weighting, order invariance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from textfeat.cbow import CBOWVectorizer
from textfeat.vectors import WordVectors

WV = WordVectors(
    ["a", "b", "c", "*UNK*"],
    np.array([[1.0, 0.0], [0.0, 2.0], [4.0, 4.0], [-1.0, -1.0]]),
)


def test_uniform_mean_over_known_words_by_hand() -> None:
    cbow = CBOWVectorizer(vectors=WV).fit([["a"]])
    np.testing.assert_allclose(
        cbow.transform([["a", "b", "b", "zz"]]), [[1 / 3, 4 / 3]]
    )


def test_mean_over_all_tokens_uses_the_unknown_vector() -> None:
    zero = CBOWVectorizer(vectors=WV, average_over="all").fit([["a"]])
    np.testing.assert_allclose(zero.transform([["a", "b", "zz", "zz"]]), [[0.25, 0.5]])
    unk = CBOWVectorizer(vectors=WV.with_unknown("unk"), average_over="all")
    np.testing.assert_allclose(
        unk.fit([["a"]]).transform([["a", "b", "zz", "zz"]]), [[-0.25, 0]]
    )


def test_tfidf_weights_by_hand() -> None:
    train = [["a", "b"], ["a"], ["a", "c"]]  # n = 3, df: a 3, b 1, c 1
    cbow = CBOWVectorizer(vectors=WV, weighting="tfidf").fit(train)
    idf_a = math.log(4 / 4) + 1
    idf_b = math.log(4 / 2) + 1
    expected = (2 * idf_a * np.array([1, 0]) + idf_b * np.array([0, 2])) / (
        2 * idf_a + idf_b
    )
    np.testing.assert_allclose(cbow.transform([["a", "b", "a"]])[0], expected)


def test_sif_weights_by_hand() -> None:
    train = [["a", "a", "a", "b"]]  # p(a) = 0.75, p(b) = 0.25
    cbow = CBOWVectorizer(vectors=WV, weighting="sif", sif_a=0.25).fit(train)
    wa, wb, wc = 0.25 / 1.0, 0.25 / 0.5, 1.0  # c unseen in fit: p = 0
    expected = wa * np.array([1, 0]) + wb * np.array([0, 2]) + wc * np.array([4, 4])
    np.testing.assert_allclose(
        cbow.transform([["a", "b", "c"]])[0], expected / (wa + wb + wc)
    )


@pytest.mark.parametrize("weighting", ["uniform", "tfidf", "sif"])
@pytest.mark.parametrize("average_over", ["known", "all"])
def test_empty_and_all_unknown_documents_give_zero_rows(
    weighting: str, average_over: str
) -> None:
    cbow = CBOWVectorizer(vectors=WV, weighting=weighting, average_over=average_over)
    X = cbow.fit([["a", "b"]]).transform([[], ["zz", "yy"], ["a"]])
    assert np.isfinite(X).all()
    np.testing.assert_array_equal(X[0], [0, 0])
    if average_over == "known":
        np.testing.assert_array_equal(X[1], [0, 0])
    np.testing.assert_allclose(X[2], [1, 0])


tokens = st.lists(st.sampled_from(["a", "b", "c", "zz", "*UNK*"]), max_size=12)


@settings(max_examples=60, deadline=None)
@given(doc=tokens, seed=st.integers(0, 2**32 - 1))
def test_unchanged_by_token_order(doc: list[str], seed: int) -> None:
    shuffled = list(
        np.random.default_rng(seed).permutation(np.array(doc, dtype=object))
    )
    for weighting in ("uniform", "tfidf", "sif"):
        cbow = CBOWVectorizer(vectors=WV, weighting=weighting).fit([["a", "b", "b"]])
        np.testing.assert_allclose(
            cbow.transform([doc]), cbow.transform([shuffled]), rtol=1e-12, atol=1e-12
        )


def test_rows_do_not_depend_on_the_batch() -> None:
    cbow = CBOWVectorizer(vectors=WV, weighting="tfidf").fit([["a", "b"], ["c"]])
    docs = [["a", "c"], [], ["b", "b", "zz"]]
    whole = cbow.transform(docs)
    for i, doc in enumerate(docs):
        np.testing.assert_allclose(cbow.transform([doc])[0], whole[i])


def test_parameters_and_input_are_checked() -> None:
    with pytest.raises(ValueError, match="vectors"):
        CBOWVectorizer().fit([["a"]])
    with pytest.raises(ValueError, match="weighting"):
        CBOWVectorizer(vectors=WV, weighting="bm25").fit([["a"]])
    with pytest.raises(TypeError, match="single str"):
        CBOWVectorizer(vectors=WV).fit("a b")


def test_clone_keeps_the_same_table_and_names() -> None:
    cbow = CBOWVectorizer(vectors=WV)
    assert clone(cbow).vectors is WV
    assert cbow.fit([["a"]]).get_feature_names_out().tolist() == ["cbow0", "cbow1"]
