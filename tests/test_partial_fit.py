"""Streaming fit: ``partial_fit`` over chunks and ``merge`` of workers equal ``fit``.

The oracle is ``fit`` on the whole corpus (corpora/topics.jsonl, tokenized
by SpacyTokenizer): after the last chunk, or after merging two halves fitted
independently (in both orders), every fitted attribute is the same.
"""

from __future__ import annotations

import copy
import gzip
import json
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from conftest import NEWS, require
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from textfeat import (
    OneHotVectorizer,
    SequencePadder,
    SpacyTokenizer,
    Vocabulary,
    WordDropout,
    WordSignatures,
    load_model,
    save_model,
)

ROOT = Path(__file__).resolve().parent.parent
SIZES = (7, 50, 113)  # none divides the 360 documents


@cache
def corpus() -> list[list[str]]:
    lines = (ROOT / "corpora" / "topics.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    return SpacyTokenizer().transform(texts)


def chunks(docs, size):
    return [docs[i : i + size] for i in range(0, len(docs), size)]


def streamed(est, docs, size):
    for chunk in chunks(docs, size):
        est.partial_fit(chunk)
    return est


def halves(est, docs, cut=149):
    # workers stream their part (a plain tf-idf fit keeps no word lists to merge)
    return clone(est).partial_fit(docs[:cut]), clone(est).partial_fit(docs[cut:])


# -- Vocabulary -----------------------------------------------------------------
def vocab_state(v):
    return v.itos_, v.stoi_, dict(v.counts_)


@pytest.mark.parametrize("size", SIZES)
def test_vocabulary_partial_fit_equals_fit(size):
    docs = corpus()
    whole = Vocabulary(min_count=2, max_size=150).fit(docs)
    part = streamed(Vocabulary(min_count=2, max_size=150), docs, size)
    assert vocab_state(part) == vocab_state(whole)


def test_vocabulary_merge_equals_fit_in_both_orders():
    docs = corpus()
    whole = Vocabulary(min_count=2).fit(docs)
    a = Vocabulary(min_count=2).fit(docs[:149])
    b = Vocabulary(min_count=2).fit(docs[149:])
    assert vocab_state(a.merge(b)) == vocab_state(whole)
    assert vocab_state(b.merge(a)) == vocab_state(whole)


def test_vocabulary_ties_follow_code_points_not_first_seen():
    # "b" is seen first, "a" later: fit's order is by count, then code points
    part = Vocabulary().partial_fit([["b"]]).partial_fit([["a"]])
    assert part.itos_[4:] == ["a", "b"]


def test_vocabulary_partial_fit_refuses_changed_min_count():
    vocab = Vocabulary().partial_fit([["a", "a"]])
    vocab.min_count = 2
    with pytest.raises(ValueError, match="'min_count' parameter changed from 1 to 2"):
        vocab.partial_fit([["a"]])


def test_vocabulary_merge_refuses_other_max_size():
    with pytest.raises(ValueError, match="'max_size' parameter differs"):
        Vocabulary().fit([["a"]]).merge(Vocabulary(max_size=3).fit([["a"]]))


# -- WordSignatures and WordDropout ---------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_signatures_partial_fit_equals_fit(size):
    docs = corpus()
    whole = WordSignatures(min_count=3).fit(docs)
    part = streamed(WordSignatures(min_count=3), docs, size)
    assert part.counts_ == whole.counts_
    assert part.known_words_ == whole.known_words_
    assert part.transform(docs) == whole.transform(docs)


def test_signatures_merge_equals_fit_in_both_orders():
    docs = corpus()
    whole = WordSignatures(min_count=3).fit(docs)
    a, b = halves(WordSignatures(min_count=3), docs)
    for merged in (a.merge(b), b.merge(a)):
        assert merged.known_words_ == whole.known_words_
        assert merged.transform(docs) == whole.transform(docs)


def test_signatures_partial_fit_refuses_changed_min_count():
    sig = WordSignatures(min_count=2).partial_fit([["a"]])
    sig.set_params(min_count=3)
    with pytest.raises(ValueError, match="'min_count' parameter changed"):
        sig.partial_fit([["a"]])


@pytest.mark.parametrize("size", SIZES)
def test_dropout_partial_fit_equals_fit(size):
    docs = corpus()
    whole = WordDropout(random_state=3).fit(docs)
    part = streamed(WordDropout(random_state=3), docs, size)
    assert part.counts_ == whole.counts_
    assert part.seed_ == whole.seed_
    assert part.corrupt(docs) == whole.corrupt(docs)


def test_dropout_merge_equals_fit_in_both_orders():
    docs = corpus()
    whole = WordDropout(random_state=3).fit(docs)
    a, b = halves(WordDropout(random_state=3), docs)
    for merged in (a.merge(b), b.merge(a)):
        assert (merged.counts_, merged.seed_) == (whole.counts_, whole.seed_)
        assert merged.corrupt(docs) == whole.corrupt(docs)


def test_dropout_partial_fit_refuses_changed_alpha():
    drop = WordDropout(random_state=0).partial_fit([["a"]])
    drop.set_params(alpha=1.0)
    with pytest.raises(ValueError, match="'alpha' parameter changed from 0.25 to 1.0"):
        drop.partial_fit([["a"]])


def test_merge_refuses_another_class():
    with pytest.raises(TypeError, match="WordDropout.merge expects another WordDropout"):
        WordDropout().fit([["a"]]).merge(WordSignatures().fit([["a"]]))


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(1, 359), max_size=6, unique=True))
def test_random_chunkings_give_the_fit_vocabulary(cuts):
    docs = corpus()
    bounds = [0, *sorted(cuts), len(docs)]
    part = Vocabulary(min_count=2)
    for lo, hi in pairwise(bounds):
        part.partial_fit(docs[lo:hi])
    assert vocab_state(part) == vocab_state(Vocabulary(min_count=2).fit(docs))


