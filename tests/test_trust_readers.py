"""Issue 10, readers: nothing lost, nothing trusted.

Every physical line of the input ends in exactly one record, written or
quarantined, or is counted as skipped (checked with ``LineAccount``); a
written text equals the record's text in the file; odd bytes never crash a
reader.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import pickle
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import textfeat.corpus as tc
from textfeat.corpus import CorpusError, Quarantine, Record, read_corpus

BOM = b"\xef\xbb\xbf"


def read_all(path: Path, **kwargs: Any) -> tuple[list[Record], Quarantine, Any]:
    """Read with a quarantine and an account; the account must balance."""
    q, acc = Quarantine(), tc.LineAccount()
    recs = list(read_corpus(path, quarantine=q, accounting=acc, **kwargs))
    assert acc.check()
    return recs, q, acc


def spans(q: Quarantine) -> list[tuple[int, int]]:
    return [(e["line"], e["end_line"]) for e in q.entries]


# -- runaway quotes -----------------------------------------------------------------
def thousand_rows(tmp_path: Path, bad_row: int = 500) -> Path:
    lines = ["id,text"]
    for i in range(1, 1001):
        lines.append(f'{i},"open quote {i}' if i == bad_row else f"{i},row {i}")
    p = tmp_path / "c.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_runaway_quote_to_end_of_file_loses_only_its_own_line(tmp_path: Path) -> None:
    recs, q, acc = read_all(thousand_rows(tmp_path), id_field="id")
    assert [r.id for r in recs] == [str(i) for i in range(1, 1001) if i != 500]
    assert recs[-1].text == "row 1000" and recs[499].line == 502
    assert spans(q) == [(501, 501)]  # row 500 is on physical line 501
    assert q.entries[0]["reason"].startswith("unterminated quote")
    assert q.entries[0]["raw"] == '500,"open quote 500\n'
    assert acc.as_dict() == {
        "unit": "line",
        "lines_read": 1001,
        "lines_in_records": 999,
        "lines_in_quarantined": 1,
        "lines_skipped": 1,
    }


def test_runaway_quote_without_quarantine_names_file_and_line(tmp_path: Path) -> None:
    p = thousand_rows(tmp_path)
    with pytest.raises(CorpusError, match=r"c\.csv, line 501: unterminated quote"):
        list(read_corpus(p))


def test_runaway_quote_past_the_record_limit_resynchronises(tmp_path: Path) -> None:
    # the quote closes 300 lines later (another quoted field), far past the limit
    body = ['1,"never closed'] + [f"{i},plain {i}" for i in range(2, 300)]
    body.append('300,"quoted, ok"')
    p = tmp_path / "c.csv"
    p.write_text("id,text\n" + "\n".join(body) + "\n", encoding="utf-8")
    recs, q, _ = read_all(p, id_field="id", max_record_bytes=200)
    assert [r.id for r in recs] == [str(i) for i in range(2, 301)]
    assert recs[-1].text == "quoted, ok"
    assert spans(q) == [(2, 2)] and "max_record_bytes=200" in q.entries[0]["reason"]


def test_runaway_quote_closed_by_a_later_quote_is_not_a_record(tmp_path: Path) -> None:
    # strict parsing stops at the next quote; the rows in between come back
    p = tmp_path / "c.csv"
    p.write_text('text,label\n"open,a\nb,b\nc,c\n"d",d\n', encoding="utf-8")
    recs, q, _ = read_all(p)
    assert [(r.text, r.label) for r in recs] == [("b", "b"), ("c", "c"), ("d", "d")]
    assert spans(q) == [(2, 2)]


def test_quoted_multiline_record_keeps_its_line_range(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(b'text,label\r\n"one\r\ntwo\rthree",x\r\nnext,y\r\n')
    recs, _, _ = read_all(p)
    assert recs[0].text == "one\r\ntwo\rthree"  # line endings inside kept as is
    assert [(r.line, r.end_line) for r in recs] == [(2, 4), (5, 5)]


# -- a record is written whole or quarantined whole ----------------------------------
def test_multiline_field_with_undecodable_line_is_quarantined_whole(
    tmp_path: Path,
) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(b'text,label\nok,a\n"first\ncaf\xe9\nlast",b\nafter,c\n')
    recs, q, acc = read_all(p)
    assert [r.text for r in recs] == ["ok", "after"]
    assert spans(q) == [(3, 5)]
    assert "undecodable" in q.entries[0]["reason"]
    assert q.entries[0]["raw"] == '"first\ncaf\\xe9\nlast",b\n'
    assert acc.lines_in_quarantined == 3


@pytest.mark.parametrize(
    "body",
    [b"a\x00b,x\n", b'"multi\nli\x00ne",x\n'],
    ids=["one line", "inside a quoted field"],
)
def test_nul_byte_in_csv_is_quarantined_not_a_crash(
    tmp_path: Path, body: bytes
) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(b"text,label\n" + body + b"fine,y\n")
    recs, q, _ = read_all(p)
    assert [r.text for r in recs] == ["fine"]
    assert "NUL" in q.entries[0]["reason"]
    assert q.entries[0]["end_line"] == body.count(b"\n") + 1


# -- BOMs --------------------------------------------------------------------------
ROW = "1\tHi\thi\tINTJ\t_\t_\t0\troot\t_\t_"


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("c.csv", b"text,label\r\nhi,x\r\n", Record("c.csv:2", "hi", "x")),
        ("c.jsonl", b'{"text": "hi"}\n', Record("c.jsonl:1", "hi")),
        ("c.txt", b"hi\n", Record("c.txt:1", "hi")),
        ("c.conllu", f"# sent_id = s1\n{ROW}\n\n".encode(), Record("s1", "Hi")),
    ],
)
def test_utf8_bom_is_not_part_of_the_first_record(
    tmp_path: Path, name: str, body: bytes, expected: Record
) -> None:
    p = tmp_path / name
    p.write_bytes(BOM + body)
    recs, q, _ = read_all(p)
    assert recs == [expected] and q.count == 0
    assert "\ufeff" not in recs[0].id + recs[0].text


def test_utf8_bom_in_a_folder_corpus_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "doc").write_bytes(BOM + b"hello")
    assert [r.text for r in read_corpus(tmp_path)] == ["hello"]


# -- truncated and corrupt gzip --------------------------------------------------------
def truncated(tmp_path: Path, name: str, lines: list[str]) -> Path:
    data = gzip.compress("".join(lines).encode())
    p = tmp_path / name
    p.write_bytes(data[: len(data) // 2])
    return p


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("c.jsonl.gz", '{{"text": "document number {}"}}\n'),
        ("c.csv.gz", "document number {},x\n"),
        ("c.txt.gz", "document number {}\n"),
    ],
)
def test_truncated_gzip_keeps_what_was_read_and_reports_the_rest(
    tmp_path: Path, name: str, line: str
) -> None:
    header = ["text,label\n"] if ".csv" in name else []
    p = truncated(tmp_path, name, header + [line.format(i) for i in range(4000)])
    recs, q, acc = read_all(p)
    assert recs and q.count == 1
    assert [r.text for r in recs] == [f"document number {i}" for i in range(len(recs))]
    [entry] = q.entries
    assert entry["line"] == acc.lines_read and "ends abruptly" in entry["reason"]
    with pytest.raises(CorpusError, match=rf"line {entry['line']}: the file ends"):
        list(read_corpus(p))


def test_corrupt_gzip_stream_is_a_corpus_error(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(b"".join(b"line %d\n" % i for i in range(3000))))
    data[len(data) // 2 : len(data) // 2 + 8] = b"\xff" * 8
    p = tmp_path / "c.txt.gz"
    p.write_bytes(bytes(data))
    _, q, _ = read_all(p)
    assert q.count == 1 and "ends abruptly or cannot be read" in q.entries[0]["reason"]


def test_not_a_gzip_file_at_all(tmp_path: Path) -> None:
    p = tmp_path / "c.jsonl.gz"
    p.write_bytes(b'{"text": "plain"}\n')
    with pytest.raises(CorpusError, match=r"line 1: the file ends abruptly"):
        list(read_corpus(p))


# -- folder corpora: only regular files are opened ------------------------------------
def read_dir_guarded(root: Path, **kwargs: Any) -> tuple[list[Record], Quarantine, Any]:
    """Read in a thread so that a reader that blocks (a FIFO) fails the test."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = read_all(root, **kwargs)
        except BaseException as exc:
            out["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the reader blocked (opened a FIFO?)"
    if "error" in out:
        raise out["error"]
    return out["value"]


def folder(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "a").mkdir(parents=True)
    (root / "a" / "1.txt").write_text("one\ntwo\n")
    return root


def test_fifo_in_folder_corpus_is_reported_never_opened(tmp_path: Path) -> None:
    root = folder(tmp_path)
    os.mkfifo(root / "a" / "pipe")
    recs, q, acc = read_dir_guarded(root)
    assert [r.id for r in recs] == ["a/1.txt"]
    assert [Path(e["file"]).name for e in q.entries] == ["pipe"]
    assert "FIFO" in q.entries[0]["reason"]
    assert (acc.unit, acc.lines_read, acc.lines_in_quarantined) == ("file", 2, 1)


def test_socket_and_device_in_folder_corpus_are_reported(tmp_path: Path) -> None:
    root = folder(tmp_path)
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(root / "a" / "sock"))
        (root / "a" / "null").symlink_to("/dev/null")
        _, q, _ = read_dir_guarded(root)
    finally:
        sock.close()
    assert sorted((Path(e["file"]).name, e["reason"][:12]) for e in q.entries) == [
        ("null", "a character "),
        ("sock", "a socket, no"),
    ]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: (d / "gone").symlink_to(d / "missing"), "dangling symbolic link"),
        (lambda d: (d / "self").symlink_to(d / "self"), "symbolic link loop"),
        (lambda d: (d / "up").symlink_to(d.parent), "folder loop"),
    ],
    ids=["dangling", "self-loop", "link to an ancestor"],
)
def test_bad_links_in_folder_corpus_are_reported(
    tmp_path: Path, make: Any, reason: str
) -> None:
    root = folder(tmp_path)
    make(root / "a")
    recs, q, _ = read_dir_guarded(root)
    assert [r.id for r in recs] == ["a/1.txt"]
    assert q.count == 1 and reason in q.entries[0]["reason"]


