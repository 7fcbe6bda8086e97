"""Hostile model files: nothing from the file runs, allocates or forks unchecked.

Each payload is a file written by ``dumps`` and then tampered with, its
checksums fixed (they are not a signature). Where a payload names code, the
code is a stand-in planted under that name that leaves a marker file if it
ever runs: every test asserts ``ModelFileError`` and that the marker does not
exist.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import stat
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectKBest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

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
    goldberg_signature,
    mutual_info,
)
from textfeat.io import persist
from textfeat.io._persist_names import LEGACY_NAMES
from textfeat.persist import ModelFileError, dumps, loads

TOKENS = [["the", "cat", "sat"], ["a", "dog", "ran", "the"], ["Cats", "42", "e-mail"]]
TEXTS = ["the cat sat", "a dog ran", "the dog sat down", "a cat ran off"] * 3
LABELS = ["c", "d", "d", "c"] * 3


# -- building tampered files --------------------------------------------------
def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(
    members: dict[str, bytes],
    *,
    fix: bool = True,
    header: Callable[[dict[str, Any]], None] | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A model file from ``members``, with its checksums recomputed if ``fix``."""
    members = dict(members)
    head = json.loads(members["header.json"])
    if fix:
        head["sha256"] = {
            n: hashlib.sha256(b).hexdigest()
            for n, b in members.items()
            if n != "header.json"
        }
    if header is not None:
        header(head)
    members["header.json"] = json.dumps(head).encode()
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on duplicate names
        with zipfile.ZipFile(out, "w", compression=method) as zf:
            for name, body in members.items():
                zf.writestr(name, body)
    return out.getvalue()


def _edit(data: bytes, change: Callable[[dict[str, Any]], Any]) -> bytes:
    """The file with ``change`` applied to its decoded model.json tree."""
    members = _members(data)
    body = json.loads(members["model.json"])
    change(body)
    members["model.json"] = json.dumps(body).encode()
    return _zip(members)


def _state(body: dict[str, Any], *path: Any) -> dict[str, Any]:
    """The ``state`` of the object reached by ``path`` (keys or list indices)."""
    node = body
    for key in path:
        node = node["state"][key] if isinstance(key, str) else node[key]
    return node["state"]


