"""The pipeline config (issue 16): ``textfeat steps``, errors that name the file,
line, step and parameter, and the README's config example.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path

import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from typer.testing import CliRunner

import textfeat
from textfeat._cli_steps import describe_step, describe_steps
from textfeat.cli import app
from textfeat.config import ConfigError as ShimConfigError
from textfeat.io.config import (
    ConfigError,
    build_pipeline,
    known_steps,
    load_config,
    parse_config,
    step_parameters,
)
from textfeat.io.persist import TRUSTED

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def invoke(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


def init_params(name: str) -> list[inspect.Parameter]:
    module, _, attr = known_steps()[name].rpartition(".")
    cls = getattr(sys.modules.get(module) or __import__(module, fromlist=[attr]), attr)
    return list(inspect.signature(cls.__init__).parameters.values())[1:]


def toml_default(value: object) -> str:
    """The oracle: a default as TOML writes it, or as the listing shows it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(toml_default(v) for v in value) + "]"
    if isinstance(value, type):
        return f'"{value.__name__}"'  # numpy scalar types by their dtype name
    if callable(value):
        return value.__name__
    return repr(value)


# -- the allow-list -------------------------------------------------------------------
def test_every_textfeat_estimator_is_a_step() -> None:
    estimators = {
        name
        for name in textfeat.__all__
        if isinstance(getattr(textfeat, name), type)
        and hasattr(getattr(textfeat, name), "get_params")
    }
    # CBOWVectorizer needs WordVectors, which TOML cannot write
    assert estimators - {"CBOWVectorizer"} <= set(known_steps())


def test_a_step_whose_defaults_are_not_enough_is_refused(tmp_path: Path) -> None:
    msg = error_of(tmp_path, '[[step]]\nclass = "CBOWVectorizer"\n')
    assert "class 'CBOWVectorizer' cannot be a config step: it needs a value" in msg
    assert "'vectors' parameter" in msg


def test_steps_are_the_trusted_classes_a_config_can_build() -> None:
    trusted = {
        f.rsplit(".", 1)[1] for f in TRUSTED if f.rsplit(".", 1)[1][:1].isupper()
    }
    not_steps = {"Pipeline", "FeatureUnion", "ColumnTransformer", "LabelEncoder"}
    assert trusted - not_steps <= set(known_steps())
    assert not (not_steps & set(known_steps()))


# -- textfeat steps -------------------------------------------------------------------
def test_steps_lists_every_allowed_step() -> None:
    result = invoke("steps")
    assert result.exit_code == 0, result.output
    listed = re.findall(r"^(\w+) \(([\w.]+), ", result.output, re.M)
    assert dict(listed) == known_steps()


def test_steps_lists_every_init_parameter_with_its_default() -> None:
    text = describe_steps()
    blocks = dict(re.findall(r"^(\w+) \(.*\n((?:    .*\n?)*)", text, re.M))
    for name in known_steps():
        shown = " ".join(blocks[name].split())
        for p in init_params(name):
            assert f"{p.name}={toml_default(p.default)}" in shown, (name, p.name)


def test_steps_name_prints_a_table_that_loads_with_the_defaults(
    tmp_path: Path,
) -> None:
    for name in known_steps():
        path = tmp_path / f"{name}.toml"
        path.write_text(describe_step(name))
        ((_, step),) = load_config(path).steps
        built = step.get_params(deep=False)
        for p in init_params(name):
            assert toml_default(built[p.name]) == toml_default(p.default), (name, p)


def test_steps_name_shows_accepted_values_from_the_constraints() -> None:
    result = invoke("steps", "OneHotVectorizer")
    assert result.exit_code == 0
    assert "min_count = 1  # an int in the range [1, inf)" in result.output