def test_link_to_a_regular_file_is_followed(tmp_path: Path) -> None:
    root = folder(tmp_path)
    (tmp_path / "outside.txt").write_text("linked")
    (root / "a" / "2.txt").symlink_to(tmp_path / "outside.txt")
    recs, _, _ = read_dir_guarded(root)
    assert [(r.id, r.text) for r in recs] == [
        ("a/1.txt", "one\ntwo\n"),
        ("a/2.txt", "linked"),
    ]
    assert (recs[0].line, recs[0].end_line) == (1, 2)


def test_unreadable_file_in_folder_corpus_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = folder(tmp_path)
    (root / "a" / "locked").write_text("secret")
    real_open = os.open

    def deny(path: Any, flags: int, *args: Any) -> int:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", deny)
    recs, q, _ = read_dir_guarded(root)
    assert [r.id for r in recs] == ["a/1.txt"]
    assert q.entries[0]["reason"] == "cannot open (Permission denied)"


def test_excluded_output_folder_inside_the_corpus_is_not_read(tmp_path: Path) -> None:
    root = folder(tmp_path)
    out = root / "out"
    out.mkdir()
    (out / "run.json").write_text("{}")
    (out / "shard-00000.json").write_text("{}")
    recs, q, acc = read_dir_guarded(root, exclude=[out])
    assert [r.id for r in recs] == ["a/1.txt"] and q.count == 0
    assert acc.lines_read == 1  # excluded files are counted nowhere


