"""Streaming corpus readers: every format, and each malformed case."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from textfeat.corpus import (
    CorpusError,
    Quarantine,
    Record,
    detect_format,
    read_conllu,
    read_corpus,
    read_csv,
    read_directory,
    read_jsonl,
    read_text,
)

BAD = b"caf\xe9 au lait\n"  # latin-1 bytes, not UTF-8


def test_text_one_record_per_non_blank_line(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_bytes(b"one doc\n\n  \ntwo\r\n")
    assert list(read_text(p)) == [
        Record("c.txt:1", "one doc"),
        Record("c.txt:4", "two"),
    ]


def test_text_undecodable_line_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_bytes(b"fine\n" + BAD)
    with pytest.raises(CorpusError, match=r"c\.txt, line 2: undecodable bytes") as e:
        list(read_text(p))
    assert (e.value.line, e.value.path) == (2, str(p))


def test_text_undecodable_line_goes_to_quarantine(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_bytes(BAD + b"fine\n")
    q = Quarantine(tmp_path / "q.jsonl")
    with q:
        assert [r.text for r in read_text(p, quarantine=q)] == ["fine"]
    [entry] = [json.loads(x) for x in (tmp_path / "q.jsonl").read_text().splitlines()]
    assert entry["file"] == str(p) and entry["line"] == 1
    assert "undecodable" in entry["reason"] and "caf" in entry["raw"]


def test_jsonl_gzipped(tmp_path: Path) -> None:
    p = tmp_path / "c.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write('{"id": 7, "text": "hé", "label": "x"}\n{"text": "b"}\n')
    assert list(read_jsonl(p)) == [Record("7", "hé", "x"), Record("c.jsonl.gz:2", "b")]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"{not json\n", "invalid JSON"),
        (b"[1, 2]\n", "not a JSON object"),
        (b'{"label": "x"}\n', "missing field 'text'"),
        (b'{"text": null}\n', "field 'text' is NoneType, not a string"),
        (BAD, "undecodable bytes"),
    ],
)
def test_jsonl_malformed_line_raises_with_location(
    tmp_path: Path, line: bytes, reason: str
) -> None:
    p = tmp_path / "c.jsonl"
    p.write_bytes(b'{"text": "ok"}\n' + line)
    with pytest.raises(CorpusError, match=r"c\.jsonl, line 2: ") as e:
        list(read_jsonl(p))
    assert reason in e.value.reason


def test_jsonl_quarantine_keeps_every_record_accounted_for(tmp_path: Path) -> None:
    p = tmp_path / "c.jsonl"
    p.write_bytes(b'{"text": "a"}\n{bad\n{"text": "b"}\n' + BAD + b'{"text": 1}\n')
    q = Quarantine()
    texts = [r.text for r in read_jsonl(p, quarantine=q)]
    assert texts == ["a", "b"]
    assert [e["line"] for e in q.entries] == [2, 4, 5]
    assert len(texts) + q.count == 5


def test_csv_quoted_fields_and_columns(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text('id,text,label\nr1,"a, b",x\nr2,"multi\nline",y\n', encoding="utf-8")
    recs = list(read_csv(p, label_field="label", id_field="id"))
    assert recs == [Record("r1", "a, b", "x"), Record("r2", "multi\nline", "y")]


def test_tsv_by_extension_and_line_ids(tmp_path: Path) -> None:
    p = tmp_path / "c.tsv"
    p.write_text("text\tlabel\nhello, there\tpos\n", encoding="utf-8")
    assert list(read_corpus(p)) == [Record("c.tsv:2", "hello, there", "pos")]


def test_csv_missing_column_names_file_and_line_even_with_quarantine(
    tmp_path: Path,
) -> None:
    p = tmp_path / "c.csv"
    p.write_text("body,label\nx,y\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c\.csv, line 1: missing column 'text'"):
        list(read_csv(p, quarantine=Quarantine()))


def test_csv_wrong_field_count_and_bad_bytes(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(b"text,label\nok,a\ntoo,many,fields\n" + b"caf\xe9,b\n" + b"fine,c\n")
    with pytest.raises(CorpusError, match=r"line 3: row has 3 fields, the header 2"):
        list(read_csv(p, label_field="label"))
    q = Quarantine()
    recs = list(read_csv(p, label_field="label", quarantine=q))
    assert [r.text for r in recs] == ["ok", "fine"]
    assert [(e["line"], e["reason"][:10]) for e in q.entries] == [
        (3, "row has 3 "),
        (4, "undecodabl"),
    ]


def test_conllu_sentences_and_bad_token_line(tmp_path: Path) -> None:
    row = "1\tHi\thi\tINTJ\t_\t_\t0\troot\t_\t_"
    p = tmp_path / "c.conllu"
    p.write_text(
        f"# sent_id = a\n# text = Hi\n{row}\n\n{row}\n2\tthere\n\n{row}\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match=r"lines 5-6: expected 10 tab-separated .*on line 6"):
        list(read_conllu(p))
    q = Quarantine()
    assert list(read_conllu(p, quarantine=q)) == [
        Record("a", "Hi"),
        Record("c.conllu:8", "Hi"),
    ]
    assert q.count == 1


def test_directory_labels_from_subfolders(tmp_path: Path) -> None:
    for label, name, text in [("b", "2", "two"), ("a", "1", "one"), ("a", "0", "x")]:
        (tmp_path / label).mkdir(exist_ok=True)
        (tmp_path / label / name).write_text(text, encoding="utf-8")
    (tmp_path / "README").write_text("not a document")
    assert list(read_directory(tmp_path)) == [
        Record("a/0", "x", "a"),
        Record("a/1", "one", "a"),
        Record("b/2", "two", "b"),
    ]
    assert detect_format(tmp_path) == "dir"


def test_directory_undecodable_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "bad").write_bytes(b"line one\n" + BAD)
    (tmp_path / "a" / "good").write_text("ok")
    with pytest.raises(CorpusError, match=r"bad, line 2: undecodable bytes"):
        list(read_directory(tmp_path))
    q = Quarantine()
    assert [r.id for r in read_directory(tmp_path, quarantine=q)] == ["a/good"]
    assert (
        read_directory(tmp_path, encoding="latin-1")
        .__next__()
        .text.endswith("café au lait\n")
    )


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot tell the corpus format"):
        read_corpus(tmp_path / "c.parquet")
    with pytest.raises(FileNotFoundError, match="no such file"):
        list(read_corpus(tmp_path / "missing.jsonl"))


def test_readers_stream(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_bytes(b"a\nb\n" + BAD)
    it = read_text(p)
    assert next(it).text == "a"  # no error before the bad line is reached


# -- one option name for the text, label and id across readers -----------------
def _csv_with_columns(tmp_path: Path) -> Path:
    p = tmp_path / "c.csv"
    p.write_text("id,body,tag\nr1,good film,pos\nr2,dull,neg\n")
    return p


def test_csv_takes_the_field_names_of_the_other_readers(tmp_path: Path) -> None:
    p = _csv_with_columns(tmp_path)
    recs = list(read_csv(p, text_field="body", label_field="tag", id_field="id"))
    assert [(r.id, r.text, r.label) for r in recs] == [
        ("r1", "good film", "pos"),
        ("r2", "dull", "neg"),
    ]


@pytest.mark.parametrize(
    "old, new, value",
    [("text_column", "text_field", "body"), ("label_column", "label_field", "tag"),
     ("id_column", "id_field", "id")],
)
def test_csv_old_column_option_warns_and_still_works(
    old, new, value, tmp_path: Path
) -> None:
    p = _csv_with_columns(tmp_path)
    current = {"text_field": "body", new: value}
    deprecated = {k: v for k, v in current.items() if k != new} | {old: value}
    with pytest.warns(FutureWarning, match=f"'{old}' parameter of read_csv.*use '{new}'"):
        recs = list(read_csv(p, **deprecated))
    assert recs == list(read_csv(p, **current))


@pytest.mark.parametrize(
    "old, new", [("text_column", "text_field"), ("label_column", "label_field"),
                 ("id_column", "id_field")],
)
def test_csv_option_and_its_old_alias_together_is_a_type_error(
    old, new, tmp_path: Path
) -> None:
    p = _csv_with_columns(tmp_path)
    # even when the new name is given its default value
    default = "text" if new == "text_field" else None
    with pytest.raises(TypeError, match=f"both '{new}' and its deprecated alias '{old}'"):
        read_csv(p, **{new: default, old: "body"})


def test_csv_non_string_field_names_the_option(tmp_path: Path) -> None:
    p = _csv_with_columns(tmp_path)
    with pytest.raises(ValueError, match="'label_field' parameter of read_csv"):
        read_csv(p, text_field="body", label_field=3)
