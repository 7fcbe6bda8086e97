"""The scikit-learn contract, for every public text transformer.

Each entry of ``TRANSFORMERS`` is a fresh estimator and a small training set
of the kind it takes. Later modules add their steps here.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as ec

from textfeat import (
    CBOWVectorizer,
    OneHotVectorizer,
    SequencePadder,
    SpacyTokenizer,
    WindowVectorizer,
    WordDropout,
    WordSignatures,
    WordVectors,
)

TEXTS = ["The cat sat on the mat.", "A dog barked!", "", "Cats and dogs, 42 of them."]
TOKENS = [["the", "cat", "sat"], ["a", "dog", "barked", "the"], [], ["cats", "42"]]

TRANSFORMERS = [
    (SpacyTokenizer(attr="lower"), TEXTS),
    (WordSignatures(min_count=2), TOKENS),
    (WordSignatures(scheme="berkeley"), TOKENS),
    (WordDropout(alpha=1.0, random_state=0), TOKENS),
    (OneHotVectorizer(binary=False), TOKENS),
    (SequencePadder(maxlen=5, add_bos=True), TOKENS),
    (WindowVectorizer(window=1, attributes=["lower", "suffix2"]), TOKENS),
    (
        CBOWVectorizer(
            vectors=WordVectors(
                ["the", "cat", "dog"], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
            )
        ),
        TOKENS,
    ),
]
IDS = [type(est).__name__ + str(i) for i, (est, _) in enumerate(TRANSFORMERS)]

# scikit-learn's checks that need no data (the others feed 2-d numeric arrays,
# which text steps do not take: their tags say input is text, not a matrix).
DATA_FREE_CHECKS = [
    ec.check_estimator_cloneable,
    ec.check_estimator_tags_renamed,
    ec.check_valid_tag_types,
    ec.check_estimator_repr,
    ec.check_no_attributes_set_in_init,
    ec.check_do_not_raise_errors_in_init_or_set_params,
    ec.check_mixin_order,
    ec.check_parameters_default_constructible,
    ec.check_get_params_invariance,
    ec.check_set_params,
]


def _same(a, b):
    if sp.issparse(a):
        return sp.issparse(b) and (a != b).nnz == 0 and a.shape == b.shape
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_sklearn_data_free_checks(est, data, check):
    check(type(est).__name__, clone(est))


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_fit_returns_self(est, data):
    est = clone(est)
    assert est.fit(data) is est


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_not_fitted_error_or_stateless(est, data):
    est = clone(est)
    if est.__sklearn_tags__().requires_fit:
        with pytest.raises(NotFittedError):
            est.transform(data)
    else:  # stateless: transform works unfitted and gives what fit would
        assert _same(est.transform(data), clone(est).fit(data).transform(data))


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_pickle_round_trip_gives_equal_output(est, data):
    est = clone(est).fit(data)
    again = pickle.loads(pickle.dumps(est))
    assert _same(est.transform(data), again.transform(data))


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_clone_keeps_parameters(est, data):
    fitted = clone(est).fit(data)
    copy = clone(fitted)
    assert copy.get_params() == est.get_params()
    assert not any(k.endswith("_") for k in vars(copy))


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_bare_string_is_rejected(est, data):
    est = clone(est)
    with pytest.raises(TypeError, match="single str"):
        est.fit("a lone string")
    est.fit(data)
    with pytest.raises(TypeError, match="single str"):
        est.transform("a lone string")


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_none_document_names_its_index(est, data):
    est = clone(est)
    with pytest.raises(TypeError, match="document at index 2 is NoneType"):
        est.fit([data[0], data[1], None])


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_empty_corpus_cannot_be_fitted(est, data):
    with pytest.raises(ValueError, match="no (documents|tokens)"):
        clone(est).fit([])


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_empty_documents_are_valid(est, data):
    est = clone(est).fit(data)
    out = est.transform([data[0], data[2]])  # data[2] is empty
    if isinstance(est, WindowVectorizer):  # one row per token: none for []
        assert out.shape[0] == len(data[0])
    elif sp.issparse(out):
        assert out.shape[0] == 2 and out[1].nnz == 0
    elif isinstance(out, np.ndarray) and out.dtype.kind in "iu":  # id matrix
        boundaries = int(getattr(est, "add_bos", 0)) + int(getattr(est, "add_eos", 0))
        assert (out[1] != 0).sum() == boundaries
    elif isinstance(out, np.ndarray):  # dense features: a zero row, never NaN
        assert not out[1].any()
    else:
        assert len(out) == 2 and out[1] == []
