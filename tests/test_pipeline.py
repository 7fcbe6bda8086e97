"""Text steps inside scikit-learn's Pipeline, model selection and set_output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd  # a declared test dependency: missing it is a failure
import pytest
from sklearn import config_context
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from textfeat import (
    OneHotVectorizer,
    SequencePadder,
    SpacyTokenizer,
    WordDropout,
    WordSignatures,
)
from textfeat.corpus import load_jsonl

TOPICS = Path(__file__).resolve().parent.parent / "corpora" / "topics.jsonl"


@pytest.fixture(scope="module")
def topics():
    texts, labels, _ = load_jsonl(TOPICS)
    return texts, np.asarray(labels)


def make():
    return make_pipeline(
        SpacyTokenizer(attr="lower"),
        WordSignatures(min_count=2),
        OneHotVectorizer(),
        LogisticRegression(max_iter=1000),
    )


def test_pipeline_equals_steps_run_by_hand(topics):
    texts, y = topics
    pipe = make().fit(texts[:300], y[:300])
    tokens = SpacyTokenizer(attr="lower").transform(texts)
    sig = WordSignatures(min_count=2).fit(tokens[:300])
    vec = OneHotVectorizer().fit(sig.transform(tokens[:300]))
    clf = LogisticRegression(max_iter=1000).fit(
        vec.transform(sig.transform(tokens[:300])), y[:300]
    )
    expected = clf.predict_proba(vec.transform(sig.transform(tokens[300:])))
    np.testing.assert_allclose(pipe.predict_proba(texts[300:]), expected)
    assert pipe.score(texts[300:], y[300:]) > 0.9


def test_cross_val_score(topics):
    texts, y = topics
    scores = cross_val_score(make(), texts, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9


def test_grid_search_in_two_processes_matches_one(topics):
    texts, y = topics
    grid = {
        "wordsignatures__min_count": [1, 3],
        "onehotvectorizer__binary": [True, False],
    }
    one = GridSearchCV(make(), grid, cv=3, n_jobs=1).fit(texts, y)
    two = GridSearchCV(make(), grid, cv=3, n_jobs=2).fit(texts, y)
    np.testing.assert_allclose(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )
    assert one.best_params_ == two.best_params_


def test_dropout_in_a_pipeline_only_touches_training_data(topics):
    texts, _y = topics
    pipe = make_pipeline(
        SpacyTokenizer(attr="lower"),
        WordDropout(mode="bernoulli", p=0.5, random_state=0),
        OneHotVectorizer(),
    )
    pipe.fit(texts)
    drop = pipe.named_steps["worddropout"]
    assert 0.4 < drop.drop_rate_ < 0.6
    # transform (as in predict) encodes the clean tokens, not dropped ones
    tokens = SpacyTokenizer(attr="lower").transform(texts)
    vec = pipe.named_steps["onehotvectorizer"]
    clean = vec.transform(tokens)
    assert (pipe.transform(texts) != clean).nnz == 0
    assert (vec.transform(drop.corrupt(tokens)) != clean).nnz > 0


def test_pipeline_feature_names_pass_through_text_steps(topics):
    texts, _ = topics
    pipe = make()[:-1].fit(texts)
    names = pipe.get_feature_names_out()
    assert names[:4].tolist() == ["tok=*PAD*", "tok=*UNK*", "tok=*S*", "tok=*/S*"]
    assert "tok=*NUM*" in names and "tok=the" in names
    assert len(names) == pipe.transform(texts[:1]).shape[1]


def test_set_output_pandas_on_a_padder_pipeline(topics):
    texts, _ = topics
    pipe = make_pipeline(SpacyTokenizer(), SequencePadder(maxlen=6))
    pipe.set_output(transform="pandas")
    out = pipe.fit_transform(texts[:5])
    assert isinstance(out, pd.DataFrame)
    assert out.columns.tolist() == [f"pos={i}" for i in range(6)]
    np.testing.assert_array_equal(
        out.to_numpy(),
        pipe.named_steps["sequencepadder"].transform(
            SpacyTokenizer().transform(texts[:5])
        ),
    )


def test_global_pandas_output_leaves_token_lists_alone(topics):
    _texts, _ = topics
    with config_context(transform_output="pandas"):
        assert SpacyTokenizer().transform(["a b"]) == [["a", "b"]]
        assert WordSignatures().fit([["a", "a"]]).transform([["a", "b"]]) == [
            ["a", "*UNK*"]
        ]
