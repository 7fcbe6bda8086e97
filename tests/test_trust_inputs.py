"""Issue 10: input shapes of the text steps, id dtypes, word-vector files.

Every test here states one behaviour that failed before the fix: a shape the
text steps misread silently, an id that wrapped around, or a word-vector file
that crashed, named the wrong line or was trusted beyond its bytes.
"""

from __future__ import annotations

import gzip
import tracemalloc

import numpy as np
import pandas as pd
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
from textfeat.corpus import CorpusError
from textfeat.ppmi import PPMIVectors
from textfeat.vectors import MAX_VECTOR_DIM

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


# -- 3. word-vector files ---------------------------------------------------------------
def _text_lines(n: int, dim: int = 2) -> list[bytes]:
    return [f"w{i} ".encode() + b" ".join([b"0.5"] * dim) + b"\n" for i in range(n)]


def _binary(n: int, dim: int, entries: list[tuple[bytes, list[float]]]) -> bytes:
    body = b"".join(
        w + b" " + np.asarray(v, dtype="<f4").tobytes() + b"\n" for w, v in entries
    )
    return f"{n} {dim}\n".encode() + body


def _load_error(path, **kwargs) -> CorpusError:
    with pytest.raises(CorpusError) as err:
        WordVectors.load(path, **kwargs)
    assert str(path) in str(err.value)
    return err.value


# bad bytes --------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True])
def test_bad_byte_on_line_501_is_named_at_line_501(tmp_path, gz):
    lines = _text_lines(600)
    lines[499] = b"caf\xe9 1 2\n"  # line 501: the header is line 1
    data = b"600 2\n" + b"".join(lines)
    path = tmp_path / ("v.txt.gz" if gz else "v.txt")
    path.write_bytes(gzip.compress(data) if gz else data)
    err = _load_error(path)
    assert err.line == 501
    assert "not valid utf-8" in err.reason and "unicode_errors" in err.reason


def test_bad_byte_in_a_glove_file_is_a_corpus_error_not_a_decode_error(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_bytes(b"a 1 2\nb\xff 3 4\n")
    assert _load_error(path).line == 2


@pytest.mark.parametrize(
    ("errors", "word"), [("replace", "caf\ufffd"), ("ignore", "caf")]
)
def test_unicode_errors_option(tmp_path, errors, word):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\ncaf\xe9 1 2\ndog 3 4\n")
    wv = WordVectors.load(path, unicode_errors=errors)
    assert wv.words == [b"caf\xe9".decode("utf-8", errors), "dog"] == [word, "dog"]


def test_encoding_option(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\ncaf\xe9 1 2\ndog 3 4\n")
    assert WordVectors.load(path, encoding="latin-1").words == ["caf\xe9", "dog"]


def test_utf8_byte_order_mark_is_skipped(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"\xef\xbb\xbf2 2\na 1 2\nb 3 4\n")
    wv = WordVectors.load(path)
    assert wv.words == ["a", "b"]
    np.testing.assert_array_equal(wv.vectors, [[1, 2], [3, 4]])


def test_binary_word_with_a_cut_utf8_character_names_the_vector(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(_binary(2, 2, [(b"ok", [1, 2]), (b"caf\xc3", [3, 4])]))
    err = _load_error(path)
    assert err.line == 3 and "vector 2" in err.reason and "unicode_errors" in err.reason


def test_googlenews_style_bin_gz_loads_with_unicode_errors_ignore(tmp_path):
    data = _binary(3, 2, [(b"ok", [1, 2]), (b"caf\xc3", [3, 4]), (b"x", [5, 6])])
    path = tmp_path / "GoogleNews-vectors.bin.gz"
    path.write_bytes(gzip.compress(data))
    assert _load_error(path).line == 3
    wv = WordVectors.load(path, unicode_errors="ignore")
    assert wv.words == ["ok", "caf", "x"]
    np.testing.assert_array_equal(wv.vectors, [[1, 2], [3, 4], [5, 6]])


def test_binary_content_is_recognised_without_a_bin_suffix(tmp_path):
    path = tmp_path / "vectors.w2v"
    path.write_bytes(_binary(2, 3, [(b"a", [1.5, 2, 3]), (b"b", [4, 5, -6])]))
    wv = WordVectors.load(path)
    assert wv.words == ["a", "b"]
    np.testing.assert_array_equal(wv.vectors, [[1.5, 2, 3], [4, 5, -6]])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"encoding": "no-such-codec"}, "'encoding'"),
        ({"encoding": "utf-16"}, "'encoding'"),
        ({"unicode_errors": "surrogateescape"}, "'unicode_errors'"),
        ({"duplicates": "last"}, "'duplicates'"),
        ({"dtype": np.int32}, "'dtype'"),
        ({"dtype": np.float16}, "'dtype'"),
    ],
)
def test_bad_load_options_name_the_parameter(tmp_path, kwargs, name):
    path = tmp_path / "v.txt"
    path.write_bytes(b"1 2\na 1 2\n")
    with pytest.raises(ValueError, match=name):
        WordVectors.load(path, **kwargs)


