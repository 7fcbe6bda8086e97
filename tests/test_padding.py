"""SequencePadder on hand-written cases, and its invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import corpora

from textfeat import PAD_ID, UNK_ID, SequencePadder

DOCS = [["a", "b", "c", "d"], ["b"], []]
# vocabulary: b (2 occurrences) -> 4, then a, c, d -> 5, 6, 7


@pytest.mark.parametrize(
    ("padding", "truncating", "expected"),
    [
        ("post", "post", [[5, 4, 6], [4, 0, 0], [0, 0, 0]]),
        ("post", "pre", [[4, 6, 7], [4, 0, 0], [0, 0, 0]]),
        ("pre", "post", [[5, 4, 6], [0, 0, 4], [0, 0, 0]]),
        ("pre", "pre", [[4, 6, 7], [0, 0, 4], [0, 0, 0]]),
    ],
)
def test_hand_written_padding_and_truncation(padding, truncating, expected):
    pad = SequencePadder(maxlen=3, padding=padding, truncating=truncating)
    assert pad.fit_transform(DOCS).tolist() == expected


def test_boundaries_are_part_of_the_sequence():
    pad = SequencePadder(maxlen=4, add_bos=True, add_eos=True).fit(DOCS)
    assert pad.transform(DOCS).tolist() == [[2, 5, 4, 6], [2, 4, 3, 0], [2, 3, 0, 0]]
    assert pad.lengths(DOCS).tolist() == [4, 3, 2]


def test_default_maxlen_is_longest_sequence_in_fit():
    pad = SequencePadder(add_eos=True).fit(DOCS)
    assert pad.maxlen_ == 5
    assert pad.transform([["a"] * 9]).shape == (1, 5)


def test_unknown_word_gets_unk_id_not_padding_id():
    pad = SequencePadder(maxlen=3).fit(DOCS)
    assert pad.transform([["zz", "a"]]).tolist() == [[UNK_ID, 5, PAD_ID]]
    assert UNK_ID != PAD_ID
    pad.set_params(handle_unknown="ignore")
    assert pad.transform([["zz", "a"]]).tolist() == [[5, 0, 0]]


def test_mask_and_inverse_transform():
    pad = SequencePadder(maxlen=5, add_bos=True).fit(DOCS)
    ids = pad.transform([["d", "zz"], []])
    assert SequencePadder.mask(ids).tolist() == [
        [True, True, True, False, False],
        [True, False, False, False, False],
    ]
    assert pad.inverse_transform(ids) == [["d", "*UNK*"], []]


def test_inverse_transform_rejects_out_of_range_ids():
    pad = SequencePadder().fit(DOCS)
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 8\)"):
        pad.inverse_transform([[0, 99]])


def test_feature_names_and_dtype():
    pad = SequencePadder(maxlen=2, dtype=np.int32).fit(DOCS)
    assert pad.get_feature_names_out().tolist() == ["pos=0", "pos=1"]
    assert pad.transform(DOCS).dtype == np.int32
    with pytest.raises(ValueError, match="'dtype'.*integer"):
        SequencePadder(dtype=float).fit(DOCS)


@settings(max_examples=60, deadline=None)
@given(
    corpora,
    st.integers(1, 15),
    st.sampled_from(["pre", "post"]),
    st.sampled_from(["pre", "post"]),
    st.booleans(),
    st.booleans(),
)
def test_padded_length_and_round_trip_property(docs, maxlen, padding, trunc, bos, eos):
    pad = SequencePadder(
        maxlen=maxlen, padding=padding, truncating=trunc, add_bos=bos, add_eos=eos
    ).fit(docs)
    ids = pad.transform(docs)
    assert ids.shape == (len(docs), maxlen)
    lengths = pad.lengths(docs)
    np.testing.assert_array_equal(SequencePadder.mask(ids).sum(axis=1), lengths)
    for doc, back, n in zip(docs, pad.inverse_transform(ids), lengths, strict=True):
        if len(doc) + bos + eos <= maxlen:
            assert back == list(doc)  # nothing cut: exact round trip
        else:
            assert n == maxlen