def test_a_new_parameter_appears_in_the_listing(monkeypatch) -> None:
    class BrandNewStep(TransformerMixin, BaseEstimator):
        """A step added after this test was written."""

        _parameter_constraints: dict = {"alpha": [float], "fresh_knob": [str]}

        def __init__(self, alpha=0.5, fresh_knob="x"):
            self.alpha = alpha
            self.fresh_knob = fresh_knob

        def fit(self, X, y=None):
            return self

        def transform(self, X):
            return X

    monkeypatch.setattr(textfeat, "BrandNewStep", BrandNewStep, raising=False)
    monkeypatch.setattr(textfeat, "__all__", [*textfeat.__all__, "BrandNewStep"])
    assert 'alpha=0.5, fresh_knob="x"' in describe_steps()
    assert "fresh_knob = \"x\"  # an instance of 'str'" in describe_step("BrandNewStep")
    assert [p.name for p in step_parameters("BrandNewStep")] == ["alpha", "fresh_knob"]


def test_steps_unknown_name_exits_1_naming_it() -> None:
    result = invoke("steps", "NoSuchStep")
    assert result.exit_code == 1
    assert "unknown class 'NoSuchStep'" in result.output


def test_steps_json_has_every_parameter() -> None:
    result = invoke("steps", "--json")
    data = json.loads(result.stdout)
    got = {s["class"]: [p["name"] for p in s["parameters"]] for s in data["steps"]}
    assert got == {n: [p.name for p in init_params(n)] for n in known_steps()}


def test_steps_output_does_not_depend_on_set_order() -> None:
    # StrOptions keep a set; the listing sorts it (hash seeds differ per process)
    assert "{'berkeley', 'goldberg'}" in describe_step("WordSignatures")


# -- errors name the file, the line, the step and the parameter ------------------------
GOOD = '[[step]]\nclass = "SpacyTokenizer"\n\n[[step]]\nclass = "OneHotVectorizer"\n'


def load_text(tmp_path: Path, text: str | bytes) -> object:
    path = tmp_path / "pipe.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return load_config(path)


def error_of(tmp_path: Path, text: str | bytes) -> str:
    with pytest.raises(ConfigError) as err:
        load_text(tmp_path, text)
    return str(err.value)


def test_unknown_step(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + '\n[[step]]\nclass = "Magic"\n')
    assert msg.startswith(f"{tmp_path / 'pipe.toml'}, line 8, step 3 (Magic): ")
    assert "unknown class 'Magic'; use one of " in msg


def test_unknown_parameter(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + "colour = 3\n")
    assert msg.startswith(
        f"{tmp_path / 'pipe.toml'}, line 6, step 2 (OneHotVectorizer)"
    )
    assert "unknown parameter 'colour'" in msg


def test_wrong_type_fails_on_load_not_in_fit(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + 'min_count = "two"\n')
    assert msg == (
        f"{tmp_path / 'pipe.toml'}, line 6, step 2 (OneHotVectorizer): The "
        "'min_count' parameter of OneHotVectorizer must be an int in the range "
        "[1, inf). Got 'two' instead."
    )


def test_out_of_range_value(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + "min_count = 0\n")
    assert "line 6, step 2 (OneHotVectorizer): The 'min_count' parameter" in msg
    assert "Got 0 instead" in msg


def test_nan_is_out_of_range(tmp_path: Path) -> None:
    text = '[[step]]\nclass = "SoftmaxClassifier"\nC = nan\n'
    assert "The 'C' parameter of SoftmaxClassifier" in error_of(tmp_path, text)


def test_boolean_for_a_number_is_refused(tmp_path: Path) -> None:
    # a bool is an int to Python and to scikit-learn's Interval: min_count = true
    # would silently mean 1
    msg = error_of(tmp_path, GOOD + "min_count = true\n")
    assert "line 6, step 2 (OneHotVectorizer)" in msg
    assert "'min_count' parameter of OneHotVectorizer does not take a boolean" in msg


def test_boolean_for_a_boolean_parameter_is_taken(tmp_path: Path) -> None:
    pipe = load_text(tmp_path, GOOD + "binary = false\n")
    assert pipe.steps[1][1].binary is False


def test_toml_table_as_a_value_is_refused(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + "min_count = {a = 1}\n")
    assert "The 'min_count' parameter" in msg and "{'a': 1}" in msg


def test_datetime_as_a_value_is_refused(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + "min_count = 1979-05-27\n")
    assert "The 'min_count' parameter" in msg


