"""The scikit-learn contract, for every public estimator.

Every scikit-learn estimator class exported by ``textfeat.__all__`` is found
automatically and must have an entry in ``FIXTURES`` (fresh estimators and a
small training set of the kind each takes): a new public estimator without
one fails :func:`test_every_public_estimator_has_a_fixture`. Each fixture is
then fitted, saved to a model file and loaded back (also after
``partial_fit`` where the class has it), cloned and pickled, and the numeric
steps go through scikit-learn's own checks. ``TRANSFORMERS`` holds the text
steps, for the checks of the text contract (bare strings, None documents,
empty documents).
"""

from __future__ import annotations

import inspect
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils import estimator_checks as ec

import textfeat
from textfeat import (
    CBOWVectorizer,
    FrequencyScaler,
    OneHotVectorizer,
    PPMIVectors,
    SequencePadder,
    SoftmaxClassifier,
    SpacyTokenizer,
    WindowVectorizer,
    WordDropout,
    WordSignatures,
    WordVectors,
    load_model,
    save_model,
)

TEXTS = ["The cat sat on the mat.", "A dog barked!", "", "Cats and dogs, 42 of them."]
TOKENS = [["the", "cat", "sat"], ["a", "dog", "barked", "the"], [], ["cats", "42"]]

TRANSFORMERS = [
    (SpacyTokenizer(attr="lower"), TEXTS),
    (WordSignatures(min_count=2), TOKENS),
    (WordSignatures(scheme="berkeley"), TOKENS),
    (WordDropout(alpha=1.0, random_state=0), TOKENS),
    (OneHotVectorizer(binary=False), TOKENS),
    (SequencePadder(maxlen=5, add_bos=True), TOKENS),
    (WindowVectorizer(window=1, attributes=["lower", "suffix2"]), TOKENS),
    (
        CBOWVectorizer(
            vectors=WordVectors(
                ["the", "cat", "dog"], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
            )
        ),
        TOKENS,
    ),
]
IDS = [type(est).__name__ + str(i) for i, (est, _) in enumerate(TRANSFORMERS)]

# scikit-learn's checks that need no data (the others feed 2-d numeric arrays,
# which text steps do not take: their tags say input is text, not a matrix).
DATA_FREE_CHECKS = [
    ec.check_estimator_cloneable,
    ec.check_estimator_tags_renamed,
    ec.check_valid_tag_types,
    ec.check_estimator_repr,
    ec.check_no_attributes_set_in_init,
    ec.check_do_not_raise_errors_in_init_or_set_params,
    ec.check_mixin_order,
    ec.check_parameters_default_constructible,
    ec.check_get_params_invariance,
    ec.check_set_params,
]


def _same(a, b):
    if sp.issparse(a):
        return sp.issparse(b) and (a != b).nnz == 0 and a.shape == b.shape
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_sklearn_data_free_checks(est, data, check):
    check(type(est).__name__, clone(est))


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_fit_returns_self(est, data):
    est = clone(est)
    assert est.fit(data) is est


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_not_fitted_error_or_stateless(est, data):
    est = clone(est)
    if est.__sklearn_tags__().requires_fit:
        with pytest.raises(NotFittedError):
            est.transform(data)
    else:  # stateless: transform works unfitted and gives what fit would
        assert _same(est.transform(data), clone(est).fit(data).transform(data))


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_pickle_round_trip_gives_equal_output(est, data):
    est = clone(est).fit(data)
    again = pickle.loads(pickle.dumps(est))
    assert _same(est.transform(data), again.transform(data))


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_clone_keeps_parameters(est, data):
    fitted = clone(est).fit(data)
    copy = clone(fitted)
    assert copy.get_params() == est.get_params()
    assert not any(k.endswith("_") for k in vars(copy))


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_bare_string_is_rejected(est, data):
    est = clone(est)
    with pytest.raises(TypeError, match="single str"):
        est.fit("a lone string")
    est.fit(data)
    with pytest.raises(TypeError, match="single str"):
        est.transform("a lone string")


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_none_document_names_its_index(est, data):
    est = clone(est)
    with pytest.raises(TypeError, match="document at index 2 is NoneType"):
        est.fit([data[0], data[1], None])


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_empty_corpus_cannot_be_fitted(est, data):
    with pytest.raises(ValueError, match="no (documents|tokens)"):
        clone(est).fit([])


