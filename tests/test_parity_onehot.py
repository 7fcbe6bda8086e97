"""OneHotVectorizer and SequencePadder against their peers' behaviour.

Each peer behaviour is checked against the peer on the same tokens: scikit-learn's
``CountVectorizer`` / ``TfidfVectorizer`` (fed the token lists through an
identity tokenizer, so its own n-gram, document-frequency, stop-word and
vocabulary code runs) and ``TfidfTransformer`` (on our own count matrix). Keras'
``TextVectorization`` is not installed: its documented semantics (a vocabulary
list numbered after the padding and OOV ids, ``output_sequence_length`` padding
and cutting at the end, n-grams joined by a space) are written down by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import (
    CountVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)

from textfeat import SPECIALS, OneHotVectorizer, SequencePadder
from textfeat._compat import InvalidParameterError
from textfeat.persist import dumps, loads

DOCS = [
    ["the", "cat", "sat", "on", "the", "mat"],
    ["the", "dog", "sat"],
    ["a", "cat", "and", "a", "dog", "sat"],
    ["new", "york", "is", "new", "york"],
    [],
    ["the", "the", "the", "cat"],
]
NEW = [["the", "cat", "and", "the", "emu"], ["new", "york", "cat", "sat"], []]


def identity(doc):
    return doc


def sk(cls=CountVectorizer, **kw):
    """A scikit-learn vectorizer that takes our token lists as they are."""
    return cls(
        tokenizer=identity,
        preprocessor=identity,
        lowercase=False,
        token_pattern=None,
        **kw,
    )


def by_name(X, names):
    """Dense columns of ``X`` keyed by feature name (``tok=`` removed)."""
    X = sp.csc_matrix(X)
    return {n.removeprefix("tok="): X[:, j].toarray().ravel() for j, n in enumerate(names)}


def assert_same_columns(ours, X_ours, ref, X_ref, atol=0.0):
    """Same feature set, and equal values feature by feature."""
    mine = by_name(X_ours, ours.get_feature_names_out())
    theirs = by_name(X_ref, ref.get_feature_names_out())
    assert set(mine) - set(SPECIALS) == set(theirs)
    for name, col in theirs.items():
        np.testing.assert_allclose(mine[name], col, rtol=0, atol=atol, err_msg=name)
    for special in SPECIALS:
        assert not mine[special].any(), special


def fit_both(ours_kw, ref_kw, cls=CountVectorizer):
    ours = OneHotVectorizer(handle_unknown="ignore", **ours_kw).fit(DOCS)
    ref = sk(cls, **ref_kw).fit(DOCS)
    return ours, ref


# -- CountVectorizer: n-grams --------------------------------------------------
@pytest.mark.parametrize("ngram_range", [(1, 2), (2, 2), (1, 3), (2, 3)])
def test_ngram_counts_equal_countvectorizer(ngram_range):
    ours, ref = fit_both(
        {"ngram_range": ngram_range, "weighting": "count"}, {"ngram_range": ngram_range}
    )
    for docs in (DOCS, NEW):
        assert_same_columns(ours, ours.transform(docs), ref, ref.transform(docs))


def test_ngram_names_are_tokens_joined_by_a_space():
    vec = OneHotVectorizer(ngram_range=(1, 2)).fit([["new", "york", "city"]])
    assert {"tok=new york", "tok=york city", "tok=new"} <= set(vec.get_feature_names_out())


def test_fit_transform_equals_fit_then_transform_with_ngrams_and_df():
    kw = {"ngram_range": (1, 2), "min_df": 2, "weighting": "count"}
    a = OneHotVectorizer(**kw).fit_transform(DOCS)
    b = OneHotVectorizer(**kw).fit(DOCS).transform(DOCS)
    assert (a != b).nnz == 0


def test_bos_makes_the_start_bigram():
    vec = OneHotVectorizer(ngram_range=(2, 2), add_bos=True, weighting="count")
    X = vec.fit_transform([["the", "cat"], ["the"]])
    got = by_name(X, vec.get_feature_names_out())
    np.testing.assert_array_equal(got["*S* the"], [1, 1])
    np.testing.assert_array_equal(got["the cat"], [1, 0])
    assert "*S*" not in {n for n, c in got.items() if c.any()}  # never a unigram


def test_eos_makes_the_end_bigram_and_an_empty_document_stays_zero():
    vec = OneHotVectorizer(ngram_range=(1, 2), add_bos=True, add_eos=True)
    X = vec.fit_transform([["cat"], []])
    got = by_name(X, vec.get_feature_names_out())
    assert got["*S* cat"].tolist() == [1, 0] and got["cat */S*"].tolist() == [1, 0]
    assert X[1].nnz == 0


def test_unknown_ngram_is_ignored_while_unknown_token_counts_as_unk():
    vec = OneHotVectorizer(ngram_range=(1, 2), weighting="count").fit([["a", "b"]])
    got = by_name(vec.transform([["b", "a", "zz"]]), vec.get_feature_names_out())
    assert got["*UNK*"].tolist() == [1]  # 'zz'; 'b a' and 'a zz' are dropped
    assert sum(int(c.sum()) for c in got.values()) == 3  # a, b, *UNK*


def test_error_policy_names_an_unknown_token_but_not_an_unknown_ngram():
    vec = OneHotVectorizer(ngram_range=(1, 2), handle_unknown="error").fit([["a", "b"]])
    vec.transform([["b", "a"]])  # unseen bigram: ignored
    with pytest.raises(ValueError, match=r"'zz' in document at index 1"):
        vec.transform([["a"], ["zz"]])


def test_ties_in_the_learned_order_go_by_code_points():
    vec = OneHotVectorizer(ngram_range=(1, 2)).fit([["b", "a"], ["a", "b"]])
    assert vec.vocabulary_.itos_[4:] == ["a", "b", "a b", "b a"]


# -- CountVectorizer: document frequency and size ---------------------------
@pytest.mark.parametrize(
    "min_df, max_df",
    [(2, 1.0), (1, 0.5), (0.4, 3), (2, 0.6), (0.0, 1.0), (1, 2), (0.5, 0.5)],
)
def test_document_frequency_limits_equal_countvectorizer(min_df, max_df):
    kw = {"ngram_range": (1, 2), "min_df": min_df, "max_df": max_df}
    ours, ref = fit_both({**kw, "weighting": "count"}, kw)
    for docs in (DOCS, NEW):
        assert_same_columns(ours, ours.transform(docs), ref, ref.transform(docs))


def test_max_df_below_min_df_raises_as_countvectorizer():
    with pytest.raises(ValueError, match="max_df corresponds to < documents than min_df"):
        sk(min_df=3, max_df=0.2).fit(DOCS)
    with pytest.raises(
        ValueError, match=r"max_df corresponds to < documents than min_df.*min_df=3"
    ):
        OneHotVectorizer(min_df=3, max_df=0.2).fit(DOCS)


def test_pruning_every_feature_raises_as_countvectorizer():
    with pytest.raises(ValueError, match="After pruning, no terms remain"):
        sk(min_df=6).fit(DOCS)
    with pytest.raises(ValueError, match="After pruning, no terms remain.*min_df=6"):
        OneHotVectorizer(min_df=6).fit(DOCS)


def test_max_size_keeps_the_same_features_as_max_features():
    docs = [["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 2 + ["e"], ["a", "b", "f"]]
    ours = OneHotVectorizer(max_size=3, handle_unknown="ignore", weighting="count")
    ref = sk(max_features=3)
    assert_same_columns(ours, ours.fit_transform(docs), ref, ref.fit_transform(docs))


def test_max_size_ties_are_broken_by_code_points_whatever_the_document_order():
    docs = [["b", "c"], ["a", "d"], ["c", "a"]]
    for order in (docs, docs[::-1]):
        assert OneHotVectorizer(max_size=2).fit(order).vocabulary_.itos_[4:] == ["a", "c"]


# -- CountVectorizer: stop words ----------------------------------------------
def test_stop_words_are_removed_before_ngrams_as_countvectorizer():
    kw = {"ngram_range": (1, 2), "stop_words": ["the", "a", "on"]}
    ours, ref = fit_both({**kw, "weighting": "count"}, kw)
    assert "cat sat" in ref.vocabulary_  # 'the' between them was removed first
    for docs in (DOCS, NEW):
        assert_same_columns(ours, ours.transform(docs), ref, ref.transform(docs))


def test_english_stop_words_are_spacys_list():
    from spacy.lang.en.stop_words import STOP_WORDS

    vec = OneHotVectorizer(stop_words="english").fit(DOCS)
    ref = sk(stop_words=sorted(STOP_WORDS)).fit(DOCS)
    assert set(vec.vocabulary_.itos_[4:]) == set(ref.vocabulary_)
    assert "the" not in vec.vocabulary_ and "cat" in vec.vocabulary_


# -- CountVectorizer: a fixed vocabulary --------------------------------------
def test_fixed_vocabulary_list_equals_countvectorizer_in_its_order():
    words = ["sat", "cat", "new york", "emu"]
    ours = OneHotVectorizer(
        vocabulary=words, ngram_range=(1, 2), weighting="count", handle_unknown="ignore"
    ).fit(DOCS)
    ref = sk(vocabulary=words, ngram_range=(1, 2)).fit(DOCS)
    assert ours.vocabulary_.itos_ == [*SPECIALS, *words]
    for docs in (DOCS, NEW):
        np.testing.assert_array_equal(
            ours.transform(docs).toarray()[:, 4:], ref.transform(docs).toarray()
        )


def test_fixed_vocabulary_mapping_keeps_its_ids_and_the_specials_theirs():
    vec = OneHotVectorizer(vocabulary={"dog": 5, "cat": 4, "*UNK*": 1}).fit(DOCS)
    assert vec.vocabulary_.itos_ == [*SPECIALS, "cat", "dog"]


def test_fixed_vocabulary_may_start_with_the_specials():
    vec = OneHotVectorizer(vocabulary=[*SPECIALS, "cat"]).fit(DOCS)
    assert vec.vocabulary_.itos_ == [*SPECIALS, "cat"]


def test_fixed_vocabulary_ignores_the_pruning_parameters():
    vec = OneHotVectorizer(vocabulary=["emu"], min_df=3, max_size=1).fit(DOCS)
    assert vec.vocabulary_.itos_[4:] == ["emu"]


BAD_VOCABULARIES = [
    (["cat", "dog", "cat"], ValueError, "holds 'cat' twice"),
    ({"cat": 4, "dog": 4}, ValueError, "gives the id 4 to both"),
    ({"cat": 4, "dog": 6}, ValueError, "has no token with the id 5"),
    ({"cat": 0}, ValueError, "ids 0-3 belong to the specials"),
    ({"*UNK*": 2, "cat": 4}, ValueError, "'\\*UNK\\*' the id 2"),
    (["cat", "*UNK*"], ValueError, "special '\\*UNK\\*' at position 1"),
    ([], ValueError, "no regular token"),
    ({"cat": 4.0}, TypeError, "int ids"),
    (["cat", 3], TypeError, "position 1"),
]


@pytest.mark.parametrize("vocabulary, error, match", BAD_VOCABULARIES)
def test_bad_fixed_vocabulary_is_refused_naming_the_parameter(vocabulary, error, match):
    with pytest.raises(error, match=f"'vocabulary' parameter of OneHotVectorizer.*{match}"):
        OneHotVectorizer(vocabulary=vocabulary).fit(DOCS)


def test_duplicate_vocabulary_is_refused_by_countvectorizer_too():
    with pytest.raises(ValueError, match="Duplicate term"):
        sk(vocabulary=["cat", "dog", "cat"]).fit(DOCS)


@pytest.mark.parametrize("vocabulary", ["cat dog", {"cat", "dog"}])
def test_str_or_set_vocabulary_is_refused(vocabulary):
    with pytest.raises((ValueError, TypeError), match="'vocabulary' parameter"):
        OneHotVectorizer(vocabulary=vocabulary).fit(DOCS)


# -- CountVectorizer: inverse_transform ---------------------------------------
def test_inverse_transform_equals_countvectorizer():
    kw = {"ngram_range": (1, 2), "min_df": 2}
    ours, ref = fit_both(kw, kw)
    got = ours.inverse_transform(ours.transform(NEW))
    want = ref.inverse_transform(ref.transform(NEW))
    assert [sorted(r.tolist()) for r in got] == [sorted(r.tolist()) for r in want]


def test_inverse_transform_accepts_a_dense_matrix_and_skips_zeros():
    vec = OneHotVectorizer().fit([["a", "b"]])
    row = np.zeros((1, len(vec.vocabulary_)))
    row[0, vec.vocabulary_["b"]] = 2.0
    assert [r.tolist() for r in vec.inverse_transform(row)] == [["b"]]


def test_inverse_transform_refuses_a_matrix_of_another_width():
    vec = OneHotVectorizer().fit([["a", "b"]])
    with pytest.raises(ValueError, match="with 6 columns"):
        vec.inverse_transform(np.ones((1, 3)))


# -- weighting: binary, count, tf-idf -----------------------------------------
def test_binary_weighting_equals_countvectorizer_binary():
    ours, ref = fit_both({"ngram_range": (1, 2), "weighting": "binary"},
                         {"ngram_range": (1, 2), "binary": True})
    assert_same_columns(ours, ours.transform(DOCS), ref, ref.transform(DOCS))


@pytest.mark.parametrize("sublinear_tf", [False, True])
@pytest.mark.parametrize("norm", ["l2", "l1", None])
def test_tfidf_equals_tfidftransformer_on_the_same_counts(sublinear_tf, norm):
    kw = {"ngram_range": (1, 2), "min_df": 2, "add_bos": True}
    counts = OneHotVectorizer(weighting="count", **kw).fit(DOCS)
    tfidf = OneHotVectorizer(
        weighting="tfidf", sublinear_tf=sublinear_tf, norm=norm, **kw
    ).fit(DOCS)
    ref = TfidfTransformer(sublinear_tf=sublinear_tf, norm=norm).fit(
        counts.transform(DOCS)
    )
    for docs in (DOCS, NEW):
        want = ref.transform(counts.transform(docs)).toarray()
        np.testing.assert_allclose(
            tfidf.transform(docs).toarray(), want, rtol=0, atol=1e-12
        )


def test_tfidf_equals_tfidfvectorizer_with_the_benchmark_settings():
    kw = {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.5, "sublinear_tf": True}
    ours, ref = fit_both({**kw, "weighting": "tfidf"}, kw, cls=TfidfVectorizer)
    for docs in (DOCS, NEW):
        assert_same_columns(ours, ours.transform(docs), ref, ref.transform(docs), 1e-12)


def test_tfidf_fit_transform_equals_fit_then_transform():
    vec = OneHotVectorizer(weighting="tfidf", ngram_range=(1, 2))
    np.testing.assert_allclose(
        vec.fit_transform(DOCS).toarray(), clone(vec).fit(DOCS).transform(DOCS).toarray(),
        rtol=0, atol=1e-15,
    )


def test_tfidf_idf_of_a_damaged_model_is_refused_before_use():
    vec = OneHotVectorizer(weighting="tfidf").fit(DOCS)
    vec.idf_ = vec.idf_[:-1]
    with pytest.raises(ValueError, match="idf_ must be a float64 array"):
        vec.transform(DOCS)


def test_tfidf_set_after_fit_asks_for_a_refit():
    vec = OneHotVectorizer().fit(DOCS).set_params(weighting="tfidf")
    with pytest.raises(ValueError, match="fit again"):
        vec.transform(DOCS)


def test_default_output_is_unchanged_indicators_with_the_unk_column():
    X = OneHotVectorizer().fit(DOCS[:2]).transform([["the", "emu", "emu", "the"]])
    vec_names = OneHotVectorizer().fit(DOCS[:2]).get_feature_names_out().tolist()
    assert vec_names == ["tok=" + t for t in [*SPECIALS, "the", "sat", "cat", "dog",
                                              "mat", "on"]]
    assert X.toarray().tolist() == [[0, 1, 0, 0, 1, 0, 0, 0, 0, 0]]


# -- bad parameters -----------------------------------------------------------
BAD_PARAMS = [
    ({"ngram_range": (2, 1)}, ValueError, "'ngram_range'.*Got \\(2, 1\\)"),
    ({"ngram_range": (0, 1)}, ValueError, "'ngram_range'"),
    ({"ngram_range": (1.0, 2)}, ValueError, "'ngram_range'"),
    ({"ngram_range": (1, 2, 3)}, ValueError, "'ngram_range'"),
    ({"ngram_range": [1, 2]}, InvalidParameterError, "'ngram_range'"),
    ({"min_df": -1}, InvalidParameterError, "'min_df'"),
    ({"min_df": 0}, InvalidParameterError, "'min_df'"),
    ({"min_df": -0.5}, InvalidParameterError, "'min_df'"),
    ({"max_df": 1.5}, InvalidParameterError, "'max_df'"),
    ({"max_df": "half"}, InvalidParameterError, "'max_df'"),
    ({"weighting": "bm25"}, InvalidParameterError, "'weighting'"),
    ({"norm": "l3"}, InvalidParameterError, "'norm'"),
    ({"sublinear_tf": "yes"}, InvalidParameterError, "'sublinear_tf'"),
    ({"stop_words": "french"}, InvalidParameterError, "'stop_words'"),
    ({"stop_words": ["a", 1]}, TypeError, "'stop_words'.*position 1"),
    ({"weighting": "tfidf", "dtype": np.int32}, ValueError, "'dtype'.*float"),
    ({"weighting": "binary", "binary": False}, ValueError, "contradicts binary=False"),
    ({"vocabulary": 3}, InvalidParameterError, "'vocabulary'"),
]


@pytest.mark.parametrize("params, error, match", BAD_PARAMS)
def test_bad_parameter_is_refused_naming_it(params, error, match):
    with pytest.raises(error, match=match):
        OneHotVectorizer(**params).fit(DOCS)


def test_countvectorizer_refuses_the_same_ranges():
    for params in ({"min_df": -1}, {"max_df": 1.5}):
        with pytest.raises(InvalidParameterError):
            sk(**params).fit(DOCS)


# -- model files --------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.9, "weighting": "tfidf",
         "sublinear_tf": True, "add_bos": True, "stop_words": ["on"]},
        {"vocabulary": ["cat", "new york"], "ngram_range": (1, 2), "weighting": "count"},
        {"vocabulary": {"cat": 4, "sat": 5}, "stop_words": "english", "norm": None,
         "weighting": "tfidf"},
    ],
    ids=["learned-tfidf", "fixed-list", "fixed-mapping"],
)
def test_model_file_round_trip_keeps_every_new_parameter_and_state(params):
    vec = OneHotVectorizer(**params).fit(DOCS)
    back = loads(dumps(vec))
    assert back.get_params() == vec.get_params()
    assert back.vocabulary_.itos_ == vec.vocabulary_.itos_
    np.testing.assert_array_equal(back.transform(NEW).toarray(), vec.transform(NEW).toarray())
    if "idf_" in vars(vec):
        np.testing.assert_array_equal(back.idf_, vec.idf_)


def test_model_file_without_the_new_parameters_loads_as_before():
    vec = OneHotVectorizer(binary=False).fit(DOCS)
    want = vec.transform(NEW).toarray()
    for name in ("ngram_range", "add_bos", "add_eos", "min_df", "max_df", "vocabulary",
                 "stop_words", "weighting", "sublinear_tf", "norm"):
        del vec.__dict__[name]  # what a file of the first layout holds
    back = loads(dumps(vec))
    np.testing.assert_array_equal(back.transform(NEW).toarray(), want)


# -- SequencePadder: a fixed vocabulary (keras TextVectorization semantics) ----
KERAS_VOCAB = ["earth", "wind", "and", "fire"]


def test_padder_fixed_vocabulary_numbers_the_list_as_keras_after_its_specials():
    # TextVectorization(output_mode="int", output_sequence_length=6,
    # vocabulary=KERAS_VOCAB) maps "earth wind and fire and rain" to
    # [2, 3, 4, 5, 4, 1] (0 padding, 1 OOV, then the list from 2). textfeat keeps
    # four specials, so the same list starts at 4: keras id k >= 2 is k + 2.
    keras_ids = [2, 3, 4, 5, 4, 1]
    pad = SequencePadder(maxlen=6, vocabulary=KERAS_VOCAB)
    got = pad.fit_transform([["earth", "wind", "and", "fire", "and", "rain"]])
    assert got.tolist() == [[k + 2 if k >= 2 else k for k in keras_ids]]


def test_padder_fixed_vocabulary_pads_and_cuts_at_the_end_as_keras():
    # keras: output_sequence_length=3 gives "fire" -> [5, 0, 0] and
    # "earth wind and fire" -> [2, 3, 4].
    pad = SequencePadder(maxlen=3, vocabulary=KERAS_VOCAB).fit([["fire"]])
    got = pad.transform([["fire"], ["earth", "wind", "and", "fire"]])
    assert got.tolist() == [[7, 0, 0], [4, 5, 6]]


def test_padder_duplicate_vocabulary_is_refused_as_keras():
    # keras raises ValueError on a repeated vocabulary term.
    with pytest.raises(ValueError, match="'vocabulary' parameter of SequencePadder.*twice"):
        SequencePadder(vocabulary=["earth", "earth"]).fit([["earth"]])


def test_padder_fixed_vocabulary_mapping_and_model_file_round_trip():
    pad = SequencePadder(maxlen=4, vocabulary={"wind": 5, "earth": 4}).fit([["x"]])
    back = loads(dumps(pad))
    assert back.transform([["earth", "wind", "x"]]).tolist() == [[4, 5, 1, 0]]


def test_keras_ngrams_are_tokens_and_bigrams_joined_by_a_space():
    # TextVectorization(ngrams=2, output_mode="count") on "earth wind earth wind"
    # counts earth 2, wind 2, "earth wind" 2, "wind earth" 1.
    vec = OneHotVectorizer(ngram_range=(1, 2), weighting="count")
    X = vec.fit_transform([["earth", "wind", "earth", "wind"]])
    got = {n: c[0] for n, c in by_name(X, vec.get_feature_names_out()).items() if c[0]}
    assert got == {"earth": 2, "wind": 2, "earth wind": 2, "wind earth": 1}


def test_fit_with_the_error_policy_does_not_raise_on_its_own_cut_offs():
    # as before tf-idf existed: fit learns, only encoding meets unknown tokens
    for weighting in ("binary", "tfidf"):
        vec = OneHotVectorizer(min_count=2, handle_unknown="error", weighting=weighting)
        vec.fit([["a", "a", "rare"]])
        with pytest.raises(ValueError, match="'rare'"):
            vec.transform([["rare"]])


def test_a_huge_max_n_costs_no_more_than_the_longest_document():
    big = OneHotVectorizer(ngram_range=(1, 10**12), weighting="count").fit(DOCS)
    exact = OneHotVectorizer(ngram_range=(1, 6), weighting="count").fit(DOCS)
    assert big.vocabulary_.itos_ == exact.vocabulary_.itos_
    assert (big.transform(NEW) != exact.transform(NEW)).nnz == 0


def test_fixed_vocabulary_from_a_numpy_array_saves_plain_strings():
    vec = OneHotVectorizer(vocabulary=np.array(["cat", "dog"])).fit(DOCS)
    assert all(type(t) is str for t in vec.vocabulary_.itos_)
    back = loads(dumps(vec))
    assert back.vocabulary_.itos_ == [*SPECIALS, "cat", "dog"]


@pytest.mark.parametrize("seed", range(4))
def test_random_corpora_equal_countvectorizer(seed):
    rng = np.random.default_rng(seed)
    words = np.array(["a", "b", "c", "d", "e", "f"])
    docs = [rng.choice(words, size=rng.integers(0, 9)).tolist() for _ in range(30)]
    docs[0] = ["a", "b"]  # never an empty corpus
    kw = {"ngram_range": (1, 3), "min_df": 2, "max_df": 0.7, "stop_words": ["f"]}
    ours = OneHotVectorizer(handle_unknown="ignore", weighting="count", **kw).fit(docs)
    ref = sk(**kw).fit(docs)
    assert_same_columns(ours, ours.transform(docs), ref, ref.transform(docs))