def test_array_becomes_a_tuple_where_the_default_is_one(tmp_path: Path) -> None:
    pipe = load_text(tmp_path, GOOD + "ngram_range = [1, 2]\n")
    assert pipe.steps[1][1].ngram_range == (1, 2)


def test_bad_toml_syntax_names_the_line(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + "min_count = \n")
    assert msg.startswith(f"{tmp_path / 'pipe.toml'}: invalid TOML")
    assert "line 6" in msg


def test_duplicate_key_names_the_line(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + "min_count = 1\nmin_count = 2\n")
    assert "invalid TOML" in msg and "line 7" in msg


def test_not_utf8_names_the_file_and_line(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD.encode() + b'name = "caf\xe9"\n')
    assert msg.startswith(f"{tmp_path / 'pipe.toml'}, line 6: not UTF-8")


@pytest.mark.parametrize(
    "cls",
    [
        "os.system",
        "subprocess.Popen",
        "builtins.eval",
        "textfeat.io.persist.load",
        "this.Zen",
        "__import__",
        "sklearn.svm.SVC",
    ],
)
def test_dotted_path_to_code_is_refused_without_import(
    tmp_path: Path, cls: str
) -> None:
    before = set(sys.modules)
    msg = error_of(tmp_path, f'[[step]]\nclass = "{cls}"\n')
    assert f"line 2, step 1 ({cls}): unknown class {cls!r}" in msg
    assert "this" not in set(sys.modules) - before


def test_full_name_of_an_allowed_class_asks_for_the_short_name(
    tmp_path: Path,
) -> None:
    msg = error_of(
        tmp_path, '[[step]]\nclass = "sklearn.linear_model.LogisticRegression"\n'
    )
    assert 'write its short name, class = "LogisticRegression"' in msg


@pytest.mark.parametrize("value", ["3", '["SpacyTokenizer"]', '{a = "b"}', "true"])
def test_class_that_is_not_a_string(tmp_path: Path, value: str) -> None:
    msg = error_of(tmp_path, f"[[step]]\nclass = {value}\n")
    assert "line 2, step 1: unknown class" in msg


def test_step_without_class(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + '\n[[step]]\nname = "x"\n')
    assert "line 7, step 3: no class key" in msg


def test_step_that_is_not_a_table(tmp_path: Path) -> None:
    assert "step 1: a step must be a table" in error_of(tmp_path, "step = [1, 2]\n")


@pytest.mark.parametrize("text", ["", "[[steps]]\nclass = 'SpacyTokenizer'\n"])
def test_no_steps(tmp_path: Path, text: str) -> None:
    msg = error_of(tmp_path, text)
    assert "no steps" in msg or "unknown top-level key 'steps'" in msg


def test_unknown_top_level_key(tmp_path: Path) -> None:
    msg = error_of(tmp_path, 'memory = "/tmp/cache"\n' + GOOD)
    assert "unknown top-level key 'memory'" in msg


@pytest.mark.parametrize("cls", ["Pipeline", "FeatureUnion", "ColumnTransformer"])
def test_composites_are_refused_with_the_reason(tmp_path: Path, cls: str) -> None:
    msg = error_of(tmp_path, f'[[step]]\nclass = "{cls}"\n')
    assert f"class {cls!r} cannot be a config step: it needs" in msg


def test_label_encoder_is_refused(tmp_path: Path) -> None:
    msg = error_of(tmp_path, '[[step]]\nclass = "LabelEncoder"\n')
    assert "its fit takes labels" in msg


def test_classifier_before_the_last_step(tmp_path: Path) -> None:
    text = (
        '[[step]]\nclass = "SpacyTokenizer"\n[[step]]\nclass = "LogisticRegression"\n'
    )
    msg = error_of(tmp_path, text + '[[step]]\nclass = "OneHotVectorizer"\n')
    assert (
        "line 3, step 2 (LogisticRegression): LogisticRegression has no transform"
        in msg
    )


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("3", "must be a non-empty string"),
        ('""', "must be a non-empty string"),
        ('"a__b"', "without '__'"),
        ('"steps"', "a parameter of the Pipeline itself"),
        ('"spacytokenizer"', "used twice"),
    ],
)
def test_bad_step_name(tmp_path: Path, name: str, why: str) -> None:
    msg = error_of(tmp_path, GOOD + f"name = {name}\n")
    assert "line 6, step 2 (OneHotVectorizer)" in msg and why in msg


