"""Text from several fields (issue 16): ``text_field=[...]`` and ``--text-field``.

The oracle is always the same text joined by hand in Python:
``title + "\\n" + description``.
"""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from typer.testing import CliRunner

from textfeat import OneHotVectorizer, SpacyTokenizer
from textfeat.batch import BatchError, featurize, load_features
from textfeat.cli import app
from textfeat.io import (
    CorpusError,
    LineAccount,
    Quarantine,
    read_corpus,
    read_csv,
    read_jsonl,
)
from textfeat.io.persist import load, save

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "textfeat" / "data" / "topics.jsonl"
SHARED = ROOT.parent / "shared" / "corpora" / "20news"
runner = CliRunner()

NEWS = [
    {
        "id": "a",
        "title": "Rates rise",
        "description": "The bank acted.",
        "label": "econ",
    },
    {"id": "b", "title": "Team wins", "description": "A late goal.", "label": "sport"},
    {"id": "c", "title": "Markets fall", "description": "", "label": "econ"},
]
JOINED = ["Rates rise\nThe bank acted.", "Team wins\nA late goal.", "Markets fall\n"]


def write_csv(path: Path, rows: list[dict], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def two_field_rows(n: int | None = None) -> list[dict]:
    """The bundled corpus with each text split after its first sentence."""
    rows = []
    for rec in read_jsonl(BUNDLED):
        title, _, rest = rec.text.partition(". ")
        rows.append({"id": rec.id, "title": title, "body": rest, "label": rec.label})
    return rows[:n]


def joined(rows: list[dict], fields: tuple[str, ...] = ("title", "body")) -> list[str]:
    return ["\n".join(r[f] for f in fields) for r in rows]


def console(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    """Run the installed ``textfeat`` console script."""
    script = Path(sys.executable).with_name("textfeat")
    return subprocess.run(
        [str(script), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def invoke(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


# -- Python readers -------------------------------------------------------------------
def test_read_csv_joins_two_columns_with_a_newline(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "n.csv", NEWS)
    recs = list(read_csv(p, text_field=["title", "description"], label_field="label"))
    assert [r.text for r in recs] == JOINED


def test_read_csv_joins_in_the_order_given(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "n.csv", NEWS)
    recs = list(read_csv(p, text_field=("description", "title")))
    assert [r.text for r in recs][:2] == [
        "The bank acted.\nRates rise",
        "A late goal.\nTeam wins",
    ]


def test_read_jsonl_joins_two_fields_with_a_newline(tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "n.jsonl", NEWS)
    recs = list(read_jsonl(p, text_field=["title", "description"]))
    assert [r.text for r in recs] == JOINED
    assert [r.id for r in recs] == ["a", "b", "c"]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".jsonl.gz"])
def test_read_corpus_joins_fields_in_every_field_format(
    tmp_path: Path, suffix: str
) -> None:
    p = tmp_path / f"n{suffix}"
    if "jsonl" in suffix:
        body = "".join(json.dumps(r) + "\n" for r in NEWS).encode()
        p.write_bytes(gzip.compress(body) if suffix.endswith(".gz") else body)
    else:
        write_csv(p, NEWS, "\t" if suffix == ".tsv" else ",")
    texts = [r.text for r in read_corpus(p, text_field=["title", "description"])]
    assert texts == JOINED


def test_a_one_name_list_is_the_name(tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "n.jsonl", NEWS)
    assert list(read_jsonl(p, text_field=["title"])) == list(
        read_jsonl(p, text_field="title")
    )


def test_three_fields(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "n.csv", NEWS)
    recs = read_csv(p, text_field=["title", "label", "description"])
    assert next(recs).text == "Rates rise\necon\nThe bank acted."


def test_read_csv_deprecated_text_column_alias_takes_a_list(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "n.csv", NEWS)
    with pytest.warns(FutureWarning, match="'text_column' parameter of read_csv"):
        recs = list(read_csv(p, text_column=["title", "description"]))
    assert [r.text for r in recs] == JOINED


@pytest.mark.parametrize(
    "value",
    [[], (), ["title", "title"], [1], ["title", None], {"title"}, None, 3, b"title"],
)
@pytest.mark.parametrize("reader", ["read_csv", "read_jsonl", "read_corpus"])
def test_invalid_text_field_names_the_parameter_and_value(
    tmp_path: Path, value: object, reader: str
) -> None:
    name = "n.jsonl" if reader == "read_jsonl" else "n.csv"
    p = (write_jsonl if name.endswith("jsonl") else write_csv)(tmp_path / name, NEWS)
    func = {"read_csv": read_csv, "read_jsonl": read_jsonl, "read_corpus": read_corpus}
    with pytest.raises(ValueError, match="The 'text_field' parameter of ") as err:
        func[reader](p, text_field=value)
    assert repr(value) in str(err.value)


# -- errors name the record -----------------------------------------------------------
def test_csv_missing_second_text_column_names_it_on_the_header_line(
    tmp_path: Path,
) -> None:
    p = write_csv(tmp_path / "n.csv", NEWS)
    with pytest.raises(CorpusError) as err:
        next(read_csv(p, text_field=["title", "summary"]))
    assert err.value.line == 1
    assert str(p) in str(err.value)
    assert "missing column 'summary' (a text column)" in str(err.value)


def test_csv_duplicated_second_text_column_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "n.csv"
    p.write_text("title,body,body\nx,y,z\n")
    with pytest.raises(CorpusError, match="column 'body' .* appears 2 times"):
        next(read_csv(p, text_field=["title", "body"]))


def test_csv_number_in_second_text_column_names_the_column_and_line(
    tmp_path: Path,
) -> None:
    p = tmp_path / "n.csv"
    p.write_text('"title","body"\n"ok","fine"\n"bad",42\n')
    q = Quarantine()
    recs = list(
        read_csv(p, text_field=["title", "body"], quoting="nonnumeric", quarantine=q)
    )
    assert [r.text for r in recs] == ["ok\nfine"]
    assert q.entries[0]["line"] == 3
    assert "column 'body' is 42.0, a number" in q.entries[0]["reason"]


def test_jsonl_missing_second_field_raises_naming_file_and_line(
    tmp_path: Path,
) -> None:
    rows = [NEWS[0], {"id": "x", "title": "No body", "label": "econ"}]
    p = write_jsonl(tmp_path / "n.jsonl", rows)
    recs = read_jsonl(p, text_field=["title", "description"])
    next(recs)
    with pytest.raises(CorpusError) as err:
        next(recs)
    assert (err.value.path, err.value.line) == (str(p), 2)
    assert "missing field 'description'" in str(err.value)


def test_jsonl_missing_field_is_quarantined_and_lines_balance(tmp_path: Path) -> None:
    rows = [NEWS[0], {"id": "x", "title": "No body"}, NEWS[1]]
    p = write_jsonl(tmp_path / "n.jsonl", rows)
    q, acc = Quarantine(), LineAccount()
    recs = list(
        read_jsonl(p, text_field=["title", "description"], quarantine=q, accounting=acc)
    )
    assert [r.id for r in recs] == ["a", "b"]
    assert [(e["file"], e["line"], e["reason"]) for e in q.entries] == [
        (str(p), 2, "missing field 'description'")
    ]
    assert acc.check()


def test_jsonl_null_in_one_field_is_an_error_as_for_one_field(tmp_path: Path) -> None:
    rows = [{"title": "x", "description": None}]
    p = write_jsonl(tmp_path / "n.jsonl", rows)
    with pytest.raises(CorpusError) as several:
        next(read_jsonl(p, text_field=["title", "description"]))
    with pytest.raises(CorpusError) as one:
        next(read_jsonl(p, text_field="description"))
    assert str(several.value) == str(one.value)
    assert "line 1: field 'description' is NoneType, not a string" in str(one.value)


def test_jsonl_non_string_first_field_is_named(tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "n.jsonl", [{"title": 7, "description": "y"}])
    with pytest.raises(CorpusError, match="field 'title' is int, not a string"):
        next(read_jsonl(p, text_field=["title", "description"]))


def test_jsonl_repeated_second_text_key_is_ambiguous(tmp_path: Path) -> None:
    p = tmp_path / "n.jsonl"
    p.write_text('{"title": "x", "body": "y", "body": "z"}\n')
    with pytest.raises(CorpusError, match="field 'body' appears more than once"):
        next(read_jsonl(p, text_field=["title", "body"]))


# -- featurize: the same features, and the fields are part of the run --------------
@pytest.fixture(scope="module")
def pipe() -> object:
    p = make_pipeline(SpacyTokenizer(), OneHotVectorizer())
    return p.fit(joined(two_field_rows()))


def test_featurize_two_fields_equals_the_joined_text(pipe, tmp_path: Path) -> None:
    rows = two_field_rows(60)
    p = write_csv(tmp_path / "n.csv", rows)
    featurize(pipe, p, tmp_path / "out", text_field=["title", "body"], quiet=True)
    X, ids, _ = load_features(tmp_path / "out")
    assert (X != pipe.transform(joined(rows))).nnz == 0
    assert ids.tolist() == [r["id"] for r in rows]


def test_resume_with_other_text_fields_is_refused(pipe, tmp_path: Path) -> None:
    p = write_csv(tmp_path / "n.csv", two_field_rows(20))
    out = tmp_path / "out"
    featurize(pipe, p, out, text_field=["title", "body"], quiet=True)
    with pytest.raises(BatchError, match=r"cannot resume.*reader differ"):
        featurize(pipe, p, out, text_field=["body", "title"], resume=True, quiet=True)
    with pytest.raises(BatchError, match=r"cannot resume.*reader differ"):
        featurize(pipe, p, out, text_field="title", resume=True, quiet=True)


def test_resume_with_the_same_fields_as_a_tuple_is_accepted(
    pipe, tmp_path: Path
) -> None:
    p = write_csv(tmp_path / "n.csv", two_field_rows(20))
    out = tmp_path / "out"
    featurize(pipe, p, out, text_field=["title", "body"], quiet=True)
    report = featurize(
        pipe, p, out, text_field=("title", "body"), resume=True, quiet=True
    )
    assert report.n_skipped == report.n_shards == 1


def test_run_json_keeps_one_name_as_a_string(pipe, tmp_path: Path) -> None:
    p = write_csv(tmp_path / "n.csv", two_field_rows(5))
    featurize(pipe, p, tmp_path / "out", text_field=["title"], quiet=True)
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["reader"]["text_field"] == "title"


# -- the console script -------------------------------------------------------------
def test_console_featurize_csv_and_jsonl_equal_the_joined_text(
    pipe, tmp_path: Path
) -> None:
    rows = two_field_rows(80)
    model = tmp_path / "m.tfm"
    save(pipe, model)
    expected = pipe.transform(joined(rows))
    write_csv(tmp_path / "n.csv", rows)
    write_jsonl(tmp_path / "n.jsonl", rows)
    for name, flags in (
        ("n.csv", ["--text-field", "title,body"]),
        ("n.jsonl", ["--text-field", "title", "--text-field", "body"]),
    ):
        out = tmp_path / f"out-{name}"
        result = console("featurize", model, name, out, "-q", *flags, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        X, _, labels = load_features(out)
        assert (X != expected).nnz == 0, name
        assert labels.tolist() == [r["label"] for r in rows]


def test_console_resume_with_other_fields_exits_1(pipe, tmp_path: Path) -> None:
    model = tmp_path / "m.tfm"
    save(pipe, model)
    write_csv(tmp_path / "n.csv", two_field_rows(10))
    first = console(
        "featurize",
        model,
        "n.csv",
        "out",
        "-q",
        "--text-field",
        "title,body",
        cwd=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    again = console(
        "featurize", model, "n.csv", "out", "-q", "--resume",
        "--text-field", "body,title", cwd=tmp_path,
    )  # fmt: skip
    assert again.returncode == 1
    assert "cannot resume" in again.stderr and "reader" in again.stderr


def test_console_fit_on_two_columns_equals_fit_on_the_joined_column(
    tmp_path: Path,
) -> None:
    rows = two_field_rows()
    write_csv(tmp_path / "two.csv", rows)
    one = [
        {"id": r["id"], "text": t, "label": r["label"]}
        for r, t in zip(rows, joined(rows), strict=True)
    ]
    write_csv(tmp_path / "one.csv", one)
    a = console(
        "fit",
        "two.csv",
        "-q",
        "-o",
        "a.tfm",
        "--text-field",
        "title",
        "--text-field",
        "body",
        cwd=tmp_path,
    )
    b = console("fit", "one.csv", "-q", "-o", "b.tfm", cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    probe = joined(rows[:50])
    np.testing.assert_array_equal(
        load(tmp_path / "a.tfm").predict_proba(probe),
        load(tmp_path / "b.tfm").predict_proba(probe),
    )


def test_console_missing_field_names_the_record(tmp_path: Path) -> None:
    rows = [*two_field_rows(3), {"id": "x", "title": "lonely", "label": "space"}]
    write_jsonl(tmp_path / "n.jsonl", rows)
    result = console("fit", "n.jsonl", "-q", "--text-field", "title,body", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: n.jsonl, line 4: missing field 'body'"


# -- the command line through CliRunner -----------------------------------------------
@pytest.fixture
def model(pipe, tmp_path: Path) -> Path:
    from textfeat.io.config import load_config

    full = load_config().fit(
        joined(two_field_rows()), [r["label"] for r in two_field_rows()]
    )
    path = tmp_path / "full.tfm"
    save(full, path)
    return path


def test_evaluate_two_columns_equals_the_joined_column(
    model: Path, tmp_path: Path
) -> None:
    rows = two_field_rows(90)
    write_csv(tmp_path / "two.csv", rows)
    one = [
        {"text": t, "label": r["label"]}
        for r, t in zip(rows, joined(rows), strict=True)
    ]
    write_csv(tmp_path / "one.csv", one)
    a = invoke(
        "evaluate", model, tmp_path / "two.csv", "--json", "--text-field", "title,body"
    )
    b = invoke("evaluate", model, tmp_path / "one.csv", "--json")
    assert a.exit_code == 0, a.output
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_select_two_columns_equals_the_joined_column(
    model: Path, tmp_path: Path
) -> None:
    rows = two_field_rows(90)
    write_jsonl(tmp_path / "two.jsonl", rows)
    one = [
        {"text": t, "label": r["label"]}
        for r, t in zip(rows, joined(rows), strict=True)
    ]
    write_jsonl(tmp_path / "one.jsonl", one)
    for name, flags in (
        ("two", ["--text-field", "title", "--text-field", "body"]),
        ("one", []),
    ):
        result = invoke(
            "select",
            model,
            tmp_path / f"{name}.jsonl",
            "-q",
            "--report",
            tmp_path / f"{name}.md",
            *flags,
        )
        assert result.exit_code == 0, result.output
    a = (tmp_path / "two.md").read_text().splitlines()[1:]
    b = (tmp_path / "one.md").read_text().splitlines()[1:]
    assert a == b


def test_escaped_comma_names_one_column_with_a_comma(pipe, tmp_path: Path) -> None:
    p = tmp_path / "n.csv"
    p.write_text('"a,b",c\nrocket launch,ignored\n')
    model = tmp_path / "m.tfm"
    save(pipe, model)
    result = invoke(
        "featurize", model, p, tmp_path / "out", "-q", "--text-field", "a\\,b"
    )
    assert result.exit_code == 0, result.output
    X, _, _ = load_features(tmp_path / "out")
    assert (X != pipe.transform(["rocket launch"])).nnz == 0


def test_comma_list_and_repeated_flags_are_the_same(pipe, tmp_path: Path) -> None:
    p = write_csv(tmp_path / "n.csv", two_field_rows(12))
    model = tmp_path / "m.tfm"
    save(pipe, model)
    outs = []
    for i, flags in enumerate(
        (
            ["--text-field", "title,body"],
            ["--text-field", "title", "--text-field", "body"],
        )
    ):
        out = tmp_path / f"o{i}"
        result = invoke("featurize", model, p, out, "-q", *flags)
        assert result.exit_code == 0, result.output
        outs.append(load_features(out)[0])
    assert (outs[0] != outs[1]).nnz == 0


@pytest.mark.parametrize("value", ["title,", ",title", "title,,body", ""])
def test_empty_name_in_text_field_is_a_usage_error(
    model: Path, tmp_path: Path, value: str
) -> None:
    p = write_csv(tmp_path / "n.csv", two_field_rows(5))
    result = invoke("fit", p, "-o", tmp_path / "x.tfm", "--text-field", value)
    assert result.exit_code == 2
    assert "--text-field" in result.output and "empty name" in result.output


def test_duplicate_name_in_text_field_is_a_user_error(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "n.csv", two_field_rows(5))
    result = invoke("fit", p, "-o", tmp_path / "x.tfm", "--text-field", "title,title")
    assert result.exit_code == 1
    assert (
        "The 'text_field' parameter" in result.output
        and "'title' twice" in result.output
    )


# -- a real corpus ------------------------------------------------------------------
@pytest.mark.corpus
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/corpora/20news is absent")
def test_20news_subject_and_body_equal_the_joined_text(pipe, tmp_path: Path) -> None:
    src = next(SHARED.glob("*test*.jsonl.gz"))
    rows = []
    for rec in read_jsonl(src):
        head, _, body = rec.text.partition("\n\n")
        rows.append({"id": rec.id, "head": head, "body": body, "label": rec.label})
        if len(rows) == 150:
            break
    write_csv(tmp_path / "news.csv", rows)
    model = tmp_path / "m.tfm"
    save(pipe, model)
    result = console(
        "featurize", model, "news.csv", "out", "-q", "--text-field", "head,body",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    X, ids, _ = load_features(tmp_path / "out")
    assert ids.tolist() == [r["id"] for r in rows]
    assert (X != pipe.transform(joined(rows, ("head", "body")))).nnz == 0


@pytest.mark.parametrize("suffix", [".txt", ".conllu", "dir"])
def test_several_fields_for_a_format_without_fields_is_refused(
    tmp_path: Path, suffix: str
) -> None:
    p = tmp_path / f"c{suffix}" if suffix != "dir" else tmp_path / "folder"
    if suffix == "dir":
        (p / "pos").mkdir(parents=True)
        (p / "pos" / "a.txt").write_text("good")
    else:
        p.write_text(
            "1\tHi\thi\tX\t_\t_\t0\troot\t_\t_\n\n" if suffix == ".conllu" else "hi\n"
        )
    with pytest.raises(ValueError, match="names several fields .* has no fields"):
        read_corpus(p, text_field=["title", "body"])
    assert len(list(read_corpus(p, text_field=["text"]))) == 1


def test_console_several_fields_for_a_text_file_exits_1(pipe, tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("a rocket\n")
    model = tmp_path / "m.tfm"
    save(pipe, model)
    result = invoke(
        "featurize",
        model,
        tmp_path / "c.txt",
        tmp_path / "out",
        "-q",
        "--text-field",
        "a,b",
    )
    assert result.exit_code == 1
    assert "has no fields" in result.output