def _npy(header: str, payload: bytes) -> bytes:
    """A version 1.0 ``.npy`` member with a hand-written header."""
    text = header.encode("latin1")
    pad = 64 - (10 + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + payload


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "code-ran"


def _plant(monkeypatch: pytest.MonkeyPatch, dotted: str, marker: Path) -> None:
    """Put under ``dotted`` a function that leaves ``marker`` if it is called."""
    module, _, attr = dotted.rpartition(".")

    def stand_in(*args: Any, **kwargs: Any) -> str:
        marker.write_text(f"{dotted} ran")
        return "*X*"

    stand_in.__module__, stand_in.__qualname__ = module, attr
    monkeypatch.setattr(importlib.import_module(module), attr, stand_in, raising=False)


def _plant_class(monkeypatch: pytest.MonkeyPatch, dotted: str, marker: Path) -> None:
    """Put under ``dotted`` a class whose construction leaves ``marker``."""
    module, _, attr = dotted.rpartition(".")

    class StandIn:
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            marker.write_text(f"{dotted}.__new__ ran")
            return super().__new__(cls)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            marker.write_text(f"{dotted}.__init__ ran")

        def __call__(self, *args: Any, **kwargs: Any) -> str:
            marker.write_text(f"{dotted}.__call__ ran")
            return "*X*"

        def transform(self, X: Any) -> Any:
            marker.write_text(f"{dotted}.transform ran")
            return X

    StandIn.__module__, StandIn.__qualname__ = module, attr
    monkeypatch.setattr(importlib.import_module(module), attr, StandIn, raising=False)


def _refused(
    data: bytes, marker: Path, use: Callable[[Any], Any], match: str | None = None
) -> None:
    """Loading ``data`` (then using it) raises ModelFileError and runs no code."""
    with pytest.raises(ModelFileError, match=match):
        use(loads(data, where="evil.tfm"))
    assert not marker.exists(), marker.read_text()


def _transform_tokens(model: Any) -> Any:
    return model.transform([["zzz-unseen", "cat"]])


@pytest.fixture(scope="module")
def signatures_file() -> bytes:
    return dumps(WordSignatures(scheme=goldberg_signature).fit(TOKENS))


@pytest.fixture(scope="module")
def pipeline_file() -> bytes:
    pipe = make_pipeline(
        SpacyTokenizer(attr="lower"),
        WordSignatures(min_count=2),
        WordDropout(random_state=0),
        OneHotVectorizer(),
        SoftmaxClassifier(),
    )
    return dumps(pipe.fit(TEXTS, LABELS))


@pytest.fixture(scope="module")
def padder_file() -> bytes:
    return dumps(SequencePadder(add_bos=True).fit(TOKENS))


def _set_scheme(name: str) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body["state"]["scheme"] = {"__t": "function", "name": name}

    return change


# -- the allow-list -------------------------------------------------------------
TEXTFEAT_FUNCTIONS_NOT_FOR_FILES = [
    "textfeat.cli.fit",
    "textfeat.cli.main",
    "textfeat.save_model",  # public names of textfeat functions not for files
    "textfeat.load_model",
    "textfeat.featurize",
    "textfeat.read_corpus",
    "textfeat.top_features",
    "textfeat.io.persist.save",
    "textfeat.batch.run.featurize",
    "textfeat.batch.featurize",
    "textfeat.persist.save",
    "textfeat.corpus.read_csv",
    "textfeat.scoring.top_features",
    "textfeat.vocab.count_tokens",
]


@pytest.mark.parametrize("name", TEXTFEAT_FUNCTIONS_NOT_FOR_FILES)
def test_textfeat_function_not_on_the_list_is_refused_and_never_called(
    name, signatures_file, marker, monkeypatch
) -> None:
    _plant(monkeypatch, name, marker)
    bad = _edit(signatures_file, _set_scheme(name))
    _refused(bad, marker, _transform_tokens, match="not on the allow-list")


@pytest.mark.parametrize(
    "name",
    ["builtins.exec", "builtins.eval", "posix.system", "os.system", "subprocess.call"],
)
def test_builtin_and_os_functions_are_refused(
    name, signatures_file, marker, monkeypatch
):
    _plant(monkeypatch, name, marker)
    _refused(_edit(signatures_file, _set_scheme(name)), marker, _transform_tokens)


@pytest.mark.parametrize(
    "name", ["textfeat.corpus.Planted", "textfeat.vocab.Vocabulary"]
)
def test_function_entry_naming_a_class_is_refused(
    name, signatures_file, marker, monkeypatch
) -> None:
    if name.endswith("Planted"):
        _plant_class(monkeypatch, name, marker)
    _refused(_edit(signatures_file, _set_scheme(name)), marker, _transform_tokens)


@pytest.mark.parametrize(
    "name", ["textfeat.scoring.mutual_info", "textfeat.signatures.goldberg_signature"]
)
def test_object_entry_naming_a_function_is_refused(name, signatures_file, marker):
    def change(body: dict[str, Any]) -> None:
        body["class"] = name

    _refused(_edit(signatures_file, change), marker, _transform_tokens)


@pytest.mark.parametrize(
    "name",
    [
        "textfeat.batch.Planted",  # a class whose __new__/__init__ would run
        "textfeat.corpus.Quarantine",
        "textfeat.corpus.Record",
        "textfeat.windows.Token",
        "textfeat.conll.ConllSentence",
        "textfeat.persist.ModelFileError",
    ],
)
def test_class_not_on_the_list_is_refused_without_running_it(
    name, signatures_file, marker, monkeypatch
) -> None:
    if name.endswith("Planted"):
        _plant_class(monkeypatch, name, marker)

    def change(body: dict[str, Any]) -> None:
        body["class"] = name

    _refused(_edit(signatures_file, change), marker, _transform_tokens)


def test_allowed_class_with_a_new_that_does_work_is_refused(
    signatures_file, marker, monkeypatch
) -> None:
    name = "textfeat.batch.Planted"
    _plant_class(monkeypatch, name, marker)  # its __new__ leaves the marker
    monkeypatch.setattr(persist, "_CLASSES", persist._CLASSES | {name})

    def change(body: dict[str, Any]) -> None:
        body["class"] = name
        body["state"] = {}

    _refused(_edit(signatures_file, change), marker, _transform_tokens, match="rebuilt")


def test_no_allowed_class_defines_its_own_new() -> None:
    for name in persist.ESTIMATORS | persist.VALUE_CLASSES:
        module, _, attr = name.rpartition(".")
        cls = getattr(importlib.import_module(module), attr)
        assert cls.__new__ is object.__new__, name


@pytest.mark.parametrize(
    "key",
    [
        "transform",
        "fit",
        "get_params",
        "__class__",
        "__dict__",
        "__init__",
        "__reduce__",
        "_validate_params",
        "1st",
        "a-b",
        "class",
        "",
    ],
)
def test_state_key_that_shadows_or_is_not_an_identifier_is_refused(
    key, signatures_file, marker, monkeypatch
) -> None:
    _plant(monkeypatch, "textfeat.signatures.goldberg_signature", marker)

    def change(body: dict[str, Any]) -> None:
        body["state"][key] = {
            "__t": "function",
            "name": "textfeat.signatures.goldberg_signature",
        }

    def use(model: Any) -> Any:
        return (
            model.fit(TOKENS).transform(TOKENS)
            if key == "fit"
            else _transform_tokens(model)
        )

    # the scheme is planted too: if the shadowing attribute were set and
    # called, the marker would be written
    _refused(_edit(signatures_file, change), marker, use, match=f"attribute {key!r}")


def test_allow_lists_hold_exactly_the_estimators_values_and_pure_functions() -> None:
    estimators = {
        f"textfeat.{n}"
        for n in textfeat.__all__
        if isinstance(getattr(textfeat, n), type)
        and issubclass(getattr(textfeat, n), BaseEstimator)
    }
    assert persist.ESTIMATORS == estimators
    assert persist.VALUE_CLASSES == {"textfeat.Vocabulary", "textfeat.WordVectors"}
    for name in persist.FUNCTIONS:
        module, _, attr = name.rpartition(".")
        assert module in {"textfeat", "sklearn.feature_selection"}, name
        assert callable(getattr(importlib.import_module(module), attr))


def test_files_name_classes_and_functions_by_their_public_name() -> None:
    model = SelectKBest(mutual_info, k=1)
    body = json.loads(_members(dumps(make_pipeline(OneHotVectorizer(), model)))["model.json"])
    text = json.dumps(body)
    for name in (
        "sklearn.pipeline.Pipeline",
        "textfeat.OneHotVectorizer",
        "sklearn.feature_selection.SelectKBest",
        "textfeat.mutual_info",
    ):
        assert f'"{name}"' in text, name


@pytest.mark.parametrize("old", sorted(LEGACY_NAMES))
def test_pre_move_name_resolves_to_the_public_object(old) -> None:
    new = LEGACY_NAMES[old]
    module, _, attr = new.rpartition(".")
    obj = getattr(importlib.import_module(module), attr)
    kind = "class" if isinstance(obj, type) else "function"
    assert persist._resolve(old, kind, "f") is obj


def test_file_written_with_pre_move_names_loads_with_the_same_output() -> None:
    pipe = make_pipeline(
        SpacyTokenizer(),
        WordSignatures(scheme=goldberg_signature),
        OneHotVectorizer(),
        SelectKBest(mutual_info, k=3),
        SoftmaxClassifier(),
    ).fit(TEXTS, LABELS)
    old_of = {
        "textfeat.SpacyTokenizer": "textfeat.tokenize.SpacyTokenizer",
        "textfeat.WordSignatures": "textfeat.signatures.WordSignatures",
        "textfeat.goldberg_signature": "textfeat.signatures.goldberg_signature",
        "textfeat.OneHotVectorizer": "textfeat.onehot.OneHotVectorizer",
        "textfeat.Vocabulary": "textfeat.vocab.Vocabulary",
        "sklearn.feature_selection.SelectKBest": (
            "sklearn.feature_selection._univariate_selection.SelectKBest"
        ),
        "textfeat.mutual_info": "textfeat.scoring.mutual_info",
        "textfeat.SoftmaxClassifier": "textfeat.softmax.SoftmaxClassifier",
    }

    def rename(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("class", "name"):
                if node.get(key) in old_of:
                    node[key] = old_of[node[key]]
            for v in node.values():
                rename(v)
        elif isinstance(node, list):
            for v in node:
                rename(v)

    data = _edit(dumps(pipe), rename)
    assert b"textfeat.onehot.OneHotVectorizer" in _members(data)["model.json"]
    assert (loads(data).predict_proba(TEXTS) == pipe.predict_proba(TEXTS)).all()


def test_prefix_of_a_pre_move_module_is_no_rule(signatures_file, marker) -> None:
    # textfeat.signatures.* were legal names; another function there is not
    bad = _edit(signatures_file, _set_scheme("textfeat.signatures.WordSignatures.fit"))
    _refused(bad, marker, _transform_tokens, match="not on the allow-list")


def test_saving_a_function_not_on_the_list_is_refused() -> None:
    with pytest.raises(ValueError, match="textfeat.cli.fit.*FUNCTIONS"):
        dumps(WordSignatures(scheme=textfeat.cli.fit))
    with pytest.raises(ValueError, match="top_features"):
        dumps(SelectKBest(textfeat.scoring.top_features))


@pytest.mark.parametrize("name", sorted(persist.FUNCTIONS))
def test_every_listed_function_round_trips(name) -> None:
    module, _, attr = name.rpartition(".")
    func = getattr(importlib.import_module(module), attr)
    assert loads(dumps(SelectKBest(func, k=1))).score_func is func


# -- sizes, shapes and depth ---------------------------------------------------
def _inflating_model_json(data: bytes, n_mib: int) -> bytes:
    """``model.json`` padded by ``n_mib`` MiB of JSON whitespace, streamed."""
    members = _members(data)
    body, chunk = members.pop("model.json"), b" " * 2**20
    digest = hashlib.sha256(body)
    for _ in range(n_mib):
        digest.update(chunk)
    head = json.loads(members.pop("header.json"))
    head["sha256"]["model.json"] = digest.hexdigest()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.json", json.dumps(head))
        with zf.open("model.json", "w") as f:
            f.write(body)
            for _ in range(n_mib):
                f.write(chunk)
        for name, blob in members.items():
            zf.writestr(name, blob)
    return out.getvalue()


def test_inflating_member_is_refused_before_it_is_decompressed(pipeline_file) -> None:
    bad = _inflating_model_json(pipeline_file, 24)
    assert len(bad) < 24 * 2**20 / 100
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="max_ratio"):
            loads(bad)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20


def test_a_larger_max_ratio_admits_a_highly_compressible_member(pipeline_file) -> None:
    model = loads(_inflating_model_json(pipeline_file, 2), max_ratio=10**6)
    assert model.predict(["the cat"]).shape == (1,)


def test_members_beyond_max_bytes_are_refused(pipeline_file) -> None:
    with pytest.raises(ModelFileError, match="max_bytes=1000"):
        loads(pipeline_file, max_bytes=1000)


def _patch_sizes(data: bytes, member: str, size: int) -> bytes:
    """The file with the uncompressed size of ``member`` set to ``size`` everywhere."""
    buf = bytearray(data)
    name = member.encode()
    for sig, field in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        pos = 0
        while (pos := buf.find(sig, pos)) >= 0:
            name_at = pos + (46 if sig == b"PK\x01\x02" else 30)
            if buf[name_at : name_at + len(name)] == name:
                buf[pos + field : pos + field + 4] = size.to_bytes(4, "little")
            pos += 4
    return bytes(buf)


@pytest.mark.parametrize("size", [10, 10**6])
def test_member_size_lie_is_caught_while_decompressing(pipeline_file, size) -> None:
    with pytest.raises(ModelFileError):
        loads(_patch_sizes(pipeline_file, "model.json", size))


def _with_zip64_size(
    data: bytes, member: str, size: int, monkeypatch: pytest.MonkeyPatch
) -> bytes:
    """Rewrite the file with ZIP64 entries, then declare ``size`` bytes for ``member``."""
    members = _members(data)
    out = io.BytesIO()
    with monkeypatch.context() as m:
        m.setattr(zipfile, "ZIP64_LIMIT", 10)  # every member gets a ZIP64 entry
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, blob in members.items():
                zf.writestr(name, blob)
    buf = bytearray(out.getvalue())
    pos = buf.find(b"PK\x01\x02")
    while pos >= 0:
        n_name = int.from_bytes(buf[pos + 28 : pos + 30], "little")
        if buf[pos + 46 : pos + 46 + n_name] == member.encode():
            extra = pos + 46 + n_name
            assert buf[extra : extra + 2] == b"\x01\x00"  # the ZIP64 extra field
            buf[extra + 4 : extra + 12] = size.to_bytes(8, "little")
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


def test_zip64_member_declaring_a_terabyte_is_refused(pipeline_file, monkeypatch):
    bad = _with_zip64_size(pipeline_file, "model.json", 2**40, monkeypatch)
    with pytest.raises(ModelFileError, match="max_ratio"):
        loads(bad)
    with pytest.raises(ModelFileError, match="max_bytes"):  # the size on its own
        loads(bad, max_ratio=1e12)


def test_npy_header_declaring_a_huge_shape_is_refused_before_allocating(pipeline_file):
    members = _members(pipeline_file)
    name = next(n for n in members if n.startswith("arrays/"))
    members[name] = _npy(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }",
        bytes(16),
    )
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="declares shape"):
            loads(_zip(members))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