def test_folder_file_larger_than_the_limit_is_not_read(tmp_path: Path) -> None:
    root = folder(tmp_path)
    (root / "a" / "big").write_bytes(b"x" * 5000)
    recs, q, _ = read_dir_guarded(root, max_record_bytes=1000)
    assert [r.id for r in recs] == ["a/1.txt"]
    assert "larger than max_record_bytes=1000" in q.entries[0]["reason"]


# -- JSON Lines: odd values ------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[" * 100_000 + b"\n", "nested too deeply"),
        (b'{"text": "a", "label": ' + b"9" * 5000 + b"}\n", "invalid JSON"),
        (b'"just a string"\n', "not a JSON object"),
        (b"null\n", "not a JSON object"),
        (b'{"text": ["a"]}\n', "field 'text' is list"),
        (b'{"text": "a", "label": [1]}\n', "label must be a string"),
        (b'{"text": "a", "label": {"k": 1}}\n', "label must be a string"),
        (b'{"text": "a", "label": NaN}\n', "must be finite"),
        (b'{"text": "a", "label": 3}\n', "labels keep one type"),
        (b'{"text": "a", "id": {"x": 1}}\n', "an id must be a string"),
        (b"\x0c\n", "invalid JSON"),
    ],
    ids=[
        "deep nesting",
        "huge integer",
        "string",
        "null",
        "text list",
        "label list",
        "label dict",
        "label NaN",
        "label int after str",
        "id dict",
        "form feed",
    ],
)
def test_jsonl_odd_values_are_quarantined(
    tmp_path: Path, line: bytes, reason: str
) -> None:
    p = tmp_path / "c.jsonl"
    p.write_bytes(b'{"text": "first", "label": "x"}\n' + line + b'{"text": "z"}\n')
    recs, q, _ = read_all(p)
    assert [r.text for r in recs] == ["first", "z"]
    assert spans(q) == [(2, 2)] and reason in q.entries[0]["reason"]


