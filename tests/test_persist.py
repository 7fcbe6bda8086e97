"""Safe model files: round trip, and refusal of tampered or foreign files."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from textfeat import OneHotVectorizer, SpacyTokenizer, WordDropout, WordSignatures
from textfeat.persist import ModelFileError, dumps, load, loads, save
from textfeat.softmax import SoftmaxClassifier

TEXTS = ["the cat sat", "a dog ran", "the dog sat down", "a cat ran off"] * 3
LABELS = ["c", "d", "d", "c"] * 3


@pytest.fixture(params=[LogisticRegression, SoftmaxClassifier])
def fitted(request: pytest.FixtureRequest):
    return make_pipeline(
        SpacyTokenizer(attr="lower"),
        WordSignatures(min_count=2),
        WordDropout(random_state=0),
        OneHotVectorizer(),
        request.param(),
    ).fit(TEXTS, LABELS)


def test_round_trip_predicts_the_same(fitted, tmp_path: Path) -> None:
    path = save(fitted, tmp_path / "m.tfm")
    model = load(path)
    new = ["the cat ran", "an emu"]
    assert np.array_equal(model.predict_proba(new), fitted.predict_proba(new))
    assert model[2].seed_ == fitted[2].seed_
    assert dumps(model) == dumps(fitted)  # same bytes: nothing lost or reordered


def _rewrite(data: bytes, member: str, new: bytes, fix_checksum: bool) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    header = json.loads(src.read("header.json"))
    if fix_checksum:
        import hashlib

        header["sha256"][member] = hashlib.sha256(new).hexdigest()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in src.namelist():
            body = src.read(name)
            if name == member:
                body = new
            elif name == "header.json":
                body = json.dumps(header).encode()
            zf.writestr(name, body)
    return out.getvalue()


def test_tampered_member_is_refused(fitted) -> None:
    data = dumps(fitted)
    body = zipfile.ZipFile(io.BytesIO(data)).read("model.json")
    bad = _rewrite(data, "model.json", body.replace(b'"C": ', b'"C": 1'), False)
    with pytest.raises(ModelFileError, match="checksum mismatch in model.json"):
        loads(bad)


def test_untrusted_class_is_refused_without_running_it(fitted) -> None:
    data = dumps(fitted)
    body = zipfile.ZipFile(io.BytesIO(data)).read("model.json")
    evil = body.replace(b'"textfeat.OneHotVectorizer"', b'"os.system"')
    bad = _rewrite(data, "model.json", evil, fix_checksum=True)
    with pytest.raises(ModelFileError, match="refuses to load 'os.system'"):
        loads(bad)
    evil = body.replace(b'"textfeat.OneHotVectorizer"', b'"textfeat.persist._io"')
    with pytest.raises(ModelFileError, match="not on the allow-list"):
        loads(_rewrite(data, "model.json", evil, fix_checksum=True))


def test_pickle_and_object_arrays_are_refused(fitted, tmp_path: Path) -> None:
    p = tmp_path / "m.pkl"
    p.write_bytes(pickle.dumps(fitted))
    with pytest.raises(ModelFileError, match="not a textfeat model file"):
        load(p)
    data = dumps(fitted)
    src = zipfile.ZipFile(io.BytesIO(data))
    member = next(n for n in src.namelist() if n.startswith("arrays/"))
    buf = io.BytesIO()
    np.save(buf, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ModelFileError, match="refused"):
        loads(_rewrite(data, member, buf.getvalue(), fix_checksum=True))


def test_foreign_zip_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ModelFileError, match="no header.json"):
        loads(buf.getvalue(), where="x.zip")


def test_unsaveable_objects_are_refused_at_save() -> None:
    pipe = make_pipeline(SpacyTokenizer(), WordSignatures(scheme=lambda w: "*X*"))
    pipe.fit(TEXTS)
    with pytest.raises(ValueError, match="cannot save the function"):
        dumps(pipe)
    drop = WordDropout(random_state=np.random.RandomState(0))
    with pytest.raises(ValueError, match="RandomState"):
        dumps(drop)


def _saved_keys(model) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(dumps(model))) as zf:
        return sorted(json.loads(zf.read("model.json"))["state"])


def test_file_holds_parameters_and_learned_state_not_other_attributes() -> None:
    vec = OneHotVectorizer().fit([["a", "b"]])
    vec._lookup = {"a": 4}  # a cache-like private attribute
    vec.note = "set by a user"  # neither a parameter nor learned state
    assert _saved_keys(vec) == sorted([*vec.get_params(), "vocabulary_"])


def test_file_holds_the_private_state_partial_fit_continues_from() -> None:
    clf = SoftmaxClassifier(random_state=0)
    clf.partial_fit(np.eye(3), [0, 1, 2], classes=[0, 1, 2])
    keys = _saved_keys(clf)
    assert {"_adagrad", "_seen", "_rng_state"} <= set(keys)
    assert [k for k in keys if k.startswith("_")] == ["_adagrad", "_rng_state", "_seen"]


# -- ColumnTransformer, FeatureUnion and a search's best pipeline --------------
def _frame():
    import pandas as pd

    return pd.DataFrame({"text": TEXTS, "n": np.arange(len(TEXTS), dtype=float)})


def _column_pipeline():
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    text = Pipeline([("tok", SpacyTokenizer()), ("onehot", OneHotVectorizer())])
    columns = ColumnTransformer([("text", text, "text"), ("n", StandardScaler(), ["n"])])
    return Pipeline([("columns", columns), ("clf", SoftmaxClassifier())])


def test_column_transformer_pipeline_round_trips(tmp_path: Path) -> None:
    df = _frame()
    fitted = _column_pipeline().fit(df, LABELS)
    model = load(save(fitted, tmp_path / "m.tfm"))
    assert np.array_equal(model.predict_proba(df), fitted.predict_proba(df))
    assert model[0].output_indices_ == fitted[0].output_indices_  # slices kept
    assert dumps(model) == dumps(fitted)


def test_best_estimator_of_a_grid_search_round_trips(tmp_path: Path) -> None:
    from sklearn.model_selection import GridSearchCV

    df = _frame()
    search = GridSearchCV(_column_pipeline(), {"clf__C": [0.5, 2.0]}, cv=2)
    search.fit(df, LABELS)
    model = load(save(search.best_estimator_, tmp_path / "m.tfm"))
    assert np.array_equal(model.predict_proba(df), search.predict_proba(df))


def test_feature_union_of_text_steps_round_trips() -> None:
    from sklearn.pipeline import FeatureUnion

    union = FeatureUnion(
        [
            ("words", OneHotVectorizer()),
            ("shapes", make_pipeline(WordSignatures(), OneHotVectorizer())),
        ]
    )
    fitted = make_pipeline(SpacyTokenizer(), union, SoftmaxClassifier())
    fitted.fit(TEXTS, LABELS)
    model = loads(dumps(fitted))
    assert np.array_equal(model.predict_proba(TEXTS), fitted.predict_proba(TEXTS))


@pytest.mark.parametrize("how", ["lambda", "make_column_selector"])
def test_callable_column_selector_is_refused_at_save(how) -> None:
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.preprocessing import StandardScaler

    selector = (lambda df: ["n"]) if how == "lambda" else make_column_selector("n")
    ct = ColumnTransformer([("n", StandardScaler(), selector)]).fit(_frame())
    with pytest.raises(ValueError, match="cannot save"):
        dumps(ct)


def test_load_warms_up_the_tokenizers_of_the_model(tmp_path, monkeypatch):
    # The first predict after load_model costs what a later one does: loading
    # builds each tokenizer's spaCy pipeline, nested steps included.
    from sklearn.pipeline import FeatureUnion, make_pipeline

    import textfeat.text.tokenize as tk
    from textfeat import OneHotVectorizer, SpacyTokenizer, load_model, save_model

    model = FeatureUnion(
        [
            ("a", make_pipeline(SpacyTokenizer(lang="en"), OneHotVectorizer())),
            ("b", make_pipeline(SpacyTokenizer(lang="fr"), OneHotVectorizer())),
        ]
    ).fit(["a cat", "un chat"])
    path = save_model(model, tmp_path / "m.tfm")
    monkeypatch.setattr(tk, "_ENGINES", {})
    load_model(path)
    assert sorted(tk._ENGINES) == ["en", "fr"]