@pytest.mark.parametrize(
    "descr, payload",
    [
        ("'|O'", bytes(8)),
        ("'|V8'", bytes(8)),
        ("[('a', '<i4'), ('b', '<i4')]", bytes(8)),
        ("('<f8', (1000000,))", bytes(8)),
        ("'<M8[ns]'", bytes(8)),
        ("'<f8'", bytes(16)),  # one element declared, two present
        ("'<f8'", bytes(4)),  # one element declared, half of one present
    ],
)
def test_npy_member_that_is_not_plain_or_not_its_size_is_refused(
    pipeline_file, descr, payload
) -> None:
    members = _members(pipeline_file)
    name = next(n for n in members if n.startswith("arrays/"))
    members[name] = _npy(
        f"{{'descr': {descr}, 'fortran_order': False, 'shape': (1,), }}", payload
    )
    with pytest.raises(ModelFileError, match=name):
        loads(_zip(members))


@pytest.mark.parametrize("member", ["model.json", "header.json"])
def test_deeply_nested_json_is_refused_without_recursion_error(pipeline_file, member):
    members = _members(pipeline_file)
    deep = b"[" * 100_000 + b"]" * 100_000
    if member == "model.json":
        members[member] = members[member].replace(b'"C": 1.0', b'"C": ' + deep, 1)
        bad = _zip(members)
    else:
        bad = _raw_header(members, b'{"deep": ' + deep + b"}")
    with pytest.raises(ModelFileError, match="nests"):
        loads(bad)


