"""Vocabulary: fixed specials, deterministic order, cut-offs, lookups."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from strategies import corpora, tokens

from textfeat.vocab import (
    BOS,
    BOS_ID,
    EOS,
    EOS_ID,
    PAD,
    PAD_ID,
    SPECIALS,
    UNK,
    UNK_ID,
    Vocabulary,
)


def test_specials_have_fixed_distinct_ids():
    assert (PAD_ID, UNK_ID, BOS_ID, EOS_ID) == (0, 1, 2, 3)
    assert SPECIALS == (PAD, UNK, BOS, EOS)
    assert len(set(SPECIALS)) == 4
    vocab = Vocabulary().fit([["x", "y"]])
    assert [vocab[s] for s in SPECIALS] == [0, 1, 2, 3]


def test_order_is_count_then_token():
    docs = [["b", "a", "c", "a"], ["c", "b", "d"]]
    # counts: a=2, b=2, c=2, d=1 -> ties broken alphabetically
    assert Vocabulary().fit(docs).itos_[4:] == ["a", "b", "c", "d"]


def test_order_does_not_depend_on_document_order():
    docs = [["z", "y", "y"], ["x", "z"], ["w"]]
    assert Vocabulary().fit(docs).itos_ == Vocabulary().fit(docs[::-1]).itos_


def test_min_count_and_max_size():
    docs = [["a", "a", "a", "b", "b", "c"]]
    assert Vocabulary(min_count=2).fit(docs).itos_[4:] == ["a", "b"]
    assert Vocabulary(max_size=1).fit(docs).itos_[4:] == ["a"]
    assert Vocabulary().fit(docs).counts_ == {"a": 3, "b": 2, "c": 1}


def test_special_symbol_in_data_keeps_its_id():
    vocab = Vocabulary().fit([["*UNK*", "*UNK*", "a"]])
    assert vocab.itos_ == [*SPECIALS, "a"]
    assert vocab.counts_[UNK] == 2


def test_empty_vocabulary_after_min_count_is_an_error():
    with pytest.raises(ValueError, match=r"min_count=3.*most frequent occurs 1"):
        Vocabulary(min_count=3).fit([["a", "b"]])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"min_count": 0}, "'min_count'"), ({"max_size": 0}, "'max_size'")],
)
def test_bad_parameters_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Vocabulary(**kwargs).fit([["a"]])


def test_unknown_policies():
    vocab = Vocabulary().fit([["a", "b"]])
    assert vocab.lookup_ids(["a", "q"]).tolist() == [4, UNK_ID]
    assert vocab.lookup_ids(["a", "q"], "ignore").tolist() == [4]
    with pytest.raises(ValueError, match="unknown token 'q' at position 1"):
        vocab.lookup_ids(["a", "q"], "error")


def test_encode_documents_error_names_document():
    vocab = Vocabulary().fit([["a"]])
    with pytest.raises(ValueError, match="'zz' in document at index 2"):
        vocab.encode_documents([["a"], [], ["a", "zz"]], "error")


def test_not_fitted():
    with pytest.raises(NotFittedError):
        Vocabulary()["a"]


def test_pickle_round_trip():
    vocab = Vocabulary(min_count=1).fit([["a", "b", "b"]])
    again = pickle.loads(pickle.dumps(vocab))
    assert again == vocab and again.stoi_ == vocab.stoi_


@given(corpora)
def test_round_trip_property(docs):
    vocab = Vocabulary().fit(docs)
    for doc in docs:
        assert vocab.lookup_tokens(vocab.lookup_ids(doc)) == list(doc)
    assert len(vocab) == 4 + len({t for d in docs for t in d} - set(SPECIALS))


@given(corpora, st.lists(tokens, max_size=10))
def test_unknown_tokens_map_to_unk_property(docs, query):
    vocab = Vocabulary().fit(docs)
    seen = {t for d in docs for t in d}
    ids = vocab.lookup_ids(query)
    for tok, i in zip(query, ids.tolist(), strict=True):
        assert (i == UNK_ID) == (tok not in seen or tok == UNK)
    assert np.all(ids >= 0)
