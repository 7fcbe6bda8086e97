"""JSON Lines corpora: one record per JSON object (gzip if the name ends ``.gz``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from textfeat._files import (
    MAX_RECORD_BYTES,
    CorpusError,
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
    check_exists,
    check_limit,
    check_text_field,
    emit,
    line_error,
    start_account,
)

__all__ = ["load_jsonl", "read_jsonl"]


_JSON_SPACE = " \t\r\n"


def _iter_jsonl(
    path: Path,
    text_fields: tuple[str, ...],
    label_field: str | None,
    id_field: str | None,
    limit: int,
    account: LineAccount | None,
) -> Iterator[Item]:
    name = path.name
    labels = Labels()
    loads = json.loads
    single = len(text_fields) == 1
    text_field = text_fields[0]
    for no, line, _, fault in physical_lines(path, "utf-8", limit, account):
        if fault is not None:
            yield line_error(path, no, fault)
            continue
        try:
            obj = loads(line)
        except json.JSONDecodeError as exc:
            if not line.strip(_JSON_SPACE):
                yield Skip(no, no)
            else:
                yield CorpusError(path, no, f"invalid JSON ({exc.msg})", preview(line))
            continue
        except RecursionError:
            yield CorpusError(
                path, no, "invalid JSON (nested too deeply)", preview(line)
            )
            continue
        except ValueError as exc:  # e.g. an integer with too many digits
            yield CorpusError(path, no, f"invalid JSON ({exc})", preview(line))
            continue
        if type(obj) is not dict:
            yield CorpusError(
                path,
                no,
                f"not a JSON object (a JSON {type(obj).__name__})",
                preview(line),
            )
            continue
        twice = _repeated_field(line, (*text_fields, label_field, id_field))
        if twice is not None:
            yield CorpusError(
                path,
                no,
                f"field {twice!r} appears more than once in the object; which "
                "value is meant is ambiguous",
                preview(line),
            )
            continue
        if single:
            text = obj.get(text_field, _MISSING)
            bad = None if type(text) is str else _text_problem(text_field, text)
        else:
            parts = [obj.get(f, _MISSING) for f in text_fields]
            bad = next(
                (
                    _text_problem(f, v)
                    for f, v in zip(text_fields, parts, strict=True)
                    if type(v) is not str
                ),
                None,
            )
            text = None if bad is not None else "\n".join(parts)  # type: ignore[arg-type]
        if bad is not None:
            yield CorpusError(path, no, bad, preview(line))
            continue
        rid = obj.get(id_field) if id_field else None
        if rid is None:
            rid = f"{name}:{no}"
        elif type(rid) is int:
            rid = str(rid)
        elif type(rid) is not str:
            yield CorpusError(
                path,
                no,
                f"field {id_field!r} is {type(rid).__name__}; an id must be a "
                "string or an integer",
                preview(line),
            )
            continue
        label = obj.get(label_field) if label_field else None
        if label is not None:
            bad = labels.problem(label, f"field {label_field!r}")
            if bad is not None:
                yield CorpusError(path, no, bad, preview(line))
                continue
        yield Record(rid, text, label, no, no)


_MISSING = object()


def _text_problem(field: str, value: Any) -> str:
    """Why ``value`` of the text field ``field`` is not a text."""
    if value is _MISSING:
        return f"missing field {field!r}"
    return f"field {field!r} is {type(value).__name__}, not a string"


def _repeated_field(line: str, fields: tuple[str | None, ...]) -> str | None:
    """The first of ``fields`` given twice in one JSON object of ``line``.

    ``json.loads`` keeps the last of repeated keys silently. Only lines that
    could repeat one (its quoted name twice, or any escape) are parsed again,
    so the common line costs a few substring counts.
    """
    wanted = [f for f in fields if f]
    if "\\u" not in line and all(line.count(json.dumps(f)) < 2 for f in wanted):
        return None
    last: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        last[:] = [k for k, _ in items]  # the outer object comes last
        return dict(items)

    json.loads(line, object_pairs_hook=pairs)
    return next((f for f in wanted if last.count(f) > 1), None)


def read_jsonl(
    path: str | Path,
    *,
    text_field: str | Sequence[str] = "text",
    label_field: str | None = "label",
    id_field: str | None = "id",
    max_record_bytes: int = MAX_RECORD_BYTES,
    quarantine: Quarantine | None = None,
    accounting: LineAccount | None = None,
) -> Iterator[Record]:
    """Stream the records of a JSON Lines file (gzip if it ends in ``.gz``).

    Parameters
    ----------
    path : str or Path
        One JSON object a line, UTF-8 (a leading BOM is dropped). Blank
        lines (JSON whitespace only) are not records and are skipped.
    text_field : str or list of str, default="text"
        Key of the document text (a string, passed on exactly as decoded,
        lone surrogates from ``\\ud800`` escapes included). A list or tuple
        of keys reads text from several fields: their values joined with a
        newline (``"\\n"``), in the order given. Each must be present and a
        string (null is not a text: write ``""`` for an empty one); a record
        where one is not is an error naming that field, like a missing text.
    label_field : str or None, default="label"
        Key of the label; None for unlabelled files. A record without it
        (or with null) gets ``label=None``. A label must be a string,
        integer, finite float or boolean, of one type within the file.
    id_field : str or None, default="id"
        Key of the record's id (a string or integer); when absent the id is
        ``<file>:<line>``.
    max_record_bytes : int, default=MAX_RECORD_BYTES
        Longest line read (1 MiB); a longer one is quarantined unread.
    quarantine : Quarantine or None, default=None
        Where unreadable records go; None raises instead.
    accounting : LineAccount or None, default=None
        Filled with where each line went.

    Yields
    ------
    Record

    Raises
    ------
    ValueError
        For an invalid option, naming it.
    CorpusError
        For undecodable bytes, a line that is not a JSON object (or is
        nested too deeply), a missing or non-string text field (any of
        several), a label or
        id of the wrong type, an over-long line, or a gzip file that ends
        abruptly, naming the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = p.write_text('{"text": "hi", "label": "x"}\\n{"text": 3}\\n')
    >>> it = read_jsonl(p)
    >>> next(it).text
    'hi'
    >>> next(it)
    Traceback (most recent call last):
    ...
    textfeat.corpus.CorpusError: ...c.jsonl, line 2: field 'text' is int, not a string
    """
    path = Path(path)
    text_fields = check_text_field(text_field, "read_jsonl")
    for name, value in (("label_field", label_field), ("id_field", id_field)):
        if not (isinstance(value, str) or value is None):
            raise ValueError(
                f"The '{name}' parameter of read_jsonl must be a string or None. "
                f"Got {value!r} instead."
            )
    limit = check_limit(max_record_bytes, "read_jsonl")
    account = check_account(accounting, "read_jsonl")
    check_exists(path)
    if account is not None:
        start_account(account, "line")
    items = _iter_jsonl(path, text_fields, label_field, id_field, limit, account)
    return emit(items, quarantine, account)


def load_jsonl(
    path: str | Path, **kwargs: Any
) -> tuple[list[str], list[Any], list[str]]:
    """Read a whole JSON Lines corpus into lists: texts, labels and ids.

    Parameters
    ----------
    path : str or Path
        As in :func:`read_jsonl`.
    **kwargs
        Passed to :func:`read_jsonl`.

    Returns
    -------
    texts : list of str
    labels : list
    ids : list of str

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = p.write_text('{"id": "a", "text": "hi", "label": 1}\\n')
    >>> load_jsonl(p)
    (['hi'], [1], ['a'])
    """
    texts, labels, ids = [], [], []
    for rec in read_jsonl(path, **kwargs):
        texts.append(rec.text)
        labels.append(rec.label)
        ids.append(rec.id)
    return texts, labels, ids