def _raw_header(members: dict[str, bytes], header: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.json", header)
        for name, body in members.items():
            if name != "header.json":
                zf.writestr(name, body)
    return out.getvalue()


def test_nesting_inside_strings_does_not_count(tmp_path) -> None:
    words = [["[" * 500 + "{" * 500, "x"]]
    vec = OneHotVectorizer().fit(words)
    assert loads(dumps(vec)).vocabulary_.itos_ == vec.vocabulary_.itos_


def test_more_json_values_than_max_entries_are_refused(pipeline_file) -> None:
    with pytest.raises(ModelFileError, match="max_entries=50"):
        loads(pipeline_file, max_entries=50)


@pytest.mark.parametrize(
    "old, new",
    [
        (b'"C": 1.0', b'"C": 1.0, "C": 2.0'),  # duplicate key
        (b'"C": 1.0', b'"C": NaN'),  # bare NaN
        (b'"C": 1.0', b'"C": Infinity'),
    ],
)
def test_json_duplicate_keys_and_bare_constants_are_refused(pipeline_file, old, new):
    members = _members(pipeline_file)
    assert old in members["model.json"]
    members["model.json"] = members["model.json"].replace(old, new, 1)
    with pytest.raises(ModelFileError, match="model.json"):
        loads(_zip(members))


def test_huge_header_is_refused_before_it_is_read(pipeline_file) -> None:
    members = _members(pipeline_file)
    head = members["header.json"][:-1] + b"," + b" " * (5 * 2**20) + b'"pad": 1}'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("header.json", head)
        for name, body in members.items():
            if name != "header.json":
                zf.writestr(name, body)
    with pytest.raises(ModelFileError, match="header.json"):
        loads(out.getvalue())


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h.update(extra="x"),
        lambda h: h.update(versions=[1]),
        lambda h: h.update(sha256={**h["sha256"], "model.json": "zz"}),
        lambda h: h["sha256"].update({"arrays/a99.npy": "0" * 64}),
    ],
    ids=["extra-key", "versions-list", "bad-hex", "member-missing"],
)
def test_malformed_header_is_refused(pipeline_file, change) -> None:
    with pytest.raises(ModelFileError):
        loads(_zip(_members(pipeline_file), header=change))