@pytest.mark.parametrize(("est", "data"), TRANSFORMERS, ids=IDS)
def test_empty_documents_are_valid(est, data):
    est = clone(est).fit(data)
    out = est.transform([data[0], data[2]])  # data[2] is empty
    if isinstance(est, WindowVectorizer):  # one row per token: none for []
        assert out.shape[0] == len(data[0])
    elif sp.issparse(out):
        assert out.shape[0] == 2 and out[1].nnz == 0
    elif isinstance(out, np.ndarray) and out.dtype.kind in "iu":  # id matrix
        boundaries = int(getattr(est, "add_bos", 0)) + int(getattr(est, "add_eos", 0))
        assert (out[1] != 0).sum() == boundaries
    elif isinstance(out, np.ndarray):  # dense features: a zero row, never NaN
        assert not out[1].any()
    else:
        assert len(out) == 2 and out[1] == []


# --------------------------------------------------------------------------
# every public estimator, found automatically
# --------------------------------------------------------------------------


def public_estimators() -> list[type]:
    """The scikit-learn estimator classes of ``textfeat.__all__``."""
    found = (getattr(textfeat, name) for name in textfeat.__all__)
    return sorted(
        {
            obj
            for obj in found
            if isinstance(obj, type) and issubclass(obj, BaseEstimator)
        },
        key=lambda cls: cls.__name__,
    )


@dataclass
class Case:
    """A fresh estimator, its training data, and what to compare after a trip."""

    est: Any
    X: Any
    y: Any = None

    def output(self, fitted: Any) -> list[Any]:
        """Everything the fitted estimator computes from ``X``."""
        if isinstance(fitted, PPMIVectors):  # no transform: its vectors are the output
            return [fitted.vectors_.words, fitted.vectors_.vectors]
        names = ("transform", "predict", "predict_proba", "decision_function")
        return [getattr(fitted, m)(self.X) for m in names if hasattr(fitted, m)]

    def fit(self) -> Any:
        est = clone(self.est)
        return est.fit(self.X) if self.y is None else est.fit(self.X, self.y)


_NUMERIC_X = sp.random(40, 12, density=0.3, random_state=0, format="csr")
_NUMERIC_Y = np.array(["a", "b", "c", "b"] * 10)

#: One or more cases per public estimator class; a class missing here fails.
FIXTURES: dict[type, list[Case]] = {}
for _est, _data in TRANSFORMERS:
    FIXTURES.setdefault(type(_est), []).append(Case(_est, _data))
FIXTURES[PPMIVectors] = [
    Case(PPMIVectors(dim=2, window=1, min_count=1, random_state=0), TOKENS * 3)
]
FIXTURES[FrequencyScaler] = [Case(FrequencyScaler(power=0.5), _NUMERIC_X)]
FIXTURES[SoftmaxClassifier] = [
    Case(SoftmaxClassifier(C=10.0), _NUMERIC_X, _NUMERIC_Y),
    Case(SoftmaxClassifier(), _NUMERIC_X.toarray(), _NUMERIC_Y == "a"),
    Case(
        SoftmaxClassifier(batch_size=8, random_state=0, fit_intercept=False),
        _NUMERIC_X,
        _NUMERIC_Y,
    ),
]
CASES = [(cls, case) for cls in FIXTURES for case in FIXTURES[cls]]
CASE_IDS = [f"{cls.__name__}{i}" for i, (cls, _) in enumerate(CASES)]
PARTIAL = [(cls, case) for cls, case in CASES if hasattr(cls, "partial_fit")]
PARTIAL_IDS = [f"{cls.__name__}{i}" for i, (cls, _) in enumerate(PARTIAL)]
# continuing a stream is reproducible only with a seed (None draws from numpy's
# global generator)
SEEDED = [
    (c, case)
    for c, case in PARTIAL
    if isinstance(getattr(case.est, "random_state", None), int)
]