# -- SequencePadder ---------------------------------------------------------------
def padder_state(pad, docs):
    return vocab_state(pad.vocabulary_), pad.maxlen_, pad.transform(docs).tolist()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "params",
    [
        {"min_count": 2, "add_bos": True, "add_eos": True},
        {"min_count": 3, "max_size": 40, "maxlen": 9, "handle_unknown": "ignore"},
        {"vocabulary": ["the", "moon", "rocket"], "handle_unknown": "ignore"},
    ],
)
def test_padder_partial_fit_equals_fit(size, params):
    docs = corpus()
    whole = SequencePadder(**params).fit(docs)
    part = streamed(SequencePadder(**params), docs, size)
    assert padder_state(part, docs) == padder_state(whole, docs)


def test_padder_merge_equals_fit_in_both_orders():
    docs = corpus()
    whole = SequencePadder(min_count=2, add_eos=True).fit(docs)
    a, b = halves(SequencePadder(min_count=2, add_eos=True), docs)
    assert padder_state(a.merge(b), docs) == padder_state(whole, docs)
    assert padder_state(b.merge(a), docs) == padder_state(whole, docs)


def test_padder_partial_fit_refuses_longest_that_needs_the_final_vocabulary():
    pad = SequencePadder(min_count=2, handle_unknown="ignore")
    with pytest.raises(ValueError, match="handle_unknown='ignore'.*set maxlen"):
        pad.partial_fit([["a", "a", "b"]])


def test_padder_partial_fit_refuses_changed_add_bos():
    pad = SequencePadder().partial_fit([["a"]])
    pad.set_params(add_bos=True)
    with pytest.raises(ValueError, match="'add_bos' parameter changed from False to True"):
        pad.partial_fit([["a"]])


def test_padder_failed_partial_fit_leaves_state_unchanged():
    pad = SequencePadder(vocabulary=["a"], handle_unknown="error").partial_fit([["a"]])
    with pytest.raises(KeyError, match="zz"):
        pad.partial_fit([["a", "a", "zz"]])
    assert pad.maxlen_ == 1


# -- OneHotVectorizer -------------------------------------------------------------
ONEHOT_PARAMS = [
    {},
    {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.5, "weighting": "tfidf"},
    {
        "ngram_range": (1, 3),
        "add_bos": True,
        "add_eos": True,
        "min_count": 2,
        "max_size": 200,
        "weighting": "count",
        "stop_words": "english",
    },
    {"min_df": 3, "weighting": "tfidf", "handle_unknown": "error"},
    {"ngram_range": (2, 2), "max_df": 40, "weighting": "tfidf", "sublinear_tf": True},
    {"vocabulary": ["the", "moon", "rocket", "zzz"], "weighting": "tfidf"},
]


