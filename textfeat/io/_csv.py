"""CSV and TSV corpora: one record per row, with named text, label and id columns."""

from __future__ import annotations

import csv
import functools
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from textfeat._files import (
    MAX_RECORD_BYTES,
    CorpusError,
    Fault,
    Line,
    physical_lines,
    preview,
)
from textfeat.io._records import (
    Item,
    Labels,
    LineAccount,
    Quarantine,
    Record,
    Skip,
    check_account,
    check_encoding,
    check_exists,
    check_limit,
    check_text_field,
    emit,
    start_account,
)

__all__ = ["QUOTING", "Quoting", "default_delimiter", "read_csv", "read_csv_fields"]


Quoting = Literal["minimal", "all", "nonnumeric", "none"]


def default_delimiter(path: Path) -> str:
    """The field separator used when none is given: a tab for ``.tsv``
    (``.tsv.gz`` too) files, else a comma.

    Examples
    --------
    >>> default_delimiter(Path("a.tsv.gz")), default_delimiter(Path("b.csv"))
    ('\\t', ',')
    """
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    return "\t" if suffixes[-1:] == [".tsv"] else ","

#: CSV quoting names and the :mod:`csv` constants they stand for.
QUOTING = {
    "minimal": csv.QUOTE_MINIMAL,
    "all": csv.QUOTE_ALL,
    "nonnumeric": csv.QUOTE_NONNUMERIC,
    "none": csv.QUOTE_NONE,
}


def _csv_dialect(
    func: str,
    delimiter: Any,
    quotechar: Any,
    quoting: Any,
    doublequote: Any,
    escapechar: Any,
) -> dict[str, Any]:
    """Validate the CSV options; return keyword arguments for ``csv.reader``."""

    def refuse(name: str, what: str, value: Any) -> ValueError:
        return ValueError(
            f"The {name!r} parameter of {func} must be {what}. Got {value!r} instead."
        )

    def one_char(value: Any) -> bool:
        return isinstance(value, str) and len(value) == 1 and value not in "\r\n"

    if not one_char(delimiter):
        raise refuse("delimiter", "one character other than a newline", delimiter)
    if not isinstance(quoting, str) or quoting not in QUOTING:
        raise refuse("quoting", f"one of {', '.join(map(repr, QUOTING))}", quoting)
    if quotechar is None:
        if quoting != "none":
            raise refuse(
                "quotechar", "one character (None only with quoting='none')", None
            )
    elif not one_char(quotechar) or quotechar == delimiter:
        raise refuse(
            "quotechar",
            "one character, not a newline nor the delimiter",
            quotechar,
        )
    if not isinstance(doublequote, bool):
        raise refuse("doublequote", "True or False", doublequote)
    if escapechar is not None and (
        not one_char(escapechar) or escapechar in (delimiter, quotechar)
    ):
        raise refuse(
            "escapechar",
            "None or one character, not a newline, the delimiter nor the quotechar",
            escapechar,
        )
    return {
        "delimiter": delimiter,
        "quotechar": quotechar,
        "quoting": QUOTING[quoting],
        "doublequote": doublequote,
        "escapechar": escapechar,
        "strict": True,
    }


def _odd_line(
    item: Line, n_held: int, too_big: bool, bad: list[tuple[int, Fault]]
) -> str:
    """The slow path of the CSV feeder: a faulty line, a NUL, or too many bytes."""
    no, text, _, fault = item
    if fault is not None:
        if fault.kind != "bytes":
            raise _Restart(fault.reason if n_held == 1 else None)
        bad.append((no, fault))
    elif "\x00" in text:
        reason = f"NUL byte on line {no} (binary data?)"
        bad.append((no, Fault("bytes", reason, preview(text))))
        text = text.replace("\x00", "\ufffd")
    if too_big:
        raise _Restart(None)
    return text


class _Restart(Exception):
    """Raised by the CSV line feeder: stop this record and resynchronise."""

    def __init__(self, reason: str | None) -> None:
        self.reason = reason


