"""WindowVectorizer and Tokens: hand-written windows, DictVectorizer oracle, indexing."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import UD_EWT, require
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction import DictVectorizer
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline
from sklearn.utils import _safe_indexing

from textfeat.conll import read_conllu
from textfeat.vectors import WordVectors
from textfeat.windows import Token, Tokens, WindowVectorizer, word_shape

S, E = "*S*", "*/S*"


def rows_as_dicts(vec: WindowVectorizer, X: sp.csr_matrix) -> list[dict[str, float]]:
    names = vec.get_feature_names_out()
    X = sp.csr_matrix(X)
    return [
        {names[j]: float(v) for j, v in zip(X[i].indices, X[i].data, strict=True)}
        for i in range(X.shape[0])
    ]


# -- hand-written windows, one per combination mode -------------------------------
SENT = [["the", "cat", "sat"]]


def test_concat_window_by_hand_including_edges() -> None:
    vec = WindowVectorizer(window=1, combination="concat")
    got = rows_as_dicts(vec, vec.fit_transform(SENT))
    assert got == [
        {f"w[-1]={S}": 1, "w[0]=the": 1, "w[+1]=cat": 1},
        {"w[-1]=the": 1, "w[0]=cat": 1, "w[+1]=sat": 1},
        {"w[-1]=cat": 1, "w[0]=sat": 1, f"w[+1]={E}": 1},
    ]


def test_window_wider_than_the_sentence_is_all_boundary_symbols() -> None:
    vec = WindowVectorizer(window=2)
    [row] = rows_as_dicts(vec, vec.fit_transform([["hi"]]))
    assert row == {
        f"w[-2]={S}": 1,
        f"w[-1]={S}": 1,
        "w[0]=hi": 1,
        f"w[+1]={E}": 1,
        f"w[+2]={E}": 1,
    }


def test_sum_window_by_hand_counts_repeats() -> None:
    vec = WindowVectorizer(window=1, combination="sum")
    got = rows_as_dicts(vec, vec.fit_transform([["a", "b", "a"]]))
    assert got == [
        {"w=*S*": 1, "w=a": 1, "w=b": 1},
        {"w=a": 2, "w=b": 1},
        {"w=b": 1, "w=a": 1, "w=*/S*": 1},
    ]


def test_mean_window_by_hand_divides_by_window_length() -> None:
    vec = WindowVectorizer(window=1, combination="mean")
    got = rows_as_dicts(vec, vec.fit_transform([["a", "b", "a"]]))
    third = 1 / 3
    assert got[0] == pytest.approx({"w=*S*": third, "w=a": third, "w=b": third})
    assert got[1] == pytest.approx({"w=a": 2 * third, "w=b": third})


def test_weighted_window_default_weights_decay_with_distance() -> None:
    # k = 2: weight 1 at distance 0 and 1, (2 + 1 - 2) / 2 = 0.5 at distance 2.
    vec = WindowVectorizer(window=2, combination="weighted")
    got = rows_as_dicts(vec, vec.fit_transform([["a", "b"]]))
    assert got[0] == {"w=*S*": 1.5, "w=a": 1.0, "w=b": 1.0, "w=*/S*": 0.5}
    assert got[1] == {"w=*S*": 0.5, "w=a": 1.0, "w=b": 1.0, "w=*/S*": 1.5}


def test_weighted_window_user_weights() -> None:
    vec = WindowVectorizer(window=1, combination="weighted", weights=[0.25, 2.0, 4.0])
    got = rows_as_dicts(vec, vec.fit_transform([["a", "b"]]))
    assert got == [
        {"w=*S*": 0.25, "w=a": 2.0, "w=b": 4.0},
        {"w=a": 0.25, "w=b": 2.0, "w=*/S*": 4.0},
    ]


def test_per_position_attributes_by_hand() -> None:
    vec = WindowVectorizer(
        window=1, attributes={0: ["lower", "suffix3", "shape"], 1: ["signature"]}
    )
    got = rows_as_dicts(vec, vec.fit_transform([["Running", "42"]]))
    assert got == [
        {
            "lower[0]=running": 1,
            "suffix3[0]=ing": 1,
            "shape[0]=Xxxxx": 1,
            "sig[+1]=*NUM*": 1,
        },
        {"lower[0]=42": 1, "suffix3[0]=42": 1, "shape[0]=dd": 1, f"sig[+1]={E}": 1},
    ]


def test_dense_windows_by_hand() -> None:
    wv = WordVectors(["a", "b"], [[1.0, 0.0], [0.0, 2.0]])
    concat = WindowVectorizer(window=1, representation="dense", vectors=wv)
    np.testing.assert_array_equal(
        concat.fit_transform([["a", "b"]]),
        [[0, 0, 1, 0, 0, 2], [1, 0, 0, 2, 0, 0]],  # *S* and */S* are zero
    )
    mean = WindowVectorizer(window=1, representation="dense", vectors=wv, combination="mean")
    np.testing.assert_allclose(
        mean.fit_transform([["a", "b", "zzz"]]),
        [[1 / 3, 2 / 3], [1 / 3, 2 / 3], [0, 2 / 3]],  # zzz: zero (unknown)
    )
    assert concat.get_feature_names_out()[:3].tolist() == [
        "vec[-1]_0",
        "vec[-1]_1",
        "vec[0]_0",
    ]


def test_dense_uses_boundary_vectors_when_the_table_has_them() -> None:
    wv = WordVectors(["a", S, E], [[1.0], [5.0], [7.0]])
    vec = WindowVectorizer(window=1, representation="dense", vectors=wv, combination="sum")
    np.testing.assert_array_equal(vec.fit_transform([["a"]]), [[13.0]])


# -- DictVectorizer oracle --------------------------------------------------------
def hand_dicts(sents: list[list[str]], k: int) -> list[dict[str, int]]:
    """The concat features written out one token at a time, the slow way."""
    out = []
    for sent in sents:
        for i, word in enumerate(sent):
            feats = {
                f"lower[0]={word.lower()}": 1,
                f"suffix2[0]={word[-2:]}": 1,
                f"shape[0]={word_shape(word)}": 1,
            }
            for d in range(-k, k + 1):
                j = i + d
                w = S if j < 0 else E if j >= len(sent) else sent[j]
                name = f"{d:+d}" if d else "0"
                feats[f"w[{name}]={w}"] = 1
            out.append(feats)
    return out


def assert_same_as_dictvectorizer(sents: list[list[str]], k: int) -> None:
    attrs = {d: ["word"] for d in range(-k, k + 1)}
    attrs[0] = ["word", "lower", "suffix2", "shape"]
    ours = WindowVectorizer(window=k, attributes=attrs)
    X = ours.fit_transform(sents)
    dv = DictVectorizer()
    D = dv.fit_transform(hand_dicts(sents, k))
    names = ours.get_feature_names_out().tolist()
    col = {n: j for j, n in enumerate(names)}
    assert len(col) == len(names)
    shared = [col[n] for n in dv.get_feature_names_out()]
    assert (X[:, shared] != D).nnz == 0
    others = np.setdiff1d(np.arange(X.shape[1]), shared)
    assert X[:, others].nnz == 0  # only never-seen specials (*PAD*, *UNK*...)


def test_concat_onehot_equals_dictvectorizer_inline() -> None:
    sents = [["The", "cat", "sat", "."], ["Dogs", "bark"], ["A"], ["cat", "cat"]]
    assert_same_as_dictvectorizer(sents, 2)


@pytest.mark.corpus
def test_concat_onehot_equals_dictvectorizer_on_ud_ewt() -> None:
    sents = [s.words for s in read_conllu(require(UD_EWT / "en_ewt-ud-dev.conllu"))]
    assert_same_as_dictvectorizer(sents[:400], 2)  # a subset is enough here


# -- invariants ---------------------------------------------------------------------
words = st.sampled_from(["a", "b", "Cat", "42", "-", "the"])
sentences = st.lists(st.lists(words, min_size=0, max_size=6), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(sents=sentences, k=st.integers(0, 3))
def test_one_row_per_token_and_one_feature_per_slot(
    sents: list[list[str]], k: int
) -> None:
    n = sum(map(len, sents))
    vec = WindowVectorizer(window=k, attributes=["word", "suffix1"])
    if n == 0:
        with pytest.raises(ValueError, match="no tokens"):
            vec.fit(sents)
        return
    X = vec.fit_transform(sents)
    assert X.shape == (n, vec.n_features_out_) == (n, len(vec.get_feature_names_out()))
    assert (np.diff(X.indptr) == 2 * (2 * k + 1)).all()


def test_no_tokens_give_no_rows() -> None:
    vec = WindowVectorizer().fit([["a"]])
    assert vec.transform([[], []]).shape == (0, vec.n_features_out_)


# -- conjunctions of positions ---------------------------------------------------------
BIGRAMS = [[(-1, "word"), (0, "word")], [(0, "suffix2"), (1, "word")]]


def test_conjunctions_by_hand_including_edges() -> None:
    vec = WindowVectorizer(window=1, attributes={0: ["word"]}, conjunctions=BIGRAMS)
    got = rows_as_dicts(vec, vec.fit_transform(SENT))
    assert got == [
        {"w[0]=the": 1, f"w[-1]|w[0]={S}|the": 1, "suffix2[0]|w[+1]=he|cat": 1},
        {"w[0]=cat": 1, "w[-1]|w[0]=the|cat": 1, "suffix2[0]|w[+1]=at|sat": 1},
        {"w[0]=sat": 1, "w[-1]|w[0]=cat|sat": 1, f"suffix2[0]|w[+1]=at|{E}": 1},
    ]


def test_conjunction_columns_follow_the_single_positions() -> None:
    vec = WindowVectorizer(window=1, attributes={0: ["word"]}, conjunctions=BIGRAMS)
    names = vec.fit(SENT).get_feature_names_out().tolist()
    # 4 specials + 3 words, then each conjunction: its *UNK* and 3 combinations.
    assert len(names) == vec.n_features_out_ == 7 + 4 + 4
    assert names[7] == "w[-1]|w[0]=*UNK*"
    assert names[11] == "suffix2[0]|w[+1]=*UNK*"


def test_unseen_or_rare_combination_is_the_conjunction_unk() -> None:
    train = [["a", "b"], ["a", "b"], ["c", "a"]]  # "c" is rare: *UNK*
    vec = WindowVectorizer(
        window=1, attributes={0: ["word"]}, conjunctions=BIGRAMS[:1], min_count=2
    ).fit(train)
    # kept: "*S*|a" and "a|b" (twice each); "*S*|*UNK*" and "*UNK*|a" once each.
    assert vec.get_feature_names_out().tolist()[6:] == [
        "w[-1]|w[0]=*UNK*",
        f"w[-1]|w[0]={S}|a",
        "w[-1]|w[0]=a|b",
    ]
    got = rows_as_dicts(vec, vec.transform([["c", "a", "b"]]))
    assert got == [
        {"w[0]=*UNK*": 1, "w[-1]|w[0]=*UNK*": 1},
        {"w[0]=a": 1, "w[-1]|w[0]=*UNK*": 1},
        {"w[0]=b": 1, "w[-1]|w[0]=a|b": 1},
    ]
    ignore = clone(vec).set_params(handle_unknown="ignore").fit(train)
    assert rows_as_dicts(ignore, ignore.transform([["c", "a", "b"]])) == [
        {},
        {"w[0]=a": 1},
        {"w[0]=b": 1, "w[-1]|w[0]=a|b": 1},
    ]


def test_conjunctions_max_size_keeps_the_most_frequent() -> None:
    # words a, b kept ("c" is *UNK*); bigrams *S*|a, a|b x2, b|a, b|*UNK*: the
    # second place is a tie, broken by the smaller code (*S* has id 2 < b's 5).
    train = [["a", "b", "a", "b", "c"]]
    vec = WindowVectorizer(
        window=1, attributes={0: ["word"]}, conjunctions=BIGRAMS[:1], max_size=2
    ).fit(train)
    assert vec.get_feature_names_out().tolist()[-3:] == [
        "w[-1]|w[0]=*UNK*",
        f"w[-1]|w[0]={S}|a",
        "w[-1]|w[0]=a|b",
    ]


def test_conjunctions_keep_rows_aligned_after_a_split() -> None:
    vec = WindowVectorizer(window=1, conjunctions=BIGRAMS).fit(SENT)
    full = vec.transform(Tokens(SENT)).toarray()
    assert np.array_equal(vec.transform(Tokens(SENT)[[2, 0]]).toarray(), full[[2, 0]])


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"conjunctions": [[(0, "word")]]}, "two or more"),
        ({"conjunctions": [[(0, "word"), (3, "word")]]}, "window"),
        ({"conjunctions": [[(0, "word"), (0, "word")]]}, "repeats"),
        ({"conjunctions": [[(0, "word"), (1, "colour")]]}, "colour"),
        ({"conjunctions": BIGRAMS, "combination": "sum"}, "concat"),
    ],
)
def test_bad_conjunctions_are_named(params: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        WindowVectorizer(window=1, **params).fit([["a"]])


# -- unknown words -------------------------------------------------------------------
def test_unknown_policies() -> None:
    train = [["a", "b"]]
    names = WindowVectorizer(window=0).fit(train).get_feature_names_out()
    unk = WindowVectorizer(window=0).fit(train)
    assert [names[j] for j in unk.transform([["zz"]]).indices] == ["w[0]=*UNK*"]
    ignore = WindowVectorizer(window=0, handle_unknown="ignore").fit(train)
    assert ignore.transform([["zz"]]).nnz == 0
    error = WindowVectorizer(window=0, handle_unknown="error").fit(train)
    with pytest.raises(ValueError, match="'zz'"):
        error.transform([["zz"]])


def test_min_count_maps_rare_values_to_unk() -> None:
    vec = WindowVectorizer(window=0, min_count=2).fit([["a", "a", "b"]])
    assert vec.get_feature_names_out().tolist()[4:] == ["w[0]=a"]
    X = vec.transform([["b"]])
    assert vec.get_feature_names_out()[X.indices].tolist() == ["w[0]=*UNK*"]


# -- bad input -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"attributes": ["colour"]}, "colour"),
        ({"attributes": {5: ["word"]}}, "window"),
        ({"combination": "weighted", "weights": [1.0]}, "weights"),
        ({"combination": "max"}, "combination"),
        ({"representation": "dense"}, "vectors"),
    ],
)
def test_bad_parameters_are_named(params: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        WindowVectorizer(**params).fit([["a"]])


def test_bare_string_is_rejected() -> None:
    with pytest.raises(TypeError, match="single str"):
        WindowVectorizer().fit("a sentence")


# -- the token-level contract ------------------------------------------------------------
TOKS = Tokens([["the", "cat", "sat"], ["a", "dog"], ["it", "ran", "off", "."]])


@pytest.mark.parametrize(
    "key",
    [np.array([4, 0, 6]), [4, 0, 6], np.array([False, True] * 4 + [True]), slice(2, 5)],
)
def test_sklearn_indexing_keeps_tokens_and_their_sentences(key: object) -> None:
    sub = _safe_indexing(TOKS, key)
    assert isinstance(sub, Tokens)
    expected = [TOKS[i] for i in np.arange(len(TOKS))[key]]
    assert list(sub) == expected
    assert sub.sentences is TOKS.sentences


def test_int_index_gives_a_token() -> None:
    assert TOKS[-1] == Token(("it", "ran", "off", "."), 3)
    assert TOKS[-1].word == "."
    with pytest.raises(IndexError):
        TOKS[len(TOKS)]


def test_windows_see_the_whole_sentence_after_a_split() -> None:
    vec = WindowVectorizer(window=2).fit(TOKS)
    whole = vec.transform(TOKS)
    _train, test = train_test_split(TOKS, test_size=4, random_state=0)
    assert isinstance(test, Tokens)
    rows = [TOKS.words.index(w) for w in test.words]  # words are distinct here
    assert (vec.transform(test) != whole[rows]).nnz == 0


def test_align_picks_tags_of_a_subset() -> None:
    tags = [["D", "N", "V"], ["D", "N"], ["P", "V", "R", "."]]
    sub = TOKS[[3, 8]]
    assert sub.align(tags).tolist() == ["D", "."]
    with pytest.raises(ValueError, match="index 1"):
        TOKS.align([["D", "N", "V"], ["D"], ["P", "V", "R", "."]])


@pytest.fixture(scope="module")
def ud_dev() -> tuple[Tokens, np.ndarray]:
    sents = read_conllu(require(UD_EWT / "en_ewt-ud-dev.conllu"))[:600]
    toks = Tokens([s.words for s in sents])
    return toks, toks.align([s["upos"] for s in sents])


@pytest.mark.corpus
def test_cross_val_score_with_sentence_groups(
    ud_dev: tuple[Tokens, np.ndarray],
) -> None:
    toks, y = ud_dev
    pipe = make_pipeline(
        WindowVectorizer(window=1, attributes=["lower", "suffix3"]),
        MultinomialNB(alpha=0.1),  # fast; the classifier is not under test
    )
    cv = GroupKFold(n_splits=3)
    for train, test in cv.split(toks, y, groups=toks.sentence_ids):
        assert not set(toks.sentence_ids[train]) & set(toks.sentence_ids[test])
    scores = cross_val_score(pipe, toks, y, groups=toks.sentence_ids, cv=cv)
    assert scores.min() > 0.7  # a tagger, not chance (about 0.15)


@pytest.mark.corpus
def test_grid_search_over_the_window(ud_dev: tuple[Tokens, np.ndarray]) -> None:
    toks, y = ud_dev
    pipe = make_pipeline(WindowVectorizer(window=1), MultinomialNB(alpha=0.1))
    grid = {"windowvectorizer__attributes": [["word"], ["lower", "suffix3"]]}
    search = GridSearchCV(pipe, grid, cv=GroupKFold(n_splits=2))
    search.fit(toks, y, groups=toks.sentence_ids)
    # Lower case and suffixes generalise to unseen words; words alone do not.
    assert search.best_params_ == {"windowvectorizer__attributes": ["lower", "suffix3"]}
    assert search.predict(toks[:5]).shape == (5,)


def test_clone_and_tags() -> None:
    vec = WindowVectorizer(window=3, attributes={0: ["word"]})
    assert clone(vec).get_params() == vec.get_params()
    tags = vec.__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


# -- the "ambiguity" attribute (tags seen with a word in fit) -----------------------
AMB_SENTS = [["I", "can", "can", "it"], ["Can", "you", "?"], ["you", "can"]]
AMB_TAGS = ["PRON", "AUX", "VERB", "PRON", "AUX", "PRON", "PUNCT", "PRON", "AUX"]


def test_ambiguity_classes_by_hand():
    # lower-cased counts: can 4 (AUX, VERB, AUX, AUX), you 2 (PRON), i/it/? 1
    tokens = Tokens(AMB_SENTS)
    vec = WindowVectorizer(
        window=1, attributes={0: ["ambiguity"], 1: ["ambiguity"]}, ambiguity_min_count=2
    )
    X = vec.fit_transform(tokens, AMB_TAGS)
    assert vec.ambiguity_ == {"can": "AUX+VERB", "you": "PRON"}
    rows = rows_as_dicts(vec, X)
    assert rows[0] == {"amb[0]=*RARE*": 1.0, "amb[+1]=AUX+VERB": 1.0}
    assert rows[4] == {"amb[0]=AUX+VERB": 1.0, "amb[+1]=PRON": 1.0}
    assert rows[8] == {"amb[0]=AUX+VERB": 1.0, "amb[+1]=*/S*": 1.0}
    # a word never seen in fit is *RARE*, like a rare one
    new = rows_as_dicts(vec, vec.transform([["CAN", "they"]]))
    assert new == [
        {"amb[0]=AUX+VERB": 1.0, "amb[+1]=*RARE*": 1.0},
        {"amb[0]=*RARE*": 1.0, "amb[+1]=*/S*": 1.0},
    ]


def test_ambiguity_with_the_default_threshold_and_in_a_conjunction():
    vec = WindowVectorizer(
        window=1,
        attributes={0: ["lower"]},
        conjunctions=[[(-1, "ambiguity"), (1, "ambiguity")]],
        ambiguity_min_count=4,
    )
    X = vec.fit_transform(Tokens(AMB_SENTS), AMB_TAGS)
    assert vec.ambiguity_ == {"can": "AUX+VERB"}
    row = rows_as_dicts(vec, X)[2]  # "can" between "can" and "it"
    assert row["amb[-1]|amb[+1]=AUX+VERB|*RARE*"] == 1.0


def test_ambiguity_needs_aligned_tags():
    vec = WindowVectorizer(attributes=["ambiguity"])
    with pytest.raises(ValueError, match=r"fit\(X, y\)"):
        vec.fit(Tokens(AMB_SENTS))
    with pytest.raises(ValueError, match="one tag per token"):
        vec.fit(Tokens(AMB_SENTS), AMB_TAGS[:-1])


def test_ambiguity_is_learned_per_fold_in_a_pipeline():
    # In cross-validation each fold's classes come from that fold's tags only.
    tokens = Tokens(AMB_SENTS * 4)
    tags = np.array(AMB_TAGS * 4)
    pipe = make_pipeline(
        WindowVectorizer(
            window=1, attributes=["lower", "ambiguity"], ambiguity_min_count=2
        ),
        MultinomialNB(),
    )
    fitted = clone(pipe).fit(tokens[:9], tags[:9])
    assert fitted[0].ambiguity_ == {"can": "AUX+VERB", "you": "PRON"}
    fitted = clone(pipe).fit(tokens[:4], tags[:4])
    assert fitted[0].ambiguity_ == {"can": "AUX+VERB"}
    scores = cross_val_score(pipe, tokens, tags, cv=2)
    assert scores.shape == (2,)
    assert np.all(scores > 0.5)


def test_ambiguity_survives_the_safe_model_file():
    from textfeat.persist import dumps, loads

    vec = WindowVectorizer(window=1, attributes=["lower", "ambiguity"])
    vec.fit(Tokens(AMB_SENTS), AMB_TAGS)
    again = loads(dumps(vec))
    assert again.ambiguity_ == vec.ambiguity_
    tokens = Tokens([["you", "can", "go"]])
    np.testing.assert_array_equal(
        again.transform(tokens).toarray(), vec.transform(tokens).toarray()
    )


def test_ambiguity_name_clash_with_a_user_attribute_is_refused():
    clash = ("amb", str.upper)
    for attributes in (["ambiguity", clash], [clash, "ambiguity"]):
        vec = WindowVectorizer(window=0, attributes=attributes)
        with pytest.raises(ValueError, match="named 'amb'"):
            vec.fit(Tokens(AMB_SENTS), AMB_TAGS)


# -- encoding -> representation (deprecated alias) ---------------------------------
def _dense_vectors() -> WordVectors:
    return WordVectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 1.0]]))


def test_encoding_is_a_deprecated_alias_of_representation() -> None:
    wv = _dense_vectors()
    new = WindowVectorizer(window=1, representation="dense", vectors=wv)
    with pytest.warns(FutureWarning, match="'encoding'.*renamed 'representation'"):
        old = WindowVectorizer(window=1, encoding="dense", vectors=wv).fit([["a"]])
    X = old.transform([["a", "b"]])
    assert np.array_equal(X, new.fit([["a"]]).transform([["a", "b"]]))


def test_representation_alone_does_not_warn() -> None:
    WindowVectorizer(window=0, representation="onehot").fit([["a"]])


def test_encoding_round_trips_through_clone() -> None:
    from sklearn.base import clone

    params = clone(WindowVectorizer(encoding="dense")).get_params()
    assert (params["encoding"], params["representation"]) == ("dense", "onehot")


def test_vectorizer_from_a_file_before_representation_uses_its_encoding() -> None:
    wv = _dense_vectors()
    vec = WindowVectorizer(window=0, representation="dense", vectors=wv).fit([["a"]])
    del vec.representation  # a file of the old layout holds only 'encoding'
    vec.encoding = "dense"
    assert vec.get_params()["representation"] == "onehot"
    assert vec.transform([["b"]]).tolist() == [[0.0, 1.0]]  # and no warning