def onehot_state(vec, docs):
    # transform every document, even one with a cut token under "error"
    X = copy.copy(vec).set_params(handle_unknown="ignore").transform(docs)
    idf = vec.__dict__.get("idf_")
    return (
        vocab_state(vec.vocabulary_)[:2],
        vec.get_feature_names_out().tolist(),
        None if idf is None else idf.tolist(),
        X.indptr.tolist(),
        X.indices.tolist(),
        X.data.tolist(),
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("params", ONEHOT_PARAMS)
def test_onehot_partial_fit_equals_fit(size, params):
    docs = corpus()
    whole = OneHotVectorizer(**params).fit(docs)
    part = streamed(OneHotVectorizer(**params), docs, size)
    assert onehot_state(part, docs) == onehot_state(whole, docs)


@pytest.mark.parametrize("params", ONEHOT_PARAMS)
def test_onehot_merge_equals_fit_in_both_orders(params):
    docs = corpus()
    whole = onehot_state(OneHotVectorizer(**params).fit(docs), docs)
    a, b = halves(OneHotVectorizer(**params), docs)
    assert onehot_state(a.merge(b), docs) == whole
    assert onehot_state(b.merge(a), docs) == whole


def test_onehot_unknown_column_idf_counts_documents_with_a_cut_token():
    # hand-computed: min_df=3 keeps only "a"; the cut "x" and "y" sit in
    # documents 0 and 2 of 3 (different chunks), so the *UNK* column has
    # df 2 and idf ln(4 / 3) + 1
    vec = OneHotVectorizer(min_df=3, weighting="tfidf")
    vec.partial_fit([["a", "x"], ["a"]]).partial_fit([["a", "y", "y"]])
    assert vec.idf_[1] == pytest.approx(np.log(4 / 3) + 1)


def test_onehot_partial_fit_refuses_changed_ngram_range():
    vec = OneHotVectorizer().partial_fit([["a", "b"]])
    vec.set_params(ngram_range=(1, 2))
    with pytest.raises(ValueError, match=r"'ngram_range' parameter changed from \(1, 1\)"):
        vec.partial_fit([["a", "b"]])


def test_onehot_merge_refuses_other_min_df():
    a = OneHotVectorizer(min_df=1).fit([["a"]])
    b = OneHotVectorizer(min_df=1.0).fit([["a"]])
    with pytest.raises(ValueError, match="'min_df' parameter differs"):
        a.merge(b)


@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(1, 359), max_size=5, unique=True))
def test_random_chunkings_give_the_fit_tfidf(cuts):
    docs = corpus()
    params = {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.5, "weighting": "tfidf"}
    bounds = [0, *sorted(cuts), len(docs)]
    part = OneHotVectorizer(**params)
    for lo, hi in pairwise(bounds):
        part.partial_fit(docs[lo:hi])
    assert onehot_state(part, docs) == onehot_state(OneHotVectorizer(**params).fit(docs), docs)


# -- chunks before any token passes the cut-offs ----------------------------------
def test_vocabulary_keeps_counts_while_nothing_passes_min_count():
    vocab = Vocabulary(min_count=2).partial_fit([["a"]]).partial_fit([["a", "b"]])
    assert vocab.itos_[4:] == ["a"]


def test_padder_keeps_counts_while_nothing_passes_min_count():
    pad = SequencePadder(min_count=2).partial_fit([["a"]]).partial_fit([["a", "b", "c"]])
    whole = SequencePadder(min_count=2).fit([["a"], ["a", "b", "c"]])
    assert padder_state(pad, [["a", "b"]]) == padder_state(whole, [["a", "b"]])


def test_onehot_stays_unfitted_until_a_feature_passes_min_df():
    vec = OneHotVectorizer(min_df=2).partial_fit([["a"]])
    with pytest.raises(NotFittedError):
        vec.transform([["a"]])
    vec.partial_fit([["a"]])
    assert vec.get_feature_names_out()[4:].tolist() == ["tok=a"]


# -- model files ------------------------------------------------------------------
def test_loaded_onehot_transforms_and_refuses_partial_fit_by_name(tmp_path):
    vec = OneHotVectorizer(weighting="tfidf").partial_fit([["a", "b"], ["b"]])
    again = load_model(save_model(vec, tmp_path / "m.tfm"))
    assert onehot_state(again, [["a", "c"]]) == onehot_state(vec, [["a", "c"]])
    with pytest.raises(ValueError, match="partial_fit: this vectorizer holds no counts"):
        again.partial_fit([["c"]])


