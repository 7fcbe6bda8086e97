"""Corpus readers that stream records and name the file and line of any error."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["CorpusError", "Record", "load_jsonl", "read_jsonl"]


class CorpusError(ValueError):
    """A record could not be read; the message names the file and line."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{path}, line {line}: {reason}")


@dataclass(frozen=True, slots=True)
class Record:
    """One document of a corpus.

    Attributes
    ----------
    id : str
        The record's own id, or ``<file>:<line>`` when it has none.
    text : str
        The document.
    label : Any
        Its label, or None for unlabelled corpora.
    """

    id: str
    text: str
    label: Any = None


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="strict")
    return path.open("r", encoding="utf-8", errors="strict")


def read_jsonl(
    path: str | Path,
    *,
    text_field: str = "text",
    label_field: str | None = "label",
    id_field: str | None = "id",
) -> Iterator[Record]:
    """Stream the records of a JSON Lines file (gzip if it ends in ``.gz``).

    Parameters
    ----------
    path : str or Path
        One JSON object a line. Blank lines are not records and are passed
        over.
    text_field : str, default="text"
        Key of the document text (a string).
    label_field : str or None, default="label"
        Key of the label; None for unlabelled files. A record without it
        gets ``label=None``.
    id_field : str or None, default="id"
        Key of the record's id; when absent the id is ``<file>:<line>``.

    Yields
    ------
    Record

    Raises
    ------
    CorpusError
        For undecodable bytes, a line that is not a JSON object, or a
        missing or non-string text field, naming the file and line.

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
    with _open_text(path) as fh:
        line_no = 0
        while True:
            line_no += 1
            try:
                line = fh.readline()
            except UnicodeDecodeError as exc:
                raise CorpusError(path, line_no, f"undecodable bytes ({exc})") from exc
            if not line:
                return
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(path, line_no, f"invalid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict):
                raise CorpusError(path, line_no, "not a JSON object")
            if text_field not in obj:
                raise CorpusError(path, line_no, f"missing field {text_field!r}")
            text = obj[text_field]
            if not isinstance(text, str):
                raise CorpusError(
                    path,
                    line_no,
                    f"field {text_field!r} is {type(text).__name__}, not a string",
                )
            rid = obj.get(id_field) if id_field else None
            label = obj.get(label_field) if label_field else None
            yield Record(
                str(rid) if rid is not None else f"{path.name}:{line_no}", text, label
            )


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