def _classes(est: Any, y: Any) -> dict[str, Any]:
    """``classes=`` for a classifier's partial_fit; nothing for a counting step."""
    takes = "classes" in inspect.signature(est.partial_fit).parameters
    return {"classes": np.unique(y)} if takes else {}


def _all_same(a: list[Any], b: list[Any]) -> bool:
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))


def _trip(est: Any, tmp_path: Path) -> Any:
    return load_model(save_model(est, tmp_path / "model.tfm"))


def test_every_public_estimator_has_a_fixture():
    missing = [cls.__name__ for cls in public_estimators() if cls not in FIXTURES]
    assert not missing, f"add a contract fixture (FIXTURES) for {missing}"
    stale = [cls.__name__ for cls in FIXTURES if cls not in public_estimators()]
    assert not stale, f"FIXTURES names classes that are not public: {stale}"


def test_discovery_finds_the_known_estimators():
    # An oracle for the walk itself: the estimators the README's table lists.
    names = {cls.__name__ for cls in public_estimators()}
    assert {"SoftmaxClassifier", "FrequencyScaler", "OneHotVectorizer"} <= names
    assert "WordVectors" not in names  # a value class, not an estimator


@pytest.mark.parametrize(("cls", "case"), CASES, ids=CASE_IDS)
def test_model_file_round_trip_gives_identical_output(cls, case, tmp_path):
    fitted = case.fit()
    again = _trip(fitted, tmp_path)
    assert type(again) is cls
    assert _all_same(case.output(again), case.output(fitted))


@pytest.mark.parametrize(("cls", "case"), PARTIAL, ids=PARTIAL_IDS)
def test_model_file_round_trip_after_partial_fit(cls, case, tmp_path):
    est = clone(case.est)
    for _ in range(2):
        est.partial_fit(case.X, case.y, **_classes(est, case.y))
    again = _trip(est, tmp_path)
    assert _all_same(case.output(again), case.output(est))


@pytest.mark.parametrize(
    ("cls", "case"), SEEDED, ids=lambda v: getattr(v, "__name__", "")
)
def test_partial_fit_continues_identically_after_a_round_trip(cls, case, tmp_path):
    # The loaded model takes the same steps (same shuffle, same optimizer
    # state) as the one that was never saved.
    est = clone(case.est)
    est.partial_fit(case.X, case.y, **_classes(est, case.y))
    again = _trip(est, tmp_path)
    est.partial_fit(case.X, case.y)
    again.partial_fit(case.X, case.y)
    assert _all_same(case.output(again), case.output(est))


@pytest.mark.parametrize(("cls", "case"), PARTIAL, ids=PARTIAL_IDS)
def test_partial_fit_after_fit_round_trips(cls, case, tmp_path):
    est = case.fit().partial_fit(case.X, case.y)
    assert _all_same(case.output(_trip(est, tmp_path)), case.output(est))


@pytest.mark.parametrize(("cls", "case"), CASES, ids=CASE_IDS)
def test_pickle_gives_identical_output(cls, case):
    fitted = case.fit()
    assert _all_same(
        case.output(pickle.loads(pickle.dumps(fitted))), case.output(fitted)
    )


@pytest.mark.parametrize(("cls", "case"), CASES, ids=CASE_IDS)
def test_clone_of_fitted_keeps_parameters_only(cls, case):
    copy = clone(case.fit())
    assert copy.get_params() == case.est.get_params()
    assert not any(k.endswith("_") and not k.startswith("__") for k in vars(copy))