# values ----------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400"])
@pytest.mark.parametrize("fmt", ["word2vec", "glove"])
def test_non_finite_text_values_are_refused_with_file_and_line(tmp_path, value, fmt):
    head = "3 2\n" if fmt == "word2vec" else ""
    path = tmp_path / "v.txt"
    path.write_text(f"{head}a 1 2\nb 3 {value}\nc 5 6\n")
    err = _load_error(path, format=fmt)
    assert err.line == 2 + (fmt == "word2vec")
    assert "value 2" in err.reason and "not a finite" in err.reason


def test_value_overflowing_float32_is_refused_but_fits_float64(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("2 2\na 1 2\nb 1e39 4\n")
    err = _load_error(path)
    assert err.line == 3 and "float32" in err.reason
    wv = WordVectors.load(path, dtype=np.float64)
    assert wv.vectors[1, 0] == 1e39


def test_non_finite_binary_value_names_the_vector_line(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(
        _binary(3, 2, [(b"a", [1, 2]), (b"b", [3, 4]), (b"c", [np.nan, 0])])
    )
    err = _load_error(path)
    assert err.line == 4 and "value 1" in err.reason


def test_bad_number_on_a_late_line_of_a_gz_file(tmp_path):
    lines = _text_lines(3000)
    lines[2499] = b"w2499 1 zz\n"
    path = tmp_path / "v.txt.gz"
    path.write_bytes(gzip.compress(b"3000 2\n" + b"".join(lines)))
    err = _load_error(path)
    assert err.line == 2501 and "value 2 (b'zz') is not a number" in err.reason


def test_arabic_digits_are_not_numbers(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("1 2\na 1 \u0661\u0662\n", encoding="utf-8")
    assert _load_error(path).line == 2  # float("١٢") would have given 12.0


# headers and sizes -------------------------------------------------------------------
def _peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    except CorpusError:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_binary_header_announcing_20m_vectors_is_refused_before_allocating(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(_binary(20_000_000, 300, [(b"a", [0.5] * 300)]))
    err = _load_error(path)
    assert err.line == 1 and "announces 20000000 vectors of 300 values" in err.reason
    assert _peak_bytes(lambda: WordVectors.load(path)) < 20 * 2**20


def test_gz_binary_header_announcing_20m_vectors_reads_what_is_there(tmp_path):
    entries = [(b"a", [0.5] * 300), (b"b", [1.5] * 300)]
    path = tmp_path / "v.bin.gz"
    path.write_bytes(gzip.compress(_binary(20_000_000, 300, entries)))
    err = _load_error(path)
    assert err.line == 4
    assert "file ends inside vector 3 of the 20000000" in err.reason
    assert _peak_bytes(lambda: WordVectors.load(path)) < 20 * 2**20


def test_text_header_announcing_20m_vectors_does_not_allocate_them(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"20000000 300\n" + b"".join(_text_lines(2, 300)))
    err = _load_error(path)
    assert err.line == 4 and "after 2 of the 20000000" in err.reason
    assert _peak_bytes(lambda: WordVectors.load(path)) < 20 * 2**20


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize(
    "header",
    [
        b"2 0",
        b"-2 2",
        b"2 -2",
        b"0 2",
        b"2 2 2",
        b"2",
        b"2.0 2",
        b"\xc2\xb2 2",
        b"2 1e3",
    ],
)
def test_bad_headers_are_refused_at_line_1(tmp_path, header, binary):
    path = tmp_path / ("v.bin" if binary else "v.txt")
    path.write_bytes(header + b"\na 1 2\nb 3 4\n")
    err = _load_error(path, format="word2vec-binary" if binary else "word2vec")
    assert err.line == 1 and "bad header" in err.reason


@pytest.mark.parametrize("binary", [False, True])
def test_absurd_dimension_is_refused_at_line_1(tmp_path, binary):
    path = tmp_path / ("v.bin.gz" if binary else "v.txt")
    data = f"1 {MAX_VECTOR_DIM + 1}\na 1 2\n".encode()
    path.write_bytes(gzip.compress(data) if binary else data)
    err = _load_error(path)
    assert err.line == 1 and "MAX_VECTOR_DIM" in err.reason


def test_absurd_glove_first_line_is_refused(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_bytes(b"a" + b" 0" * (MAX_VECTOR_DIM + 1) + b"\n")
    err = _load_error(path, format="glove")
    assert err.line == 1 and "MAX_VECTOR_DIM" in err.reason


def test_endless_line_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"1 2\n" + b"a" * (1 << 20))
    err = _load_error(path)
    assert err.line == 2 and "longer than" in err.reason


def test_truncated_gzip_stream_names_the_file(tmp_path):
    data = gzip.compress(b"1000 2\n" + b"".join(_text_lines(1000)))
    path = tmp_path / "v.txt.gz"
    path.write_bytes(data[: len(data) // 2])
    err = _load_error(path)
    assert "truncated or corrupt" in err.reason and err.line > 100


def test_truncated_gz_binary_names_the_record(tmp_path):
    data = _binary(3, 2, [(b"a", [1, 2]), (b"b", [3, 4]), (b"c", [5, 6])])
    path = tmp_path / "v.bin.gz"
    path.write_bytes(gzip.compress(data[:-6]))
    err = _load_error(path)
    assert err.line == 4 and "inside vector 3 of the 3" in err.reason


# words ---------------------------------------------------------------------------------
def test_empty_word_in_a_text_file(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\na 1 2\n 3 4\n")
    err = _load_error(path)
    assert err.line == 3 and err.reason == "empty word"


def test_empty_word_after_ignoring_undecodable_bytes(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\na 1 2\n\xff 3 4\n")
    err = _load_error(path, unicode_errors="ignore")
    assert err.line == 3 and err.reason == "empty word"


def test_empty_word_in_a_binary_file(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(_binary(2, 2, [(b"a", [1, 2]), (b"", [3, 4])]))
    err = _load_error(path)
    assert err.line == 3 and err.reason == "empty word"


@pytest.mark.parametrize("binary", [False, True])
def test_duplicate_word_is_refused_naming_both_places(tmp_path, binary):
    path = tmp_path / ("v.bin" if binary else "v.txt")
    if binary:
        path.write_bytes(
            _binary(3, 2, [(b"a", [1, 2]), (b"b", [3, 4]), (b"a", [5, 6])])
        )
    else:
        path.write_bytes(b"3 2\na 1 2\nb 3 4\na 5 6\n")
    err = _load_error(path)
    assert err.line == 4
    assert ("vector 1 (line 2)" if binary else "on line 2") in err.reason
    assert "duplicates='first'" in err.reason


@pytest.mark.parametrize("binary", [False, True])
def test_duplicates_first_keeps_the_first_vector(tmp_path, binary):
    path = tmp_path / ("v.bin" if binary else "v.txt")
    if binary:
        path.write_bytes(
            _binary(3, 2, [(b"a", [1, 2]), (b"b", [3, 4]), (b"a", [5, 6])])
        )
    else:
        path.write_bytes(b"3 2\na 1 2\nb 3 4\na 5 6\n")
    wv = WordVectors.load(path, duplicates="first")
    assert wv.words == ["a", "b"]
    np.testing.assert_array_equal(wv.vectors, [[1, 2], [3, 4]])


def test_binary_record_without_a_space_is_refused(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(b"1 2\n" + b"x" * (1 << 17))
    err = _load_error(path)
    assert err.line == 2 and "no space within" in err.reason


def test_crlf_text_file_loads(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\r\na 1 2\r\nb 3 4\r\n")
    wv = WordVectors.load(path)
    assert wv.words == ["a", "b"]
    np.testing.assert_array_equal(wv.vectors, [[1, 2], [3, 4]])


def test_large_file_crosses_block_boundaries_unchanged(tmp_path):
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(5000, 60)).astype(np.float32)
    words = [f"w{i}" for i in range(5000)]
    for fmt, name in [("word2vec", "v.txt.gz"), ("word2vec-binary", "v.bin")]:
        WordVectors(words, vecs).save(tmp_path / name, fmt)
        back = WordVectors.load(tmp_path / name)
        assert back.words == words
        np.testing.assert_array_equal(back.vectors, vecs)


def test_int8_one_hot_counts_are_refused_rather_than_wrapped():
    X = [["a"] * 200 + ["b"]]  # before: the count 200 came out as -56
    with pytest.raises(ValueError, match="'dtype'.*int8.*counts up to 127.*200 times"):
        OneHotVectorizer(dtype=np.int8, binary=False).fit_transform(X)


def test_int16_one_hot_counts_are_exact():
    X = [["a"] * 200 + ["b"]]
    out = OneHotVectorizer(dtype=np.int16, binary=False).fit_transform(X)
    assert out.dtype == np.int16 and out.toarray().tolist() == [[0, 0, 0, 0, 200, 1]]