# -- the archive itself ------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "../model.json",
        "/etc/passwd",
        "arrays/../x.npy",
        "arrays\\a0.npy",
        "arrays/",
        "arrays/a1.npy.bak",
        "extra.txt",
    ],
)
def test_member_names_textfeat_does_not_write_are_refused(pipeline_file, name) -> None:
    members = {**_members(pipeline_file), name: b"x"}
    with pytest.raises(ModelFileError):
        loads(_zip(members))


def test_duplicate_member_is_refused(pipeline_file) -> None:
    members = _members(pipeline_file)
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(out, "w") as zf:
            for name, body in members.items():
                zf.writestr(name, body)
            zf.writestr("model.json", b'{"__t": "object"}')
    with pytest.raises(ModelFileError, match="duplicate"):
        loads(out.getvalue())


def _rewrite_info(data: bytes, member: str, **attrs: Any) -> bytes:
    src = _members(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, body in src.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == member:
                for k, v in attrs.items():
                    setattr(info, k, v)
            zf.writestr(info, body)
    return out.getvalue()


def test_symlink_member_is_refused(pipeline_file) -> None:
    bad = _rewrite_info(
        pipeline_file, "model.json", external_attr=(stat.S_IFLNK | 0o777) << 16
    )
    with pytest.raises(ModelFileError, match="not a regular file"):
        loads(bad)


def test_encrypted_member_is_refused(pipeline_file) -> None:
    bad = bytearray(pipeline_file)
    for sig, flag_at in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
        pos = 0
        while (pos := bad.find(sig, pos)) >= 0:
            bad[pos + flag_at] |= 1
            pos += 4
    with pytest.raises(ModelFileError, match="encrypted"):
        loads(bytes(bad))


def test_other_compression_methods_are_refused(pipeline_file) -> None:
    bad = _zip(_members(pipeline_file), method=zipfile.ZIP_BZIP2)
    with pytest.raises(ModelFileError, match="compression method"):
        loads(bad)


def test_too_many_members_are_refused(pipeline_file) -> None:
    members = _members(pipeline_file)
    members.update(
        {f"arrays/a{i}.npy": b"" for i in range(100, 100 + persist.MAX_MEMBERS)}
    )
    with pytest.raises(ModelFileError, match="members"):
        loads(_zip(members, method=zipfile.ZIP_STORED))


def test_array_member_the_model_does_not_use_is_refused(pipeline_file) -> None:
    buf = io.BytesIO()
    np.save(buf, np.zeros(3))
    members = {**_members(pipeline_file), "arrays/a77.npy": buf.getvalue()}
    with pytest.raises(ModelFileError, match="not used"):
        loads(_zip(members))


# -- entries of model.json ---------------------------------------------------------
@pytest.mark.parametrize(
    "entry",
    [
        {"__t": "dtypetype", "v": "|O"},
        {"__t": "dtype", "v": "|O"},
        {"__t": "dtype", "v": "|V8"},
        {"__t": "dtype", "v": "(1000000000,)f8"},
        {"__t": "dtype", "v": "i4,i4"},
        {"__t": "dtypetype", "v": "<M8[ns]"},
        "object",
        "(1000000000,)f8",
        {"__t": "scalar", "dtype": "|O", "v": 1},
    ],
)
def test_dtype_that_is_not_plain_numeric_is_refused(entry, marker) -> None:
    data = dumps(OneHotVectorizer().fit(TOKENS))

    def change(body: dict[str, Any]) -> None:
        body["state"]["dtype"] = entry

    _refused(_edit(data, change), marker, _transform_tokens)


@pytest.mark.parametrize(
    "entry",
    [
        {"__t": "float", "v": "1e5"},
        {"__t": "objarray", "shape": [5], "items": [1, 2]},
        {"__t": "objarray", "shape": [-1], "items": [1]},
        {"__t": "tuple", "items": [1], "extra": 1},
        {"__t": "pickle", "v": "gASVAAAAAAAAAAB9lC4="},
        {"__t": "ndarray", "key": "a999"},
        {"__t": "counter", "items": [["w", 1.5]]},
        {"__t": "counter", "items": [[{"__t": "frozenset", "items": [1]}, 1]]},
        {
            "__t": "dict",
            "items": [[{"__t": "function", "name": "textfeat.windows.word_shape"}, 1]],
        },
        {"__t": "set", "items": [{"__t": "tuple", "items": [[1]]}]},
    ],
)
def test_malformed_entries_are_refused(entry, signatures_file, marker) -> None:
    def change(body: dict[str, Any]) -> None:
        body["state"]["counts_"] = entry

    _refused(_edit(signatures_file, change), marker, _transform_tokens)


# -- parameters ------------------------------------------------------------------
def test_process_count_above_the_cpu_count_is_lowered_on_load() -> None:
    data = dumps(SpacyTokenizer())

    def change(body: dict[str, Any]) -> None:
        body["state"]["n_process"] = 10**6

    assert loads(_edit(data, change)).n_process == (os.cpu_count() or 1)


@pytest.mark.parametrize(
    "est, param, value",
    [
        (SpacyTokenizer(), "n_process", -5),
        (SpacyTokenizer(), "n_process", "6"),
        (SpacyTokenizer(), "n_process", 6.5),
        (SpacyTokenizer(), "batch_size", 0),
        (SpacyTokenizer(), "attr", "__class__"),
        (SoftmaxClassifier(), "C", -1.0),
        (WordDropout(), "p", 2.0),
        (SequencePadder(), "padding", "sideways"),
        (WindowVectorizer(), "window", -1),
        (SelectKBest(mutual_info), "k", -3),
        (LogisticRegression(), "n_jobs", "all"),
    ],
)
def test_parameter_outside_its_constraints_is_refused_naming_file_class_and_parameter(
    est, param, value, marker
) -> None:
    def change(body: dict[str, Any]) -> None:
        body["state"][param] = value

    match = f"evil.tfm: {type(est).__name__} .*'{param}'"
    _refused(_edit(dumps(est), change), marker, lambda m: m, match=match)


def test_missing_parameter_is_refused(marker) -> None:
    def change(body: dict[str, Any]) -> None:
        del body["state"]["min_count"]

    _refused(
        _edit(dumps(OneHotVectorizer()), change),
        marker,
        lambda m: m,
        match="lacks a parameter",
    )


def test_pipeline_cache_folder_is_refused(pipeline_file, tmp_path, marker) -> None:
    def change(body: dict[str, Any]) -> None:
        body["state"]["memory"] = str(tmp_path / "cache")

    _refused(
        _edit(pipeline_file, change),
        marker,
        lambda m: m.fit(TEXTS, LABELS),
        match="memory",
    )
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("lang", ["../evil", "en.tokenizer_exceptions", "EN", ""])
def test_tokenizer_language_must_be_a_language_code(lang, marker) -> None:
    def change(body: dict[str, Any]) -> None:
        body["state"]["lang"] = lang

    _refused(
        _edit(dumps(SpacyTokenizer()), change),
        marker,
        lambda m: m.transform(["a"]),
        match="lang",
    )


# -- learned state -------------------------------------------------------------------
@pytest.mark.parametrize("value", [10**12, 0, -3, "5", 5.0, True, [5]])
def test_padder_row_length_is_bounded(padder_file, value, marker) -> None:
    def change(body: dict[str, Any]) -> None:
        body["state"]["maxlen_"] = value

    _refused(_edit(padder_file, change), marker, _transform_tokens, match="maxlen_")


def test_padder_row_length_must_equal_maxlen(marker) -> None:
    data = dumps(SequencePadder(maxlen=4).fit(TOKENS))

    def change(body: dict[str, Any]) -> None:
        body["state"]["maxlen_"] = 4000

    _refused(_edit(data, change), marker, _transform_tokens, match="maxlen_")


@pytest.mark.parametrize("window", [10**9, 65])
def test_window_beyond_what_the_slots_reach_is_refused(window, marker) -> None:
    data = dumps(WindowVectorizer(window=1).fit(TOKENS))

    def change(body: dict[str, Any]) -> None:
        body["state"]["window"] = window

    _refused(_edit(data, change), marker, _transform_tokens, match="window")


def test_padder_transform_refuses_a_row_length_fit_cannot_make() -> None:
    pad = SequencePadder().fit(TOKENS)
    pad.maxlen_ = 10**12
    with pytest.raises(ValueError, match="maxlen_=1000000000000"):
        pad.transform(TOKENS)


def _vocab_state(body: dict[str, Any]) -> dict[str, Any]:
    return _state(body, "vocabulary_")


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(itos_=s["itos_"][:-1]),
        lambda s: s.update(stoi_={**s["stoi_"], "the": 99}),
        lambda s: s.update(itos_=["*PAD*", "*UNK*", "*S*", "*/S*", 5]),
        lambda s: s.update(itos_="abc"),
        lambda s: s.update(counts_={"__t": "counter", "items": [["the", -2]]}),
        lambda s: s.update(min_count=0),
        lambda s: s.pop("stoi_"),
    ],
    ids=[
        "short-itos",
        "stoi-mismatch",
        "non-str-token",
        "itos-str",
        "negative-count",
        "min-count-0",
        "stoi-missing",
    ],
)
def test_inconsistent_vocabulary_is_refused(change, marker) -> None:
    data = dumps(OneHotVectorizer().fit(TOKENS))
    _refused(
        _edit(data, lambda b: change(_vocab_state(b))),
        marker,
        _transform_tokens,
        match="Vocabulary",
    )