def test_loaded_vocabulary_steps_continue_from_their_saved_counts(tmp_path):
    docs = corpus()
    sig = WordSignatures(min_count=3).fit(docs[:100])
    again = load_model(save_model(sig, tmp_path / "m.tfm")).partial_fit(docs[100:])
    assert again.known_words_ == WordSignatures(min_count=3).fit(docs).known_words_


def test_loaded_padder_without_maxlen_refuses_merge(tmp_path):
    pad = SequencePadder().fit([["a", "b"]])
    again = load_model(save_model(pad, tmp_path / "m.tfm"))
    assert again.transform([["b"]]).tolist() == [[5, 0]]
    with pytest.raises(ValueError, match="merge: this padder holds no longest"):
        again.merge(pad)


# -- 20 Newsgroups ----------------------------------------------------------------
def test_20news_tfidf_bigrams_streamed_and_merged_equal_fit():
    path = require(NEWS / "train.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for _, line in zip(range(3000), f, strict=False)]
    docs = SpacyTokenizer(attr="lower").transform(texts)  # 3000 posts: ~30 s
    params = {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.5, "weighting": "tfidf"}
    whole = OneHotVectorizer(**params).fit(docs)
    part = streamed(OneHotVectorizer(**params), docs, 701)
    assert part.vocabulary_.itos_ == whole.vocabulary_.itos_
    assert np.array_equal(part.idf_, whole.idf_)
    a, b = halves(OneHotVectorizer(**params), docs, cut=1234)
    assert np.array_equal(b.merge(a).idf_, whole.idf_)
    sample = docs[::97]
    assert (part.transform(sample) != whole.transform(sample)).nnz == 0


def test_dropout_partial_fit_accepts_the_same_random_state_instance():
    drop = WordDropout(random_state=np.random.RandomState(0))
    drop.partial_fit([["a"]]).partial_fit([["a", "b"]])
    assert drop.counts_ == {"a": 2, "b": 1}


def test_onehot_merges_workers_whose_chunks_pass_no_cut_off_yet():
    a = OneHotVectorizer(min_df=2).partial_fit([["a", "b"]])
    b = OneHotVectorizer(min_df=2).partial_fit([["a", "c"]])
    assert a.merge(b).get_feature_names_out()[4:].tolist() == ["tok=a"]


@pytest.mark.parametrize(
    ("est", "change"),
    [
        (WordDropout(random_state=0), {"alpha": 1.0}),
        (WordSignatures(), {"min_count": 5}),
        (SequencePadder(), {"add_eos": True}),
        (OneHotVectorizer(), {"ngram_range": (1, 2)}),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, dict) else "",
)
def test_fit_after_a_parameter_change_starts_over(est, change):
    est = clone(est).partial_fit([["a", "b"]])
    est.set_params(**change).fit([["a", "b"]])
    assert est.partial_fit([["a"]]) is est


def test_plain_tfidf_fit_keeps_no_state_that_grows_with_the_corpus() -> None:
    # the same documents 20 times: same vocabulary, so the same fitted size
    import pickle

    docs = corpus()
    params = {"ngram_range": (1, 2), "weighting": "tfidf"}
    once = len(pickle.dumps(OneHotVectorizer(**params).fit(docs)))
    many = len(pickle.dumps(OneHotVectorizer(**params).fit(docs * 20)))
    assert many < 1.2 * once, (once, many)


def test_partial_fit_after_a_plain_tfidf_fit_is_refused_with_the_way_out() -> None:
    docs = corpus()
    vec = OneHotVectorizer(weighting="tfidf").fit(docs)
    with pytest.raises(ValueError, match="build it with partial_fit"):
        vec.partial_fit(docs[:3])


# -- OneHotVectorizer: plain fit, then stream or merge ------------------------------
def _continuable(params):
    # a plain tf-idf fit with handle_unknown="unk" keeps no word lists (refused)
    learned_unk = params.get("vocabulary") is None and params.get("handle_unknown", "unk") == "unk"
    return not (params.get("weighting") == "tfidf" and learned_unk)


CONTINUABLE = [p for p in ONEHOT_PARAMS if _continuable(p)]


@pytest.mark.parametrize("params", CONTINUABLE)
def test_onehot_plain_fit_then_partial_fit_equals_fit(params):
    docs = corpus()
    vec = OneHotVectorizer(**params).fit(docs[:149]).partial_fit(docs[149:])
    assert onehot_state(vec, docs) == onehot_state(OneHotVectorizer(**params).fit(docs), docs)


@pytest.mark.parametrize("params", CONTINUABLE)
def test_onehot_plain_fit_halves_merge_equal_fit(params):
    docs = corpus()
    whole = onehot_state(OneHotVectorizer(**params).fit(docs), docs)
    a = OneHotVectorizer(**params).fit(docs[:149])
    b = OneHotVectorizer(**params).fit(docs[149:])
    assert onehot_state(a.merge(b), docs) == whole
    assert onehot_state(b.merge(a), docs) == whole


def test_onehot_plain_tfidf_fit_refuses_merge_with_the_way_out():
    docs = corpus()
    vec = OneHotVectorizer(weighting="tfidf").fit(docs[:9])
    with pytest.raises(ValueError, match="merge: this vectorizer holds no counts.*partial_fit"):
        vec.merge(OneHotVectorizer(weighting="tfidf").partial_fit(docs[9:]))


@pytest.mark.parametrize(
    "params",
    [
        {"min_df": 2, "weighting": "tfidf"},  # cut words fill the *UNK* column
        {"ngram_range": (1, 2), "max_size": 300, "weighting": "tfidf"},
        {"ngram_range": (2, 3), "weighting": "tfidf"},  # no unigram at all
        {"min_count": 3, "weighting": "tfidf", "handle_unknown": "ignore"},
    ],
)
def test_onehot_plain_fit_idf_equals_fit_transform_idf(params):
    # fit takes the idf from the document frequencies, fit_transform from
    # the matrix it builds: the same integers, so the same bits
    docs = corpus()
    fitted = OneHotVectorizer(**params).fit(docs)
    encoded = OneHotVectorizer(**params)
    encoded.fit_transform(docs)
    assert fitted.vocabulary_.itos_ == encoded.vocabulary_.itos_
    np.testing.assert_array_equal(fitted.idf_, encoded.idf_)


def test_onehot_plain_fit_unknown_column_idf_by_hand():
    # min_df=3 keeps only "a"; "x" and "y" sit in documents 0 and 2 of 3, so
    # the *UNK* column has df 2 (not 3: "y" twice is one document) and idf
    # ln(4 / 3) + 1; the literal "*UNK*" in document 1 counts too with "unk"
    vec = OneHotVectorizer(min_df=3, weighting="tfidf")
    vec.fit([["a", "x"], ["a"], ["a", "y", "y"]])
    assert vec.idf_[1] == pytest.approx(np.log(4 / 3) + 1)
    vec.fit([["a", "x"], ["a", "*UNK*"], ["a", "y", "y"]])
    assert vec.idf_[1] == pytest.approx(np.log(4 / 4) + 1)


@pytest.mark.parametrize("params", [{}, {"min_df": 2}, {"weighting": "tfidf"}])
def test_onehot_plain_fit_builds_no_matrix(params, monkeypatch):
    # the vocabulary and the idf come from the counts: no (n_docs, n_features)
    # count matrix is built (it made fit 2.35x slower than before streaming)
    def no_matrix(*args, **kwargs):
        raise AssertionError("fit built a count matrix")

    monkeypatch.setattr(OneHotVectorizer, "_count_matrix", no_matrix)
    vec = OneHotVectorizer(**params).fit(corpus())
    assert len(vec.vocabulary_) > 4


# -- OneHotVectorizer: folding many parts -------------------------------------------
def _parts(params, docs, size):
    return [OneHotVectorizer(**params).partial_fit(c) for c in chunks(docs, size)]


FOLD_PARAMS = [
    {},
    {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.5, "weighting": "tfidf"},
    {"vocabulary": ["the", "moon", "rocket", "zzz"], "weighting": "tfidf"},
]


@pytest.mark.parametrize("params", FOLD_PARAMS)
def test_onehot_fold_of_many_merges_equals_fit(params):
    docs = corpus()
    parts = _parts(params, docs, 23)  # 16 parts, the last one short
    acc = parts[0]
    for part in parts[1:]:
        acc = acc.merge(part)
    assert onehot_state(acc, docs) == onehot_state(OneHotVectorizer(**params).fit(docs), docs)


def test_onehot_fold_builds_the_vocabulary_once(monkeypatch):
    # merging only gathers counts: the vocabulary (a sort of every feature)
    # is built at the first use, not once per merge
    docs = corpus()
    parts = _parts({}, docs, 23)
    built = []
    fit_counts = Vocabulary.fit_counts

    def counting(self, *args, **kwargs):
        built.append(1)
        return fit_counts(self, *args, **kwargs)

    monkeypatch.setattr(Vocabulary, "fit_counts", counting)
    acc = parts[0]
    for part in parts[1:]:
        acc = acc.merge(part)
    assert built == []
    acc.transform(docs[:2])
    acc.transform(docs[:2])
    assert built == [1]


def test_onehot_merge_leaves_both_parts_unchanged():
    docs = corpus()
    a, b = halves(OneHotVectorizer(min_df=2), docs)
    before = onehot_state(a, docs), onehot_state(b, docs)
    merged = a.merge(b).merge(a)
    merged.transform(docs[:1])
    assert (onehot_state(a, docs), onehot_state(b, docs)) == before
    # and a part folded into two results stays what it was
    assert onehot_state(a.merge(b), docs) == onehot_state(b.merge(a), docs)


def test_onehot_merged_vectorizer_saved_before_use_keeps_its_vocabulary(tmp_path):
    docs = corpus()
    params = {"ngram_range": (1, 2), "min_df": 2, "weighting": "tfidf"}
    a, b = halves(OneHotVectorizer(**params), docs)
    again = load_model(save_model(a.merge(b), tmp_path / "m.tfm"))
    assert onehot_state(again, docs) == onehot_state(OneHotVectorizer(**params).fit(docs), docs)


def test_onehot_merged_vectorizer_pickles_its_fitted_state():
    import pickle

    docs = corpus()
    a, b = halves(OneHotVectorizer(weighting="tfidf"), docs)
    again = pickle.loads(pickle.dumps(a.merge(b)))
    assert "vocabulary_" in vars(again) and "_pending" not in vars(again)
    assert onehot_state(again, docs) == onehot_state(
        OneHotVectorizer(weighting="tfidf").fit(docs), docs
    )


def test_onehot_merge_keeps_the_parameters_it_was_made_with():
    # as if the vocabulary were built at the merge: a later set_params does
    # not change it (and partial_fit then refuses the changed parameter)
    docs = corpus()
    a, b = halves(OneHotVectorizer(), docs)
    merged = a.merge(b).set_params(min_count=5)
    assert merged.vocabulary_.itos_ == OneHotVectorizer().fit(docs).vocabulary_.itos_
    with pytest.raises(ValueError, match="'min_count' parameter changed from 1 to 5"):
        merged.partial_fit(docs[:3])


def test_onehot_merge_of_parts_below_the_cut_offs_stays_unfitted():
    a = OneHotVectorizer(min_df=3).partial_fit([["a"]])
    merged = a.merge(OneHotVectorizer(min_df=3).partial_fit([["a", "b"]]))
    with pytest.raises(NotFittedError):
        merged.transform([["a"]])
    assert not hasattr(merged, "vocabulary_")
    merged.partial_fit([["a"]])
    assert merged.get_feature_names_out()[4:].tolist() == ["tok=a"]


def test_onehot_partial_fit_and_fit_after_a_merge():
    docs = corpus()
    a, b = halves(OneHotVectorizer(min_df=2), docs[:300])
    streamed_on = a.merge(b).partial_fit(docs[300:])
    whole = OneHotVectorizer(min_df=2).fit(docs)
    assert onehot_state(streamed_on, docs) == onehot_state(whole, docs)
    refit = a.merge(b).fit(docs[:50])
    assert onehot_state(refit, docs) == onehot_state(OneHotVectorizer(min_df=2).fit(docs[:50]), docs)


def test_onehot_merge_refuses_a_part_whose_parameters_changed_since_its_counting():
    # "a" counted unigrams; set_params cannot make its counts bigram counts
    a = OneHotVectorizer().fit([["a", "b"]]).set_params(ngram_range=(1, 2))
    b = OneHotVectorizer(ngram_range=(1, 2)).fit([["a", "b"]])
    with pytest.raises(ValueError, match=r"merge: the 'ngram_range' parameter changed"):
        a.merge(b)
    with pytest.raises(ValueError, match=r"merge: the 'ngram_range' parameter changed"):
        b.merge(a)
    # the refusal changed nothing: with the parameter restored, "a" merges
    merged = a.set_params(ngram_range=(1, 1)).merge(OneHotVectorizer().fit([["b"]]))
    assert merged.vocabulary_.counts_ == {"a": 1, "b": 2}
