"""Look-up tables that steps derive from fitted state: rebuilt when fit changes
it, shared between calls, and never part of a model file.

(The speed itself is measured by benchmarks/bench_throughput.py, never in a
test.)
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from textfeat import (
    CBOWVectorizer,
    OneHotVectorizer,
    SpacyTokenizer,
    WordSignatures,
    persist,
)
from textfeat.vectors import WordVectors
from textfeat.windows import Tokens, WindowVectorizer

TEXTS = [
    "The cat sat on the mat.",
    "A dog barked at 3 cats!",
    "Walking dogs is fun, said Jane.",
    "Cats and dogs: 42 of them.",
]
LABELS = [0, 1, 0, 1]


def _vectors(handle_unknown: str = "mean") -> WordVectors:
    return WordVectors(
        ["cat", "dog", "*S*"],
        [[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]],
        handle_unknown=handle_unknown,
    )


@pytest.mark.parametrize(
    "steps",
    [
        lambda: [SpacyTokenizer(attr="lower"), WordSignatures(min_count=2)],
        lambda: [SpacyTokenizer(), WordSignatures(scheme="berkeley")],
        lambda: [
            SpacyTokenizer(attr="lower"),
            CBOWVectorizer(_vectors(), average_over="all"),
        ],
    ],
    ids=["goldberg", "berkeley", "cbow"],
)
def test_model_file_is_the_same_before_and_after_transforms(steps):
    head = steps()
    pipe = make_pipeline(*head, OneHotVectorizer(), LogisticRegression())
    if isinstance(head[-1], CBOWVectorizer):
        pipe = make_pipeline(*head, LogisticRegression())
    pipe.fit(TEXTS, LABELS)
    before = persist.dumps(pipe)
    pipe.predict([*TEXTS, "Unseen words: flirting, 1,024 Zorks."])
    pipe.predict(["More text"])
    assert persist.dumps(pipe) == before


def test_word_vectors_tables_stay_out_of_the_object_and_the_file():
    wv = _vectors()
    before = persist.dumps(wv)
    wv.lookup(["cat", "emu"])
    wv.most_similar("cat", topn=1)
    assert persist.dumps(wv) == before
    assert all(not k.startswith("_") for k in vars(wv))


def test_unknown_vector_follows_a_changed_policy():
    wv = _vectors("mean")
    np.testing.assert_allclose(wv["emu"], [2.0, 7.0 / 3.0])
    wv.handle_unknown = "zero"
    np.testing.assert_array_equal(wv["emu"], [0.0, 0.0])
    np.testing.assert_array_equal(wv.lookup(["emu"]), [[0.0, 0.0]])


def test_unknown_vector_returned_by_getitem_is_a_copy():
    wv = _vectors("mean")
    v = wv["emu"]
    v += 100.0
    np.testing.assert_allclose(wv["emu"], [2.0, 7.0 / 3.0])


def test_signatures_after_a_new_fit_use_the_new_known_words():
    sig = WordSignatures(min_count=1).fit([["walking"]])
    assert sig.transform([["walking", "talking"]]) == [["walking", "*__ING*"]]
    sig.fit([["talking"]])
    fresh = WordSignatures(min_count=1).fit([["talking"]])
    expected = fresh.transform([["walking", "talking"]])
    assert expected == [["*__ING*", "talking"]]
    assert sig.transform([["walking", "talking"]]) == expected


def test_berkeley_known_lower_follows_a_new_fit():
    sig = WordSignatures(scheme="berkeley", min_count=1).fit([["houses"]])
    assert sig.transform([["Houses"]]) == [["UNK-INITC-KNOWNLC-s"]]
    sig.fit([["cars"]])
    assert sig.transform([["Houses"]]) == [["UNK-INITC-s"]]


def test_custom_signature_scheme_is_called_on_every_transform():
    calls = []

    def scheme(word: str) -> str:
        calls.append(word)
        return "*X*"

    sig = WordSignatures(min_count=1, scheme=scheme).fit([["a"]])
    sig.transform([["zz"]])
    sig.transform([["zz"]])
    assert calls == ["zz", "zz"]


def test_window_ids_after_a_new_fit_equal_a_fresh_vectorizers():
    first = [["the", "cat", "sat"]]
    second = [["a", "dog", "ran", "the"]]
    vec = WindowVectorizer(window=1, attributes=["lower", "suffix2"])
    vec.fit(first).transform(second)  # fills the word tables
    vec.fit(second)
    fresh = WindowVectorizer(window=1, attributes=["lower", "suffix2"]).fit(second)
    assert (vec.transform(second) != fresh.transform(second)).nnz == 0


def test_window_ids_follow_new_attributes_after_refit():
    sents = [["Walking", "dogs"], ["cats", "ran"]]
    vec = WindowVectorizer(window=0, attributes=["lower"]).fit(sents)
    vec.transform(sents)
    vec.set_params(attributes=["shape"]).fit(sents)
    fresh = WindowVectorizer(window=0, attributes=["shape"]).fit(sents)
    assert list(vec.get_feature_names_out()) == list(fresh.get_feature_names_out())
    assert (vec.transform(sents) != fresh.transform(sents)).nnz == 0


def test_dense_window_rows_follow_new_vectors():
    sents = Tokens([["cat", "dog", "emu"]])
    vec = WindowVectorizer(
        window=0, attributes=["lower"], representation="dense", vectors=_vectors("zero")
    ).fit(sents)
    np.testing.assert_array_equal(vec.transform(sents)[:, 0], [1.0, 0.0, 0.0])
    other = WordVectors(["emu"], [[9.0, 9.0]])
    vec.set_params(vectors=other).fit(sents)
    np.testing.assert_array_equal(vec.transform(sents)[:, 0], [0.0, 0.0, 9.0])


def test_cbow_all_average_uses_the_current_unknown_vector():
    wv = _vectors("mean")
    cbow = CBOWVectorizer(wv, average_over="all").fit([["cat"]])
    np.testing.assert_allclose(cbow.transform([["emu"]]), [[2.0, 7.0 / 3.0]])
    wv.handle_unknown = "zero"
    np.testing.assert_array_equal(cbow.transform([["emu"]]), [[0.0, 0.0]])


_FIRST_PREDICT = """
import importlib.metadata, sys
from textfeat import load_model
model = load_model(sys.argv[1])
def refuse(*args, **kwargs):
    raise AssertionError("the first predict read package metadata")
importlib.metadata.entry_points = refuse
print(model.predict(sys.argv[2:]).tolist())
"""


def test_first_predict_after_load_reads_no_package_metadata(tmp_path):
    # scikit-learn's first input check asks narwhals for its plugins, which
    # reads every installed package's metadata: load_model does it instead.
    import subprocess
    import sys

    pipe = make_pipeline(SpacyTokenizer(), OneHotVectorizer(), LogisticRegression())
    pipe.fit(TEXTS, LABELS)
    path = persist.save(pipe, tmp_path / "m.tfm")
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_PREDICT, str(path), *TEXTS[:2]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(pipe.predict(TEXTS[:2]).tolist())