def test_jsonl_lone_surrogate_passes_through_and_quarantine_file_is_writable(
    tmp_path: Path,
) -> None:
    p = tmp_path / "c.jsonl"
    p.write_bytes(b'{"text": "a\\ud800b", "label": "x\\udfff"}\n{bad\n')
    q = Quarantine(tmp_path / "q.jsonl")
    with q:
        recs = list(read_corpus(p, quarantine=q))
        q.add(CorpusError("dir/\udcff.txt", 0, "odd name \ud800", "raw \udc80"))
    assert [(r.text, r.label) for r in recs] == [("a\ud800b", "x\udfff")]
    lines = (tmp_path / "q.jsonl").read_bytes().decode("ascii").splitlines()
    back = json.loads(lines[1])
    assert (back["file"], back["reason"], back["raw"]) == (
        "dir/\udcff.txt",
        "odd name \ud800",
        "raw \udc80",
    )


# -- odd bytes and shapes --------------------------------------------------------------
def test_lone_cr_ends_lines_in_text_and_jsonl(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_bytes(b"one\rtwo\r\rthree")
    recs, _, acc = read_all(p)
    assert [(r.text, r.line) for r in recs] == [("one", 1), ("two", 2), ("three", 4)]
    assert (acc.lines_read, acc.lines_skipped) == (4, 1)
    j = tmp_path / "c.jsonl"
    j.write_bytes(b'{"text": "a"}\r{"text": "b"}\r')
    assert [r.text for r in read_corpus(j)] == ["a", "b"]


def test_classic_mac_csv(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(b'text,label\r"a\rb",x\rc,y\r')
    recs, _, _ = read_all(p)
    assert [(r.text, r.line, r.end_line) for r in recs] == [("a\rb", 2, 3), ("c", 4, 4)]


@pytest.mark.parametrize(
    ("body", "n_skipped"),
    [(b"", 0), (b"\n\n", 2), (b"text,label\n", 1), (b"\ntext,label\n\n", 3)],
    ids=["empty", "blank lines", "header only", "header among blanks"],
)
def test_csv_without_rows_gives_no_records(
    tmp_path: Path, body: bytes, n_skipped: int
) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(body)
    recs, q, acc = read_all(p)
    assert recs == [] and q.count == 0 and acc.lines_skipped == n_skipped


def test_csv_duplicate_column_is_refused_naming_it(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("text,label,text\na,b,c\n")
    with pytest.raises(CorpusError, match=r"line 1: column 'text' .* appears 2 times"):
        list(read_corpus(p, quarantine=Quarantine()))


def test_csv_line_longer_than_the_limit(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(b"text,label\n" + b"y" * 50_000 + b",x\nnext,y\n")
    recs, q, _ = read_all(p, max_record_bytes=10_000)
    assert [r.text for r in recs] == ["next"]
    assert spans(q) == [(2, 2)] and len(q.entries[0]["raw"]) <= 8192


def test_csv_field_above_the_csv_module_default_limit(tmp_path: Path) -> None:
    text = "w " * 100_000  # 200,000 characters: more than csv's default 131,072
    p = tmp_path / "c.csv"
    p.write_text(f'text\n"{text}"\n')
    [rec] = read_corpus(p)
    assert rec.text == text


def test_text_line_longer_than_the_limit_is_quarantined(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_bytes(b"short\n" + b"z" * 300_000 + b"\r\nafter\n")
    recs, q, acc = read_all(p, max_record_bytes=100_000)
    assert [(r.text, r.line) for r in recs] == [("short", 1), ("after", 3)]
    assert spans(q) == [(2, 2)] and acc.lines_read == 3


def test_csv_empty_label_cell_is_a_missing_label(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("text,label\na,x\nb,\n")
    assert [r.label for r in read_corpus(p)] == ["x", None]


def test_conllu_error_covers_the_whole_sentence(tmp_path: Path) -> None:
    p = tmp_path / "c.conllu"
    p.write_text(f"\n# sent_id = a\n{ROW}\n\n# sent_id = b\n{ROW}\n2\tbad\n\n\n")
    recs, q, acc = read_all(p)
    assert [(r.id, r.line, r.end_line) for r in recs] == [("a", 2, 3)]
    assert spans(q) == [(5, 7)] and "(on line 7)" in q.entries[0]["reason"]
    assert "# sent_id = b" in q.entries[0]["raw"]
    assert (acc.lines_read, acc.lines_skipped) == (9, 4)


def test_conllu_sentence_without_end_is_bounded(tmp_path: Path) -> None:
    p = tmp_path / "c.conllu"
    rows = "".join(f"{i}\tw\tw\tX\t_\t_\t0\troot\t_\t_\n" for i in range(1, 200))
    p.write_text(rows + f"\n{ROW}\n")
    recs, q, acc = read_all(p, max_record_bytes=1000)
    assert [(r.text, r.line) for r in recs] == [("Hi", 201)]
    assert spans(q) == [(1, 199)] and "max_record_bytes=1000" in q.entries[0]["reason"]
    assert acc.lines_read == 201


@pytest.mark.parametrize("name", ["label_field", "id_field", "text_field"])
def test_jsonl_field_names_must_be_strings(tmp_path: Path, name: str) -> None:
    p = tmp_path / "c.jsonl"
    p.write_text('{"text": "a"}\n')
    # [1]: a list of names is a valid text_field (issue 16), a list of numbers is not
    with pytest.raises(ValueError, match=f"The '{name}' parameter of read_jsonl"):
        read_corpus(p, **{name: [1]})


# -- CSV options ---------------------------------------------------------------------
SMS = b'label\ttext\nham\t"Hi" she said\nspam\tWIN "now\nham\tok\n'


def test_quoting_none_reads_tsv_with_bare_quotes(tmp_path: Path) -> None:
    p = tmp_path / "sms.tsv"
    p.write_bytes(SMS)
    recs, q, _ = read_all(p, quoting="none")
    assert [r.text for r in recs] == ['"Hi" she said', 'WIN "now', "ok"]
    assert q.count == 0


@pytest.mark.parametrize(
    ("options", "body", "expected"),
    [
        ({"delimiter": ";"}, b'text;label\n"a;b";x\n', ("a;b", "x")),
        ({"quotechar": "'"}, b"text,label\n'a,b',x\n", ("a,b", "x")),
        ({"escapechar": "\\"}, b"text,label\na\\,b,x\n", ("a,b", "x")),
        (
            {"doublequote": False, "escapechar": "\\"},
            b'text,label\n"a\\"b",x\n',
            ('a"b', "x"),
        ),
        ({"quoting": "nonnumeric"}, b'"text","label"\n"a",1\n', ("a", 1.0)),
        ({"quoting": "all"}, b'"text","label"\n"a","1"\n', ("a", "1")),
        ({"format": "tsv"}, b"text\tlabel\na,b\tx\n", ("a,b", "x")),
    ],
    ids=[
        "delimiter",
        "quotechar",
        "escapechar",
        "no doublequote",
        "nonnumeric",
        "all",
        "tsv",
    ],
)
def test_csv_options(
    tmp_path: Path, options: dict[str, Any], body: bytes, expected: tuple[Any, Any]
) -> None:
    p = tmp_path / "c.txt"
    p.write_bytes(body)
    options = {"format": "csv", **options}
    [rec] = read_corpus(p, **options)
    assert (rec.text, rec.label) == expected


def test_nonnumeric_unquoted_text_is_quarantined(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes(b'"text","label"\n12,"x"\nabc,"y"\n"ok","z"\n')
    recs, q, _ = read_all(p, quoting="nonnumeric")
    assert [r.text for r in recs] == ["ok"] and spans(q) == [(2, 2), (3, 3)]


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"delimiter": ";;"}, "delimiter"),
        ({"delimiter": "\n"}, "delimiter"),
        ({"delimiter": 1}, "delimiter"),
        ({"quotechar": ""}, "quotechar"),
        ({"quotechar": ","}, "quotechar"),
        ({"quotechar": None}, "quotechar"),
        ({"quoting": "some"}, "quoting"),
        ({"quoting": 3}, "quoting"),
        ({"doublequote": "yes"}, "doublequote"),
        ({"escapechar": '"'}, "escapechar"),
        ({"escapechar": "\r"}, "escapechar"),
        ({"max_record_bytes": 0}, "max_record_bytes"),
        ({"max_record_bytes": True}, "max_record_bytes"),
        ({"encoding": "utf-16"}, "encoding"),
        ({"encoding": "no-such-codec"}, "encoding"),
        ({"format": "tsv", "delimiter": ","}, "delimiter"),
        ({"accounting": {}}, "accounting"),
    ],
)
def test_invalid_reader_options_name_the_parameter(
    tmp_path: Path, options: dict[str, Any], name: str
) -> None:
    p = tmp_path / "c.csv"
    p.write_text("text\na\n")
    with pytest.raises(ValueError, match=rf"The '{name}' parameter of read_corpus"):
        read_corpus(p, **options)


def test_an_account_counts_one_read(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_text("a\n")
    acc = tc.LineAccount()
    list(read_corpus(p, accounting=acc))
    with pytest.raises(ValueError, match="must be a new LineAccount"):
        read_corpus(p, accounting=acc)


def test_account_check_refuses_a_gap() -> None:
    acc = tc.LineAccount()
    acc._start("line")
    acc._take(1, 2, 0)
    acc._take(4, 4, 1)  # line 3 went nowhere
    acc.lines_read = 4
    with pytest.raises(ValueError, match="does not balance.*gap before line 3"):
        acc.check()


def test_corpus_error_keeps_its_line_range_across_pickling() -> None:
    err = CorpusError("a.csv", 3, "row has 3 fields", "raw", end_line=5)
    back = pickle.loads(pickle.dumps(err))
    assert (back.path, back.line, back.end_line, back.raw) == ("a.csv", 3, 5, "raw")
    assert str(back) == "a.csv, lines 3-5: row has 3 fields"


def test_two_stray_quotes_make_one_wrong_width_record_quarantined_whole(
    tmp_path: Path,
) -> None:
    # The quotes pair up: by CSV's rules lines 2-4 are one field, so the row
    # has one field where the header has two. It is quarantined whole (never
    # cut into records the file does not hold) and the lines still balance.
    p = tmp_path / "c.csv"
    p.write_bytes(b'text,label\n"open quote\nw,x\n"\nok,y\n')
    recs, q, acc = read_all(p)
    assert [(r.text, r.label) for r in recs] == [("ok", "y")]
    assert spans(q) == [(2, 4)]
    assert (acc.lines_in_records, acc.lines_in_quarantined, acc.lines_skipped) == (
        1,
        3,
        1,
    )


# -- fuzz ---------------------------------------------------------------------------
GOOD_TEXT = st.text(
    alphabet=st.sampled_from(list("ab ,;\t\n\r\u00e9\u4e2d")), min_size=0, max_size=12
).map(lambda s: "w" + s)  # starts with a letter: a runaway quote cannot end in it
JUNK = st.sampled_from(
    [
        b'"open quote',
        b'"',
        b"\xff\xfe bad",
        b"caf\xe9",
        b"nul\x00here",
        BOM + b"x",
        b"",
        b"\r",
    ]
)
NEWLINE = st.sampled_from(["\n", "\r\n"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(st.tuples(GOOD_TEXT, st.sampled_from(["x", "y"])), max_size=8),
    # At most one stray quote: two of them pair up into a well-formed (if
    # wrong-width) quoted field, which is one record by CSV's own rules and is
    # quarantined whole rather than cut into invented records.
    junk=st.lists(st.tuples(st.integers(0, 8), JUNK), max_size=4).filter(
        lambda j: sum(bad.startswith(b'"') for _, bad in j) <= 1
    ),
    newline=NEWLINE,
    bom=st.booleans(),
)
def test_fuzz_csv_known_records_survive_injected_faults(
    tmp_path_factory: pytest.TempPathFactory,
    records: list[tuple[str, str]],
    junk: list[tuple[int, bytes]],
    newline: str,
    bom: bool,
) -> None:
    rows = []
    for text, label in records:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow([text, label])  # quotes \r
        rows.append(buf.getvalue()[:-2].encode() + newline.encode())
    nl = newline.encode()
    for at, bad in sorted(junk, key=lambda j: j[0], reverse=True):
        rows.insert(min(at, len(rows)), bad + nl)
    p = tmp_path_factory.mktemp("fuzz") / "c.csv"
    p.write_bytes((BOM if bom else b"") + b"text,label" + nl + b"".join(rows))
    recs, _, acc = read_all(p)
    assert [(r.text, r.label) for r in recs] == records
    n_lines = sum(len(row.splitlines()) for row in rows)  # bytes: \n, \r\n, \r
    n_junk = sum(len((bad + nl).splitlines()) for _, bad in junk)
    assert acc.lines_in_records == n_lines - n_junk
    assert acc.lines_in_quarantined + acc.lines_skipped == n_junk + 1  # + header


RAW_CSV = st.lists(
    st.sampled_from(
        [
            b"a",
            b"b",
            b",",
            b'"',
            b'""',
            b"\n",
            b"\r\n",
            b"\r",
            b"\xff",
            b"\xc3",
            b"\x00",
            BOM,
            b"\t",
            b"\xe9",
        ]
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=RAW_CSV, limit=st.sampled_from([16, 64, tc.MAX_RECORD_BYTES]))
def test_fuzz_csv_bytes_every_line_accounted_for(
    tmp_path_factory: pytest.TempPathFactory, body: bytes, limit: int
) -> None:
    p = tmp_path_factory.mktemp("fuzz") / "c.csv"
    p.write_bytes(b"text,label\n" + body)
    q, acc = Quarantine(), tc.LineAccount()
    recs = list(read_corpus(p, quarantine=q, accounting=acc, max_record_bytes=limit))
    assert acc.check()
    assert acc.lines_read == len(body.splitlines()) + 1
    try:  # oracle: Python's csv module, on the files it reads without complaint
        text = body.decode("utf-8")
        if "\x00" in text:
            return
        parsed = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error):
        return
    if limit < len(body) or any(len(row) not in (0, 2) for row in parsed):
        return
    assert q.count == 0
    assert [(r.text, r.label or "") for r in recs] == [tuple(r) for r in parsed if r]
    # without a quarantine only CorpusError can escape
    assert [r.text for r in read_corpus(p)] == [r.text for r in recs]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=RAW_CSV)
def test_fuzz_csv_bytes_without_quarantine_raise_only_corpus_errors(
    tmp_path_factory: pytest.TempPathFactory, body: bytes
) -> None:
    p = tmp_path_factory.mktemp("fuzz") / "c.csv"
    p.write_bytes(b"text,label\n" + body)
    try:
        list(read_corpus(p))
    except CorpusError:
        pass


JSON_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('ab "\\\n\r\t\u00e9\u2028\x00')),
        st.sampled_from(["\ud800", "\udfff", "\U0001f600"]),
    ),
    max_size=10,
)
JSON_JUNK = st.sampled_from(
    [
        b"{bad",
        b"\xff\xfe",
        b"[1]",
        b'{"text": 1}',
        b"nul\x00",
        b'{"text": "a"',
        b"   ",
        b"",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(JSON_TEXT, max_size=8),
    junk=st.lists(st.tuples(st.integers(0, 8), JSON_JUNK), max_size=4),
    newline=st.sampled_from([b"\n", b"\r\n", b"\r"]),
    bom=st.booleans(),
    gz=st.booleans(),
)
def test_fuzz_jsonl_known_records_survive_injected_faults(
    tmp_path_factory: pytest.TempPathFactory,
    texts: list[str],
    junk: list[tuple[int, bytes]],
    newline: bytes,
    bom: bool,
    gz: bool,
) -> None:
    lines = [json.dumps({"text": t}).encode() for t in texts]
    expected = [json.loads(line)["text"] for line in lines]  # the oracle: json
    for at, bad in sorted(junk, key=lambda j: j[0], reverse=True):
        lines.insert(min(at, len(lines)), bad)
    data = (BOM if bom else b"") + b"".join(line + newline for line in lines)
    p = tmp_path_factory.mktemp("fuzz") / ("c.jsonl.gz" if gz else "c.jsonl")
    p.write_bytes(gzip.compress(data) if gz else data)
    recs, q, acc = read_all(p)
    assert [r.text for r in recs] == expected
    assert q.count == sum(1 for _, bad in junk if bad.strip())
    assert acc.lines_read == len(lines)
