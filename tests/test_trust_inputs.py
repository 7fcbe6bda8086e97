"""Issue 10: input shapes of the text steps, id dtypes, word-vector files.

Every test here states one behaviour that failed before the fix: a shape the
text steps misread silently, an id that wrapped around, or a word-vector file
that crashed, named the wrong line or was trusted beyond its bytes.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline

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
from textfeat.ppmi import PPMIVectors

pd = pytest.importorskip("pandas")

TEXTS = ["The cat sat on the mat.", "A dog barked!", "", "Cats and dogs, 42."]
TOKENS = [["the", "cat", "sat"], ["a", "dog", "barked", "the"], [], ["cats", "42"]]
WV = WordVectors(["the", "cat", "dog"], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

# (step, its training corpus): every public step that takes documents.
STEPS = [
    (SpacyTokenizer(attr="lower"), TEXTS),
    (WordSignatures(min_count=1), TOKENS),
    (WordDropout(alpha=1.0, random_state=0), TOKENS),
    (OneHotVectorizer(binary=False), TOKENS),
    (SequencePadder(maxlen=5, add_bos=True), TOKENS),
    (WindowVectorizer(window=1, attributes=["lower"]), TOKENS),
    (CBOWVectorizer(vectors=WV), TOKENS),
    (PPMIVectors(dim=2, min_count=1, random_state=0), TOKENS),
]
IDS = [type(est).__name__ for est, _ in STEPS]


def _output(est, X):
    """What a step makes of ``X``: its transform, or its vectors (PPMIVectors)."""
    est = clone(est)
    if isinstance(est, PPMIVectors):
        return est.fit(X).vectors_.vectors
    return est.fit(X).transform(X)


def _same(a, b):
    if sp.issparse(a):
        return sp.issparse(b) and a.shape == b.shape and (a != b).nnz == 0
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and np.array_equal(a, b)
    return a == b


def _column(data):
    col = np.empty(len(data), dtype=object)
    col[:] = data
    return col


# -- 1. shapes of a corpus -------------------------------------------------------------
@pytest.mark.parametrize(("est", "data"), STEPS, ids=IDS)
def test_one_column_dataframe_is_its_column(est, data):
    df = pd.DataFrame({"text": _column(data)})
    assert _same(_output(est, df), _output(est, data))


@pytest.mark.parametrize(("est", "data"), STEPS, ids=IDS)
def test_one_column_2d_array_is_its_column(est, data):
    assert _same(_output(est, _column(data)[:, None]), _output(est, data))


@pytest.mark.parametrize(("est", "data"), STEPS, ids=IDS)
def test_series_with_a_shuffled_index_reads_values_in_order(est, data):
    s = pd.Series(_column(data), index=[7, 3, 9, 1])
    assert _same(_output(est, s), _output(est, data))


@pytest.mark.parametrize(("est", "data"), STEPS, ids=IDS)
def test_one_dimensional_object_array_and_tuple_and_generator(est, data):
    expected = _output(est, data)
    assert _same(_output(est, _column(data)), expected)
    assert _same(_output(est, tuple(data)), expected)
    if not isinstance(est, PPMIVectors | WindowVectorizer):  # these need a sized X
        fitted = clone(est).fit(data)
        assert _same(fitted.transform(d for d in data), fitted.transform(data))


@pytest.mark.parametrize(("est", "data"), STEPS, ids=IDS)
def test_two_column_dataframe_is_refused_naming_step_and_shape(est, data):
    df = pd.DataFrame({"text": _column(data), "label": [0, 1, 0, 1]})
    name = type(est).__name__
    with pytest.raises(TypeError) as err:
        clone(est).fit(df)
    assert str(err.value) == (
        f"{name} expects a 1-d sequence of documents or one column; got a "
        "DataFrame with shape (4, 2); select one column: df['text']."
    )


@pytest.mark.parametrize(("est", "data"), STEPS, ids=IDS)
def test_two_column_array_is_refused_in_transform_too(est, data):
    if isinstance(est, PPMIVectors):
        pytest.skip("PPMIVectors has no transform")
    fitted = clone(est).fit(data)
    X = np.array([["a b", "c"], ["d", "e"]])
    with pytest.raises(TypeError, match=r"got a ndarray with shape \(2, 2\)"):
        fitted.transform(X)


@pytest.mark.parametrize(("est", "data"), STEPS, ids=IDS)
def test_three_dimensional_and_zero_dimensional_arrays_are_refused(est, data):
    with pytest.raises(TypeError, match=r"shape \(2, 1, 1\)"):
        clone(est).fit(np.array([[["a"]], [["b"]]]))
    with pytest.raises(TypeError, match=r"shape \(\)"):
        clone(est).fit(np.array("a text"))


@pytest.mark.parametrize(("est", "data"), STEPS, ids=IDS)
def test_numpy_document_is_refused_not_read_as_tokens(est, data):
    # A row of a 2-d array of texts: one "token" that is a whole text.
    rows = list(np.array([["The cat sat."], ["A dog."]]))
    with pytest.raises(
        TypeError, match=r"document at index 0 is a numpy array.*tolist"
    ):
        clone(est).fit(rows)


def test_wide_2d_text_array_is_refused_by_the_tokenizer():
    # before: each row was taken for a tokenized document, silently
    X = np.array([["The cat sat.", "A dog."], ["Hi.", "Yo."]])
    with pytest.raises(TypeError, match=r"SpacyTokenizer expects .*shape \(2, 2\)"):
        SpacyTokenizer().transform(X)


def test_one_column_dataframe_tokenizes_values_not_the_column_name():
    df = pd.DataFrame({"text": ["a b", "c"]})
    assert SpacyTokenizer().transform(df) == [["a", "b"], ["c"]]
    assert list(SpacyTokenizer().iter_transform(df)) == [["a", "b"], ["c"]]


def test_pandas_string_dtype_column():
    df = pd.DataFrame({"text": pd.array(["a b", "c"], dtype="string")})
    assert SpacyTokenizer().fit_transform(df) == [["a", "b"], ["c"]]
    assert SpacyTokenizer().fit_transform(df["text"]) == [["a", "b"], ["c"]]


def test_missing_value_in_a_column_names_its_index():
    df = pd.DataFrame({"text": pd.array(["a b", None], dtype="string")})
    with pytest.raises(TypeError, match="document at index 1 is NAType"):
        SpacyTokenizer().fit(df)


def test_sparse_matrix_is_refused():
    with pytest.raises(TypeError, match="expects a 1-d sequence"):
        OneHotVectorizer().fit(sp.csr_matrix(np.ones((3, 2))))


def test_column_transformer_with_a_column_list_equals_the_series():
    df = pd.DataFrame({"text": TEXTS, "n": [1, 2, 3, 4]}, index=["w", "x", "y", "z"])
    pipe = make_pipeline(SpacyTokenizer(attr="lower"), OneHotVectorizer())
    ct = ColumnTransformer([("words", pipe, ["text"])])
    got = ct.fit_transform(df)
    expected = clone(pipe).fit_transform(df["text"])
    assert got.shape == expected.shape == (4, expected.shape[1])
    assert (sp.csr_matrix(got) != expected).nnz == 0


# -- 2. ids never wrap around ---------------------------------------------------------
MANY = [[f"w{i}" for i in range(300)]]  # 300 words + 4 specials: largest id 303


def test_int8_padder_refuses_a_vocabulary_it_cannot_hold():
    with pytest.raises(ValueError) as err:
        SequencePadder(dtype=np.int8).fit(MANY)
    assert str(err.value) == (
        "The 'dtype' parameter of SequencePadder is int8, which holds ids up to "
        "127; the vocabulary has 304 ids (largest 303). Use a wider integer type "
        "such as np.int32."
    )


def test_uint8_padder_refuses_a_vocabulary_it_cannot_hold():
    with pytest.raises(ValueError, match="uint8, which holds ids up to 255"):
        SequencePadder(dtype=np.uint8).fit(MANY)


def test_int16_padder_keeps_every_id():
    pad = SequencePadder(dtype=np.int16).fit(MANY)
    out = pad.transform(MANY)
    assert out.dtype == np.int16
    wide = SequencePadder(dtype=np.int64).fit(MANY).transform(MANY)
    np.testing.assert_array_equal(out, wide)
    assert sorted(out[0].tolist()) == list(range(4, 304))  # every id, none wrapped


def test_uint8_padder_with_a_small_vocabulary_is_fine():
    out = SequencePadder(dtype=np.uint8).fit([["a", "b"]]).transform([["b", "a"]])
    assert out.dtype == np.uint8 and out.tolist() == [[5, 4]]


def test_dtype_narrowed_after_fit_is_refused_in_transform():
    pad = SequencePadder().fit(MANY)
    pad.set_params(dtype=np.int8)
    with pytest.raises(ValueError, match="'dtype'.*int8.*largest 303"):
        pad.transform([["w0"]])


@pytest.mark.parametrize("dtype", [bool, np.float32, float, "U3", object, "nonsense"])
def test_non_integer_id_dtypes_are_refused(dtype):
    with pytest.raises(ValueError, match="The 'dtype' parameter of SequencePadder"):
        SequencePadder(dtype=dtype).fit([["a"]])