def _csv_rows(
    path: Path,
    dialect: dict[str, Any],
    encoding: str,
    limit: int,
    account: LineAccount | None,
) -> Iterator[tuple[int, int, list[Any] | None, CorpusError | None]]:
    """Parse CSV rows: ``(first line, last line, fields or None, error or None)``.

    ``csv`` pulls physical lines through ``feed``, which remembers the lines
    of the record in progress (at most ``limit`` bytes of them). A record
    that cannot end well (an unterminated quote running to the end of the
    file or past ``limit`` bytes, a strict-mode quoting error, a line that
    is too long or the end of a damaged file) quarantines only its first
    line; parsing resumes on the next line, replaying the lines held. A
    record that parses but holds an undecodable line or a NUL is quarantined
    whole.
    """
    lines = physical_lines(path, encoding, limit, account)
    held: list[Line] = []  # the lines of the record in progress
    size = 0
    bad: list[tuple[int, Fault]] = []  # undecodable / NUL lines of the record

    replay: deque[Line] = deque()  # lines to parse again after a restart

    def feed() -> Iterator[str]:
        nonlocal size
        hold = held.append
        while replay:  # a new feed is made at each restart, so this runs first
            item = replay.popleft()
            hold(item)
            size += item[2]
            text = item[1]
            if item[3] is not None or size > limit or "\x00" in text:
                text = _odd_line(item, len(held), size > limit, bad)
            yield text
        for item in lines:
            hold(item)
            size += item[2]
            text = item[1]
            if item[3] is not None or size > limit or "\x00" in text:
                text = _odd_line(item, len(held), size > limit, bad)
            yield text

    reader = csv.reader(feed(), **dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except (_Restart, csv.Error, ValueError) as exc:
            start, end = held[0][0], held[-1][0]
            if isinstance(exc, _Restart) and exc.reason is not None:
                reason = exc.reason
            elif isinstance(exc, _Restart):
                last = held[-1][3]
                if last is not None and last.kind != "bytes":
                    why = f"runs into line {end}, which is not readable"
                else:
                    why = (
                        f"runs past line {end} and max_record_bytes={limit} "
                        "without ending"
                    )
                reason = (
                    f"unterminated quote or runaway record: the record starting "
                    f"on this line {why}; only this line is quarantined and "
                    "reading resumes on the next line"
                )
            elif str(exc) == "unexpected end of data":
                reason = (
                    "unterminated quote: the quoted field opened on this line "
                    f"reaches the end of the file (line {end}); only this line "
                    "is quarantined and reading resumes on the next line"
                )
            else:
                where = "" if end == start else f" (found on line {end})"
                reason = f"malformed row ({exc}){where}"
                if end != start:
                    reason += "; only this line is quarantined and reading resumes "
                    reason += "on the next line"
            first = held[0]
            raw = first[3].raw if first[3] is not None else preview(first[1])
            yield start, start, None, CorpusError(path, start, reason, raw, start)
            replay.extendleft(reversed(held[1:]))
            held.clear()
            bad.clear()
            size = 0
            reader = csv.reader(feed(), **dialect)
            continue
        start, end = held[0][0], held[-1][0]
        if bad:
            fault = bad[0][1]
            whole = "" if end == start else "; the whole record is quarantined"
            raw = "".join(
                item[3].raw if item[3] is not None else item[1] for item in held
            )
            yield (
                start,
                end,
                None,
                CorpusError(path, start, fault.reason + whole, preview(raw), end),
            )
            bad.clear()
        else:
            yield start, end, row, None
        held.clear()
        size = 0


def _iter_csv(
    path: Path,
    dialect: dict[str, Any],
    columns: tuple[tuple[str, ...], str | None, str | None],
    optional: tuple[bool, bool],
    encoding: str,
    limit: int,
    account: LineAccount | None,
) -> Iterator[Item]:
    text_columns, label_column, id_column = columns
    rows = _csv_rows(path, dialect, encoding, limit, account)
    skip_start = 0
    header: list[Any] | None = None
    for start, end, row, err in rows:
        if err is not None:
            raise CorpusError(
                path,
                start,
                f"unreadable header row: {err.reason}",
                err.raw,
                err.end_line,
            )
        if not row:
            skip_start = skip_start or start
            continue
        header = row
        yield Skip(skip_start or start, end)
        break
    if header is None:
        if skip_start:
            yield Skip(skip_start, end)
        return  # an empty file, or blank lines only: no records
    h_start, h_end = (skip_start or start), end
    several = len(text_columns) > 1
    wanted = [
        ("a text" if several else "the text", name, False) for name in text_columns
    ]
    wanted += [
        ("the label", label_column, optional[0]),
        ("the id", id_column, optional[1]),
    ]
    index: dict[str, int] = {}
    text_index: list[int] = []
    for role, name, opt in wanted:
        if name is None:
            continue
        count = header.count(name)
        if count == 0:
            if opt:
                continue
            raise CorpusError(
                path,
                h_start,
                f"missing column {name!r} ({role} column); the header has "
                f"{header!r}",
                end_line=h_end,
            )
        if count > 1:
            raise CorpusError(
                path,
                h_start,
                f"column {name!r} ({role} column) appears {count} times in "
                f"the header {header!r}; rename the duplicates",
                end_line=h_end,
            )
        if role.endswith("text"):
            text_index.append(header.index(name))
        else:
            index[role] = header.index(name)
    width = len(header)
    ti = text_index[0]
    li = index.get("the label")
    ii = index.get("the id")
    labels = Labels()
    numbers = dialect["quoting"] == csv.QUOTE_NONNUMERIC
    name = path.name
    delimiter = dialect["delimiter"]
    for start, end, row, err in rows:
        if err is not None:
            yield err
            continue
        if not row:
            yield Skip(start, end)
            continue
        if len(row) != width:
            yield CorpusError(
                path,
                start,
                f"row has {len(row)} fields, the header {width}",
                preview(delimiter.join(map(str, row))),
                end,
            )
            continue
        if several:
            parts = [row[i] for i in text_index]
            text = "\n".join(parts) if not numbers else None
        else:
            parts = None
            text = row[ti]
        if numbers:
            number = next(
                (
                    (c, v)
                    for c, v in zip(text_columns, parts or [text], strict=True)
                    if type(v) is not str
                ),
                None,
            )
            if number is not None:
                yield CorpusError(
                    path,
                    start,
                    f"column {number[0]!r} is {number[1]!r}, a number: quote the "
                    "text (quoting='nonnumeric' reads unquoted fields as numbers)",
                    preview(delimiter.join(map(str, row))),
                    end,
                )
                continue
            if parts is not None:
                text = "\n".join(parts)
        label = None
        if li is not None:
            label = row[li]
            if label == "":
                label = None
            elif numbers:  # 'nonnumeric' gives floats: one type per file
                bad = labels.problem(label, f"column {label_column!r}")
                if bad is not None:
                    yield CorpusError(
                        path, start, bad, preview(delimiter.join(map(str, row))), end
                    )
                    continue
        rid = f"{name}:{start}" if ii is None else row[ii]
        if numbers and type(rid) is not str:
            rid = str(rid)
        yield Record(rid, text, label, start, end)


def _raise_field_limit(limit: int) -> None:
    """Let ``csv`` hold fields up to ``limit`` (our own limit bounds them)."""
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


#: The options read_csv took before they had the names of the other readers
#: (deprecated in 0.2, removed in 0.3), and their names now.
_RENAMED = {
    "text_column": "text_field",
    "label_column": "label_field",
    "id_column": "id_field",
}


def _renamed_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Accept the old option names of :data:`_RENAMED` with a FutureWarning."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for old, new in _RENAMED.items():
            if old not in kwargs:
                continue
            if new in kwargs:
                raise TypeError(
                    f"{func.__name__}() got both {new!r} and its deprecated alias "
                    f"{old!r}; pass only {new!r}"
                )
            warnings.warn(
                f"The {old!r} parameter of {func.__name__} is deprecated since "
                f"textfeat 0.2 and will be removed in 0.3; use {new!r} (the name "
                "read_jsonl, read_corpus and the CLI use).",
                FutureWarning,
                stacklevel=2,
            )
            kwargs[new] = kwargs.pop(old)
        return func(*args, **kwargs)

    return wrapper


@_renamed_options
def read_csv(
    path: str | Path,
    *,
    text_field: str | Sequence[str] = "text",
    label_field: str | None = None,
    id_field: str | None = None,
    delimiter: str | None = None,
    quotechar: str | None = '"',
    quoting: Quoting = "minimal",
    doublequote: bool = True,
    escapechar: str | None = None,
    encoding: str = "utf-8",
    max_record_bytes: int = MAX_RECORD_BYTES,
    quarantine: Quarantine | None = None,
    accounting: LineAccount | None = None,
) -> Iterator[Record]:
    """Stream the rows of a CSV or TSV file with a header row.

    The options are those of :mod:`csv` (parsed in strict mode). A record
    is one row; a quoted field may span lines. A quoted field that never
    ends (it reaches the end of the file, or the record grows past
    ``max_record_bytes``) quarantines only the line where it started, and
    reading resumes on the next line, so the rows it swallowed come back.

    Parameters
    ----------
    path : str or Path
        The file (gzip if its name ends in ``.gz``). A leading UTF-8 BOM is
        not part of the first column name.
    text_field : str or list of str, default="text"
        Name of the column holding the document (the option has this name
        in every reader and ``--text-field`` in the CLI). A list or tuple of
        names reads text from several columns (a Title and a Description):
        their cells joined with a newline (``"\\n"``), in the order given;
        an empty cell is an empty string, so the newline stays.
    label_field : str or None, default=None
        Name of the label column, if any. An empty cell is a missing label
        (None).
    id_field : str or None, default=None
        Name of the id column; without it the id is ``<file>:<line>`` (the
        row's first line).
    delimiter : str or None, default=None
        Field separator (one character); None uses a tab for ``.tsv`` files
        (``.tsv.gz`` too), else a comma.
    quotechar : str or None, default='"'
        Character that quotes fields; None only with ``quoting="none"``.
    quoting : {"minimal", "all", "nonnumeric", "none"}, default="minimal"
        ``"minimal"`` and ``"all"`` read quoted fields; ``"nonnumeric"``
        also turns unquoted fields into floats (so the text column must be
        quoted); ``"none"`` makes quote characters ordinary text, one
        record a line (TSVs like the SMS Spam Collection need it).
    doublequote : bool, default=True
        Whether two quote characters inside a quoted field stand for one.
    escapechar : str or None, default=None
        Character that makes the next one literal (a delimiter, quote or
        line ending).
    encoding : str, default="utf-8"
        Encoding of the file (an ASCII-compatible codec).
    max_record_bytes : int, default=MAX_RECORD_BYTES
        Most bytes one record may span (1 MiB); at most this much is held
        to re-read after a runaway quote.
    quarantine : Quarantine or None, default=None
        Where unreadable rows go; None raises instead. An unreadable header,
        a missing column or a duplicated one is an error of the whole file
        and is always raised.
    accounting : LineAccount or None, default=None
        Filled with where each line went; the header and empty lines are
        skipped lines.

    Yields
    ------
    Record

    Raises
    ------
    ValueError
        For an invalid option, naming it.
    TypeError
        If an option is passed under both its name and its deprecated alias
        (``text_column``, ``label_column``, ``id_column``: deprecated since
        0.2, they warn with a FutureWarning and go in 0.3).
    CorpusError
        For a missing or duplicated column (any text column too; on the
        header's line), a row
        with the wrong number of fields, an unterminated quote, undecodable
        bytes or a NUL byte, naming file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.tsv"
    >>> _ = p.write_text("label\\ttext\\npos\\tgood film\\nneg\\tdull\\n")
    >>> [(r.id, r.text, r.label) for r in read_csv(p, label_field="label")]
    [('c.tsv:2', 'good film', 'pos'), ('c.tsv:3', 'dull', 'neg')]
    >>> next(read_csv(p, text_field="body"))
    Traceback (most recent call last):
    ...
    textfeat.corpus.CorpusError: ...c.tsv, line 1: missing column 'body' (the text column); the header has ['label', 'text']
    >>> r = p.with_name("news.csv")
    >>> _ = r.write_text("title,description\\nRates rise,The bank acted.\\n")
    >>> [rec.text for rec in read_csv(r, text_field=["title", "description"])]
    ['Rates rise\\nThe bank acted.']
    >>> q = pathlib.Path(tempfile.mkdtemp()) / "sms.tsv"
    >>> _ = q.write_text('label\\ttext\\nham\\t"Hi" she said\\nspam\\tWIN "now\\n')
    >>> [r.text for r in read_csv(q, quoting="none")]
    ['"Hi" she said', 'WIN "now']
    """
    return read_csv_fields(
        path,
        (text_field, label_field, id_field),
        (False, False),
        delimiter,
        quotechar,
        quoting,
        doublequote,
        escapechar,
        encoding,
        max_record_bytes,
        quarantine,
        accounting,
        "read_csv",
    )


def read_csv_fields(
    path: str | Path,
    columns: tuple[str | Sequence[str], str | None, str | None],
    optional: tuple[bool, bool],
    delimiter: str | None,
    quotechar: str | None,
    quoting: Any,
    doublequote: bool,
    escapechar: str | None,
    encoding: str,
    max_record_bytes: int,
    quarantine: Quarantine | None,
    accounting: LineAccount | None,
    func: str,
) -> Iterator[Record]:
    path = Path(path)
    text_columns = check_text_field(columns[0], func)
    for name, value in zip(("label", "id"), columns[1:], strict=True):
        if not (isinstance(value, str) or value is None):
            raise ValueError(
                f"The {name + '_field'!r} parameter of {func} (a column name) must "
                f"be a string or None. Got {value!r} instead."
            )
    if delimiter is None:
        delimiter = default_delimiter(path)
    dialect = _csv_dialect(func, delimiter, quotechar, quoting, doublequote, escapechar)
    encoding = check_encoding(encoding, func)
    limit = check_limit(max_record_bytes, func)
    account = check_account(accounting, func)
    check_exists(path)
    _raise_field_limit(limit)
    if account is not None:
        start_account(account, "line")
    cols = (text_columns, columns[1], columns[2])
    items = _iter_csv(path, dialect, cols, optional, encoding, limit, account)
    return emit(items, quarantine, account)
