"""One unknown-word policy: one value set, one exception type, in every component."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from textfeat import (
    CBOWVectorizer,
    OneHotVectorizer,
    SequencePadder,
    UnknownWordError,
    Vocabulary,
    WindowVectorizer,
    WordVectors,
)
from textfeat._compat import InvalidParameterError
from textfeat.text._unknown import ID_POLICIES, UNKNOWN_POLICIES, VECTOR_POLICIES

TRAIN = [["a", "b"], ["b", "c"]]
VECTORS = WordVectors(["a", "b", "c"], np.eye(3))


def _raise_for_unknown(component: str) -> None:
    """Meet the unknown word 'zz' with handle_unknown='error' in ``component``."""
    strict = VECTORS.with_unknown("error")
    calls = {
        "Vocabulary": lambda: Vocabulary().fit(TRAIN).lookup_ids(["a", "zz"], "error"),
        "encode_documents": lambda: Vocabulary().fit(TRAIN).encode_documents(
            [["a"], ["zz"]], "error"
        ),
        "OneHotVectorizer": lambda: OneHotVectorizer(handle_unknown="error")
        .fit(TRAIN)
        .transform([["a"], ["zz"]]),
        "SequencePadder": lambda: SequencePadder(handle_unknown="error")
        .fit(TRAIN)
        .transform([["a"], ["zz"]]),
        "WindowVectorizer": lambda: WindowVectorizer(window=0, handle_unknown="error")
        .fit(TRAIN)
        .transform([["zz"]]),
        "WindowVectorizer-dense": lambda: WindowVectorizer(
            window=0, representation="dense", vectors=strict
        )
        .fit(TRAIN)
        .transform([["zz"]]),
        "WordVectors.lookup": lambda: strict.lookup(["a", "zz"]),
        "WordVectors[]": lambda: strict["zz"],
        "CBOWVectorizer": lambda: CBOWVectorizer(vectors=strict, average_over="all")
        .fit(TRAIN)
        .transform([["a"], ["zz"]]),
    }
    calls[component]()


COMPONENTS = [
    "Vocabulary",
    "encode_documents",
    "OneHotVectorizer",
    "SequencePadder",
    "WindowVectorizer",
    "WindowVectorizer-dense",
    "WordVectors.lookup",
    "WordVectors[]",
    "CBOWVectorizer",
]


@pytest.mark.parametrize("component", COMPONENTS)
def test_unknown_word_raises_one_exception_type_everywhere(component: str) -> None:
    with pytest.raises(UnknownWordError) as info:
        _raise_for_unknown(component)
    assert info.value.word == "zz"


@pytest.mark.parametrize("component", COMPONENTS)
def test_unknown_word_error_is_both_key_and_value_error(component: str) -> None:
    for kind in (KeyError, ValueError):
        with pytest.raises(kind):
            _raise_for_unknown(component)


@pytest.mark.parametrize("component", COMPONENTS)
def test_unknown_word_message_names_the_word_and_the_parameter(component: str) -> None:
    with pytest.raises(UnknownWordError, match=r"'zz'.*handle_unknown='error'"):
        _raise_for_unknown(component)


def test_unknown_word_message_names_the_document() -> None:
    with pytest.raises(UnknownWordError, match="in document at index 1"):
        _raise_for_unknown("OneHotVectorizer")


def test_unknown_word_message_is_not_quoted_like_a_key_error() -> None:
    with pytest.raises(UnknownWordError) as info:
        _raise_for_unknown("WordVectors.lookup")
    assert str(info.value).startswith("unknown token 'zz'")


def test_unknown_word_error_pickles() -> None:
    with pytest.raises(UnknownWordError) as info:
        _raise_for_unknown("Vocabulary")
    back = pickle.loads(pickle.dumps(info.value))
    assert (type(back), str(back), back.word) == (
        UnknownWordError,
        str(info.value),
        "zz",
    )


def test_one_value_set_id_components_take_a_subset() -> None:
    assert set(ID_POLICIES) < set(UNKNOWN_POLICIES) == set(VECTOR_POLICIES)
    assert set(UNKNOWN_POLICIES) - set(ID_POLICIES) == {"zero", "mean"}


@pytest.mark.parametrize("policy", ID_POLICIES)
@pytest.mark.parametrize("step", [OneHotVectorizer, SequencePadder, WindowVectorizer])
def test_id_components_accept_every_id_policy(step: type, policy: str) -> None:
    step(handle_unknown=policy).fit(TRAIN)


@pytest.mark.parametrize("policy", ["zero", "mean", "drop"])
@pytest.mark.parametrize("step", [OneHotVectorizer, SequencePadder, WindowVectorizer])
def test_id_components_refuse_vector_only_policies_naming_the_parameter(
    step: type, policy: str
) -> None:
    with pytest.raises(InvalidParameterError, match="handle_unknown"):
        step(handle_unknown=policy).fit(TRAIN)


@pytest.mark.parametrize("policy", [p for p in VECTOR_POLICIES if p != "unk"])
def test_word_vectors_accept_every_vector_policy(policy: str) -> None:
    assert WordVectors(["a"], [[1.0]], handle_unknown=policy).handle_unknown == policy


def test_word_vectors_refuse_an_unknown_policy_naming_the_parameter() -> None:
    with pytest.raises(ValueError, match="'handle_unknown'.*'drop'"):
        WordVectors(["a"], [[1.0]], handle_unknown="drop")