def test_config_error_is_the_shim_class() -> None:
    assert ShimConfigError is ConfigError
    assert issubclass(ConfigError, ValueError)


def test_parse_and_build_without_file_name_the_config() -> None:
    with pytest.raises(ConfigError, match=r"^<config>, step 1 \(OneHotVectorizer\)"):
        build_pipeline(
            parse_config('[[step]]\nclass = "OneHotVectorizer"\nmin_count = -1\n')
        )


def test_cli_fit_bad_config_is_one_line_exit_1(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "a b", "label": "x"}\n{"text": "c", "label": "y"}\n')
    config = tmp_path / "pipe.toml"
    config.write_text(GOOD + "min_count = 0\n")
    result = invoke("fit", corpus, "--config", config, "-o", tmp_path / "m.tfm", "-q")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {config}, line 6, step 2 (OneHotVectorizer): ")


# -- the README's config --------------------------------------------------------------
def readme_toml() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```toml\n(.*?)```", text, re.S)


def test_readme_has_a_complete_config_that_loads(tmp_path: Path) -> None:
    blocks = readme_toml()
    assert blocks, "README.md has no ```toml block"
    for i, block in enumerate(blocks):
        path = tmp_path / f"readme{i}.toml"
        path.write_text(block)
        pipe = load_config(path)
        assert hasattr(pipe, "predict")


def test_readme_config_fits_the_bundled_corpus(tmp_path: Path) -> None:
    from textfeat.io import load_jsonl

    texts, labels, _ = load_jsonl(ROOT / "textfeat" / "data" / "topics.jsonl")
    path = tmp_path / "readme.toml"
    path.write_text(readme_toml()[0])
    pipe = load_config(path).fit(texts[:200], labels[:200])
    assert (pipe.predict(texts[200:]) == labels[200:]).mean() > 0.8


def test_readme_mentions_textfeat_steps() -> None:
    assert "textfeat steps" in (ROOT / "README.md").read_text()


def test_deeply_nested_value_is_a_config_error(tmp_path: Path) -> None:
    text = GOOD + "min_count = " + "[" * 100_000 + "]" * 100_000 + "\n"
    assert "invalid TOML (nested too deeply)" in error_of(tmp_path, text)


def test_a_long_bad_value_is_not_repeated_whole(tmp_path: Path) -> None:
    msg = error_of(tmp_path, GOOD + 'min_count = "' + "a" * 100_000 + '"\n')
    assert "The 'min_count' parameter" in msg and len(msg) < 400


@pytest.mark.parametrize(
    "value", ['"not-a-dtype"', '"object"', "3", '"U10"', '"f8,i4"', '"M8"']
)
def test_dtype_must_name_a_numeric_dtype(tmp_path: Path, value: str) -> None:
    msg = error_of(tmp_path, GOOD + f"dtype = {value}\n")
    assert "line 6, step 2 (OneHotVectorizer): The 'dtype' parameter" in msg
    assert "numeric dtype" in msg


def test_dtype_by_name_is_taken(tmp_path: Path) -> None:
    pipe = load_text(tmp_path, GOOD + 'dtype = "float32"\n')
    X = pipe.fit_transform(["a cat", "a dog"])
    assert X.dtype == "float32"


def test_readme_error_example_is_what_the_command_prints(
    tmp_path: Path, monkeypatch
) -> None:
    readme = (ROOT / "README.md").read_text()
    shown = re.search(r"```text\n(error: pipe\.toml.*?)\n```", readme, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    Path("pipe.toml").write_text(readme_toml()[0].replace("min_df = 2", "min_df = -1"))
    Path("c.jsonl").write_text('{"text": "a", "label": "x"}\n')
    result = invoke("fit", "c.jsonl", "--config", "pipe.toml", "-q")
    assert result.exit_code == 1
    assert result.output.strip() == shown