#: Steps that take documents or token lists, not a numeric matrix.
TEXT_STEPS = {type(est) for est, _ in TRANSFORMERS} | {PPMIVectors}


def _says_text(cls: type) -> bool:
    return cls().__sklearn_tags__().input_tags.string


NUMERIC = [
    cls()
    for cls in public_estimators()
    if not _says_text(cls) and cls not in TEXT_STEPS
]


@pytest.mark.parametrize(
    "cls",
    [
        cls
        for cls in sorted(TEXT_STEPS, key=lambda c: c.__name__)
    ],
    ids=lambda c: c.__name__,
)
def test_text_steps_declare_string_input(cls):
    # Their tags keep scikit-learn's numeric checks (and check_array) away.
    assert _says_text(cls)


@ec.parametrize_with_checks(NUMERIC)
def test_numeric_steps_pass_sklearn_checks(estimator, check):
    # check_non_transformer_estimators_n_iter fits unscaled iris with the
    # default max_iter=100, which does not converge (LogisticRegression warns
    # the same way); the check only reads n_iter_, so the warning is expected.
    with warnings.catch_warnings():
        if check.func.__name__ == "check_non_transformer_estimators_n_iter":
            warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


# --------------------------------------------------------------------------
# model files written before the head/ and info/ packages
# --------------------------------------------------------------------------

OLD_NAMES = {
    "textfeat.head.classifier.SoftmaxClassifier": "textfeat.softmax.SoftmaxClassifier",
    "textfeat.head.scaling.FrequencyScaler": "textfeat.scaling.FrequencyScaler",
    "textfeat.info.scoring.mutual_info": "textfeat.scoring.mutual_info",
    "textfeat.info.scoring.entropy": "textfeat.scoring.entropy",
    "textfeat.info.scoring.conditional_entropy": "textfeat.scoring.conditional_entropy",
}


def _with_old_names(data: bytes) -> bytes:
    """``data`` as the code before the move wrote it: old names, valid checksums."""
    import hashlib
    import io
    import json
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    body = src.read("model.json").decode()
    for new, old in OLD_NAMES.items():
        body = body.replace(f'"{new}"', f'"{old}"')
    header = json.loads(src.read("header.json"))
    header["sha256"]["model.json"] = hashlib.sha256(body.encode()).hexdigest()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in src.namelist():
            member = src.read(name)
            if name == "model.json":
                member = body.encode()
            elif name == "header.json":
                member = json.dumps(header).encode()
            zf.writestr(name, member)
    return out.getvalue()


def test_model_file_with_names_from_before_the_move_loads():
    import io
    import zipfile

    from sklearn.feature_selection import SelectKBest
    from sklearn.pipeline import FeatureUnion, make_pipeline

    from textfeat.persist import dumps, loads
    from textfeat.scoring import conditional_entropy, entropy, mutual_info

    X, y = _NUMERIC_X, _NUMERIC_Y
    selected = FeatureUnion(
        [
            ("mi", SelectKBest(mutual_info, k=4)),
            ("hc", SelectKBest(conditional_entropy, k=2)),
        ]
    )
    pipe = make_pipeline(FrequencyScaler(), selected, SoftmaxClassifier(C=10.0)).fit(
        X, y
    )
    unfitted = SelectKBest(entropy)  # entropy(X) takes no y: not for fitting here
    old = _with_old_names(dumps(pipe))
    body = zipfile.ZipFile(io.BytesIO(old)).read("model.json").decode()
    assert "textfeat.head." not in body and "textfeat.info." not in body  # not a no-op
    model = loads(old)
    assert np.array_equal(model.predict_proba(X), pipe.predict_proba(X))
    scorers = [s.score_func for _, s in model[1].transformer_list]
    assert scorers == [mutual_info, conditional_entropy]
    assert dumps(model) == dumps(pipe)  # saved again under the new names
    assert loads(_with_old_names(dumps(unfitted))).score_func is entropy
