"""OneHotVectorizer against scikit-learn's CountVectorizer on the same tokens."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from sklearn.feature_extraction.text import CountVectorizer
from strategies import corpora

from textfeat import SPECIALS, OneHotVectorizer
from textfeat._compat import InvalidParameterError


def identity(doc):
    return doc


def _as_counts_by_name(X, names):
    """Columns of X keyed by feature name (without the ``tok=`` prefix)."""
    X = sp.csc_matrix(X)
    return {
        n.removeprefix("tok="): X[:, j].toarray().ravel() for j, n in enumerate(names)
    }


@pytest.mark.parametrize("binary", [True, False])
def test_equals_countvectorizer_column_for_column(binary):
    train = [["the", "cat", "sat", "the"], ["a", "dog"], [], ["The", "cat", "!"]]
    test = [["the", "emu"], ["dog", "dog", "cat"]]
    ours = OneHotVectorizer(binary=binary).fit(train)
    cv = CountVectorizer(analyzer=identity, binary=binary, lowercase=False).fit(train)
    for docs in (train, test):
        mine = _as_counts_by_name(ours.transform(docs), ours.get_feature_names_out())
        ref = _as_counts_by_name(cv.transform(docs), cv.get_feature_names_out())
        for name, col in ref.items():
            np.testing.assert_array_equal(mine[name], col, err_msg=name)
        # every other column is a special symbol; only *UNK* may be non-zero
        extra = set(mine) - set(ref)
        assert extra == set(SPECIALS)
        for name in extra - {"*UNK*"}:
            assert not mine[name].any()


def test_unknown_words_go_to_unk_column_or_are_ignored():
    vec = OneHotVectorizer(binary=False).fit([["a", "b"]])
    X = vec.transform([["a", "x", "y", "x"]]).toarray()[0]
    assert X[1] == 3 and X[4] == 1  # *UNK* counts all three unknown tokens
    vec.set_params(handle_unknown="ignore")
    X = vec.transform([["a", "x", "y"]]).toarray()[0]
    assert X.sum() == 1 and X[1] == 0
    vec.set_params(handle_unknown="error")
    with pytest.raises(ValueError, match="unknown token 'x' in document at index 0"):
        vec.transform([["a", "x"]])


def test_dtype_and_format():
    X = OneHotVectorizer(dtype=np.float32).fit_transform([["a", "a", "b"]])
    assert sp.issparse(X) and X.format == "csr" and X.dtype == np.float32
    assert X.has_sorted_indices and X.nnz == 2


def test_min_count_and_max_size_restrict_columns():
    docs = [["a", "a", "b", "c", "c", "c"]]
    vec = OneHotVectorizer(min_count=2).fit(docs)
    assert vec.get_feature_names_out()[4:].tolist() == ["tok=c", "tok=a"]
    assert OneHotVectorizer(max_size=1).fit(docs).vocabulary_.itos_[4:] == ["c"]


def test_empty_vocabulary_after_min_count():
    with pytest.raises(ValueError, match="Empty vocabulary.*min_count=5"):
        OneHotVectorizer(min_count=5).fit([["a", "b"], ["a"]])


def test_empty_documents_give_empty_rows():
    X = OneHotVectorizer().fit([["a"]]).transform([[], ["a"], []])
    assert X.shape == (3, 5)
    assert X.getnnz(axis=1).tolist() == [0, 1, 0]


def test_raw_strings_are_rejected_with_advice():
    with pytest.raises(TypeError, match="index 1 is a raw string.*SpacyTokenizer"):
        OneHotVectorizer().fit([["ok"], "not tokenized"])


def test_non_string_token_is_named():
    with pytest.raises(TypeError, match="token 1 of document at index 0 is int"):
        OneHotVectorizer().fit([["ok", 5]])


@pytest.mark.parametrize(
    "params", [{"min_count": 0}, {"handle_unknown": "drop"}, {"max_size": -1}]
)
def test_invalid_parameters_are_named(params):
    name = next(iter(params))
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        OneHotVectorizer(**params).fit([["a"]])


@settings(max_examples=50, deadline=None)
@given(corpora)
def test_counts_match_token_counts_property(docs):
    vec = OneHotVectorizer(binary=False).fit(docs)
    X = vec.transform(docs)
    np.testing.assert_array_equal(X.sum(axis=1).A1, [len(d) for d in docs])
    for i, doc in enumerate(docs):
        for tok in set(doc):
            assert X[i, vec.vocabulary_[tok]] == doc.count(tok)