def _softmax_file() -> bytes:
    return dumps(SoftmaxClassifier().fit(np.eye(3), [0, 1, 2]))


@pytest.mark.parametrize(
    "attr, value",
    [
        ("coef_", "not an array"),
        ("n_features_in_", 7),  # named in the message through coef_'s shape
        ("n_features_in_", -1),
        ("intercept_", [0.0]),
        ("temperature_", -1.0),
        ("n_iter_", 2.5),
    ],
)
def test_softmax_state_of_the_wrong_type_or_shape_is_refused(
    attr, value, marker
) -> None:
    def change(body: dict[str, Any]) -> None:
        body["state"][attr] = value

    match = "coef_.*3, 7" if value == 7 else attr
    _refused(
        _edit(_softmax_file(), change),
        marker,
        lambda m: m.predict(np.eye(3)),
        match=match,
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(words=s["words"][:-1]),
        lambda s: s.update(dim=7),
        lambda s: s.update(index={"the": 2, "cat": 1, "dog": 0}),
        lambda s: s.update(handle_unknown="explode"),
    ],
    ids=["rows-vs-words", "dim", "index", "policy"],
)
def test_inconsistent_word_vectors_are_refused(change, marker) -> None:
    vec = WordVectors(["the", "cat", "dog"], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    data = dumps(CBOWVectorizer(vectors=vec).fit(TOKENS))
    _refused(
        _edit(data, lambda b: change(_state(b, "vectors"))),
        marker,
        _transform_tokens,
        match="WordVectors",
    )


@pytest.mark.parametrize(
    "est, attr, value",
    [
        (WordDropout(random_state=0), "seed_", -1),
        (WordDropout(random_state=0), "seed_", 1.5),
        (WordSignatures(), "known_words_", ["the"]),
        (FrequencyScaler(), "n_features_in_", 5),
        (WindowVectorizer(window=1), "slots_", [["x", 0]]),
        (WindowVectorizer(window=1), "vocabularies_", {"w": 1}),
        (WindowVectorizer(window=1), "n_features_out_", -1),
        (CBOWVectorizer(vectors=WordVectors(["a"], [[1.0]])), "n_docs_", "many"),
    ],
)
def test_learned_attribute_of_the_wrong_type_is_refused(
    est, attr, value, marker
) -> None:
    X = np.eye(3) if isinstance(est, FrequencyScaler) else TOKENS
    data = dumps(est.fit(X))

    def change(body: dict[str, Any]) -> None:
        body["state"][attr] = value

    _refused(_edit(data, change), marker, lambda m: m, match=attr)


# -- round trips of every estimator ------------------------------------------------------
VEC = WordVectors(["the", "cat", "dog"], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
ROUND_TRIPS = [
    (SpacyTokenizer(attr="lower"), TEXTS),
    (WordSignatures(min_count=2), TOKENS),
    (WordSignatures(scheme=textfeat.berkeley_signature), TOKENS),
    (WordDropout(alpha=1.0, random_state=0), TOKENS),
    (OneHotVectorizer(binary=False, dtype=np.float32), TOKENS),
    (SequencePadder(maxlen=5, add_bos=True, dtype=np.int32), TOKENS),
    (SequencePadder(), TOKENS),
    (
        WindowVectorizer(
            window=1,
            attributes=["lower", "suffix2", ("shape", textfeat.word_shape)],
            conjunctions=[[(-1, "lower"), (0, "lower")]],
        ),
        TOKENS,
    ),
    (WindowVectorizer(window=1, representation="dense", vectors=VEC), TOKENS),
    (CBOWVectorizer(vectors=VEC, weighting="tfidf"), TOKENS),
    (CBOWVectorizer(vectors=VEC, weighting="sif"), TOKENS),
    (PPMIVectors(dim=1, min_count=1), TOKENS * 5),
]


@pytest.mark.parametrize(
    "est, X", ROUND_TRIPS, ids=[type(e).__name__ for e, _ in ROUND_TRIPS]
)
def test_every_estimator_round_trips_to_the_same_bytes_and_output(est, X) -> None:
    est.fit(X)
    data = dumps(est)
    again = loads(data)
    assert dumps(again) == data
    if hasattr(est, "transform"):
        a, b = est.transform(X), again.transform(X)
        a = a.toarray() if hasattr(a, "toarray") else a
        b = b.toarray() if hasattr(b, "toarray") else b
        assert np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))


def test_numeric_steps_and_pipelines_round_trip(pipeline_file) -> None:
    assert dumps(loads(pipeline_file)) == pipeline_file
    for est in (
        FrequencyScaler().fit(np.eye(3)),
        SoftmaxClassifier().fit(np.eye(3), [0, 1, 2]),
        SelectKBest(mutual_info, k=2).fit(np.eye(3), [0, 1, 1]),
    ):
        data = dumps(est)
        assert dumps(loads(data)) == data


# -- explicit state: a file holds parameters, learned state and declared state --
UNDECLARED_KEYS = [
    # (what, the path to the object in the pipeline file, the key)
    ("plain name", ("steps", 1, 1), "x"),
    ("private name", ("steps", 2, 1), "_private"),
    ("private name of the head", ("steps", 4, 1), "_rng"),
    ("non-parameter of a step", ("steps", 3, 1), "vocab"),
    ("private name of a value class", ("steps", 3, 1, "vocabulary_"), "_cache"),
    ("non-attribute of a value class", ("steps", 3, 1, "vocabulary_"), "size"),
]


def _state_at(body: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    node: Any = body
    for key in path:
        node = node["state"][key] if isinstance(key, str) else node[key]
        if isinstance(node, dict) and node.get("__t") == "tuple":
            node = node["items"]
    return node["state"]


@pytest.mark.parametrize(
    "path, key", [c[1:] for c in UNDECLARED_KEYS], ids=[c[0] for c in UNDECLARED_KEYS]
)
def test_state_key_the_class_does_not_declare_is_refused(
    path, key, pipeline_file, marker
) -> None:
    def change(body: dict[str, Any]) -> None:
        _state_at(body, path)[key] = 1

    _refused(
        _edit(pipeline_file, change), marker, lambda m: m, match=f"attribute {key!r} of"
    )


def test_undeclared_key_error_names_the_class(pipeline_file) -> None:
    def change(body: dict[str, Any]) -> None:
        _state_at(body, ("steps", 4, 1))["_rng"] = 1

    with pytest.raises(ModelFileError, match="'_rng' of SoftmaxClassifier"):
        loads(_edit(pipeline_file, change))


def test_top_level_undeclared_key_is_refused_for_a_textfeat_class(
    signatures_file,
) -> None:
    def change(body: dict[str, Any]) -> None:
        body["state"]["note"] = "hello"

    with pytest.raises(ModelFileError, match="'note' of WordSignatures: it is not a"):
        loads(_edit(signatures_file, change))


@pytest.mark.parametrize("key", ["__x__", "__module__", "__dict__"])
def test_dunder_key_of_a_scikit_learn_class_is_refused(key) -> None:
    data = dumps(LogisticRegression().fit(np.eye(2), [0, 1]))

    def change(body: dict[str, Any]) -> None:
        body["state"][key] = 1

    with pytest.raises(ModelFileError, match=f"attribute {key!r} of LogisticRegression"):
        loads(_edit(data, change))


def test_scikit_learn_fitted_attributes_outside_the_convention_load() -> None:
    # their fitted attributes vary by version: the __dict__ is what a file holds
    est = LogisticRegression().fit(np.eye(2), [0, 1])
    data = dumps(est)

    def change(body: dict[str, Any]) -> None:
        body["state"]["_a_private_fitted_attribute"] = 1

    assert loads(_edit(data, change))._a_private_fitted_attribute == 1


# -- ColumnTransformer files ----------------------------------------------------
@pytest.fixture(scope="module")
def columns_file() -> bytes:
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

    df = pd.DataFrame({"text": TEXTS, "n": np.arange(len(TEXTS), dtype=float)})
    text = make_pipeline(SpacyTokenizer(), OneHotVectorizer())
    return dumps(
        ColumnTransformer([("t", text, "text"), ("n", StandardScaler(), ["n"])]).fit(df)
    )


def _output_slice(value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body["state"]["output_indices_"]["t"] = value

    return change


@pytest.mark.parametrize(
    "value",
    [
        {"__t": "slice", "v": [0, "9"]},
        {"__t": "slice", "v": [0, 1.5, None]},
        {"__t": "slice", "v": {"start": 0}},
        {"__t": "slice", "v": [0, 1, None], "extra": 1},
    ],
    ids=["two parts", "float", "not a list", "extra key"],
)
def test_malformed_slice_is_refused(value, columns_file) -> None:
    with pytest.raises(ModelFileError, match="slice"):
        loads(_edit(columns_file, _output_slice(value)))


@pytest.mark.parametrize(
    "key, value, match",
    [
        ("remainder", "run", "remainder"),
        ("sparse_threshold", 7.0, "sparse_threshold"),
        ("transformers", {"__t": "function", "name": "os.system"}, "allow-list"),
    ],
)
def test_column_transformer_parameters_are_revalidated(
    key, value, match, columns_file
) -> None:
    def change(body: dict[str, Any]) -> None:
        body["state"][key] = value

    with pytest.raises(ModelFileError, match=match):
        loads(_edit(columns_file, change))


def test_column_selector_function_off_the_list_is_refused_without_running(
    columns_file, marker, monkeypatch
) -> None:
    _plant(monkeypatch, "textfeat.cli.main", marker)

    def change(body: dict[str, Any]) -> None:
        selector = {"__t": "function", "name": "textfeat.cli.main"}
        body["state"]["transformers"][1]["items"][2] = selector
        body["state"]["_columns"][1] = selector

    _refused(_edit(columns_file, change), marker, lambda m: m, match="allow-list")


def test_column_transformer_process_count_is_bounded(columns_file) -> None:
    def change(body: dict[str, Any]) -> None:
        body["state"]["n_jobs"] = 10**6

    assert loads(_edit(columns_file, change)).n_jobs <= (os.cpu_count() or 1)
