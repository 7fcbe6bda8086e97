"""Readers for token-per-line corpora: CoNLL-U and CoNLL-2003-style columns.

Both return one :class:`ConllSentence` per sentence, with the words and every
other column as lists of strings aligned with them, ready for
:class:`textfeat.windows.Tokens` (the words) and for the tags (``y``).
Errors are :class:`textfeat.io.CorpusError` naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from textfeat._files import (
    MAX_RECORD_BYTES,
    CorpusError,
    LineCounter,
    decoded_lines,
    preview,
)

__all__ = [
    "CONLLU_COLUMNS",
    "ConllSentence",
    "parse_conllu",
    "read_conll2003",
    "read_conllu",
]

#: The ten CoNLL-U columns, by the names :meth:`ConllSentence.__getitem__` uses.
CONLLU_COLUMNS: tuple[str, ...] = (
    "id",
    "form",
    "lemma",
    "upos",
    "xpos",
    "feats",
    "head",
    "deprel",
    "deps",
    "misc",
)


@dataclass(frozen=True, slots=True)
class ConllSentence:
    """One sentence of a column corpus.

    Attributes
    ----------
    words : list of str
        The word forms, in order.
    columns : dict of str to list of str
        Every column by name (``"upos"``, ``"xpos"``, ``"lemma"``... for
        CoNLL-U; the names given to :func:`read_conll2003` otherwise), each
        aligned with ``words``.
    metadata : dict of str to str
        CoNLL-U comments of the form ``# key = value`` (``sent_id``,
        ``text``...); empty for other formats.
    line : int
        Line of the file on which the sentence starts.

    Examples
    --------
    >>> s = ConllSentence(["Hi", "!"], {"upos": ["INTJ", "PUNCT"]})
    >>> s["upos"], len(s)
    (['INTJ', 'PUNCT'], 2)
    """

    words: list[str]
    columns: dict[str, list[str]]
    metadata: dict[str, str] = field(default_factory=dict)
    line: int = 1

    def __getitem__(self, name: str) -> list[str]:
        if name in ("words", "form"):
            return self.words
        try:
            return self.columns[name]
        except KeyError:
            raise KeyError(
                f"no column {name!r}; this sentence has {sorted(self.columns)}"
            ) from None

    def __len__(self) -> int:
        return len(self.words)


def read_conllu(path: str | Path) -> list[ConllSentence]:
    """Read a CoNLL-U file (Universal Dependencies) into sentences.

    Multiword-token lines (ids like ``1-2``) and empty-node lines (ids like
    ``1.1``) are skipped, so the words are the syntactic words the tags
    belong to. Comment lines ``# key = value`` go to ``metadata``.

    Parameters
    ----------
    path : str or Path
        A ``.conllu`` file (gzip if the name ends in ``.gz``).

    Returns
    -------
    list of ConllSentence
        With the columns ``lemma``, ``upos``, ``xpos``, ``feats``, ``head``,
        ``deprel``, ``deps`` and ``misc`` (``id`` and ``form`` are not kept
        as columns; ``form`` is ``words``).

    Raises
    ------
    CorpusError
        For a line without ten tab-separated columns, a bad or out-of-order
        word id, or a sentence left open at the end of the file... naming the
        file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.conllu"
    >>> rows = ["# sent_id = s1", "1-2\\tdon't\\t_\\t_\\t_\\t_\\t_\\t_\\t_\\t_",
    ...         "1\\tdo\\tdo\\tAUX\\tVBP\\t_\\t3\\taux\\t_\\t_",
    ...         "2\\tn't\\tnot\\tPART\\tRB\\t_\\t3\\tadvmod\\t_\\t_",
    ...         "2.1\\tx\\tx\\tX\\tX\\t_\\t_\\t_\\t_\\t_",
    ...         "3\\tgo\\tgo\\tVERB\\tVB\\t_\\t0\\troot\\t_\\t_", ""]
    >>> _ = p.write_text("\\n".join(rows) + "\\n")
    >>> [sent] = read_conllu(p)
    >>> sent.words, sent["upos"], sent.metadata["sent_id"]
    (['do', "n't", 'go'], ['AUX', 'PART', 'VERB'], 's1')
    """
    return [_raise(item) for item in parse_conllu(Path(path))]


def _raise(item: ConllSentence | CorpusError) -> ConllSentence:
    if isinstance(item, CorpusError):
        raise item
    return item


def parse_conllu(
    path: Path, encoding: str = "utf-8"
) -> Iterator[ConllSentence | CorpusError]:
    """Stream a CoNLL-U file: each sentence, or the error that spoils it.

    The one CoNLL-U parser of textfeat: :func:`read_conllu` raises the first
    error, :func:`textfeat.corpus.read_conllu` sends it to a quarantine and
    goes on with the next sentence.

    Parameters
    ----------
    path : Path
        The file (gzip if the name ends in ``.gz``).
    encoding : str, default="utf-8"
        Encoding of the file.

    Yields
    ------
    ConllSentence or CorpusError
        A sentence, or the first error found in it (naming file and line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.conllu"
    >>> _ = p.write_text("1\\tHi\\n\\n1\\tHi\\thi\\tINTJ\\t_\\t_\\t0\\troot\\t_\\t_\\n")
    >>> [type(x).__name__ for x in parse_conllu(p)]
    ['CorpusError', 'ConllSentence']
    """
    for _, _, item in parse_blocks(Path(path), encoding):
        yield item


def parse_blocks(
    path: Path,
    encoding: str = "utf-8",
    *,
    max_record_bytes: int = MAX_RECORD_BYTES,
    account: LineCounter | None = None,
) -> Iterator[tuple[int, int, ConllSentence | CorpusError]]:
    """:func:`parse_conllu` with each block's first and last line.

    Shared with :func:`textfeat.io.read_conllu` (one record per sentence),
    which quarantines a spoilt block whole; not in ``__all__``.
    """
    names = CONLLU_COLUMNS[2:]
    for start, end, rows, comments, bad in _blocks(
        path, encoding=encoding, max_record_bytes=max_record_bytes, account=account
    ):
        if bad is not None:
            yield start, end, bad
            continue
        meta: dict[str, str] = {}
        for _, text in comments:
            body = text[1:].strip()
            if "=" in body:
                key, value = body.split("=", 1)
                meta[key.strip()] = value.strip()
        words: list[str] = []
        cols: list[list[str]] = [[] for _ in names]
        error: CorpusError | None = None
        for line_no, text in rows:
            parts = text.split("\t")
            if len(parts) != 10:
                error = CorpusError(
                    path,
                    line_no,
                    f"expected 10 tab-separated fields in a CoNLL-U token line, "
                    f"got {len(parts)}",
                )
                break
            wid = parts[0]
            if "-" in wid or "." in wid:
                continue  # multiword token or empty node
            if not wid.isdigit() or int(wid) != len(words) + 1:
                error = CorpusError(
                    path,
                    line_no,
                    f"word id {wid!r} where {len(words) + 1} was expected",
                )
                break
            words.append(parts[1])
            for col, value in zip(cols, parts[2:], strict=True):
                col.append(value)
        if error is None and not words:
            error = CorpusError(path, start, "sentence without any word line")
        if error is not None:
            lines = sorted(comments + rows)
            error.raw = preview("\n".join(text for _, text in lines))
            yield start, end, error
        else:
            sent = ConllSentence(
                words, dict(zip(names, cols, strict=True)), meta, start
            )
            yield start, end, sent


def read_conll2003(
    path: str | Path,
    columns: Sequence[str] = ("pos", "chunk", "ner"),
    *,
    separator: str | None = None,
) -> list[ConllSentence]:
    """Read a CoNLL-2003-style file: one token a line, the word then its tags.

    Sentences are separated by blank lines; ``-DOCSTART-`` lines (document
    boundaries) are skipped.

    Parameters
    ----------
    path : str or Path
        The file (gzip if the name ends in ``.gz``).
    columns : sequence of str, default=("pos", "chunk", "ner")
        Names of the columns after the word, in order. Every line must have
        exactly ``1 + len(columns)`` fields.
    separator : str or None, default=None
        Field separator; None splits on runs of whitespace.

    Returns
    -------
    list of ConllSentence

    Raises
    ------
    CorpusError
        For a line with the wrong number of fields, naming the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_text("-DOCSTART- -X- -X- O\\n\\nEU NNP B-NP B-ORG\\n"
    ...                  "rejects VBZ B-VP O\\n\\nPeter NNP B-NP B-PER\\n")
    >>> sents = read_conll2003(p)
    >>> [s.words for s in sents], sents[0]["ner"]
    ([['EU', 'rejects'], ['Peter']], ['B-ORG', 'O'])
    """
    path = Path(path)
    names = tuple(columns)
    if len(set(names)) != len(names) or "words" in names:
        raise ValueError(
            "The 'columns' parameter of read_conll2003 must be distinct names "
            f"other than 'words'. Got {names!r} instead."
        )
    out: list[ConllSentence] = []
    for start, _, rows, _, bad in _blocks(path, comments=False):
        if bad is not None:
            raise bad
        words: list[str] = []
        cols: list[list[str]] = [[] for _ in names]
        for line_no, text in rows:
            parts = text.split(separator)
            if parts[0] == "-DOCSTART-":
                continue
            if len(parts) != len(names) + 1:
                raise CorpusError(
                    path,
                    line_no,
                    f"expected {len(names) + 1} fields (the word, then "
                    f"{', '.join(names) or 'nothing'}), got {len(parts)}",
                )
            words.append(parts[0])
            for col, value in zip(cols, parts[1:], strict=True):
                col.append(value)
        if words:
            out.append(
                ConllSentence(words, dict(zip(names, cols, strict=True)), {}, start)
            )
    return out


def _blocks(
    path: Path,
    comments: bool = True,
    encoding: str = "utf-8",
    *,
    max_record_bytes: int = MAX_RECORD_BYTES,
    account: LineCounter | None = None,
) -> Iterator[
    tuple[int, int, list[tuple[int, str]], list[tuple[int, str]], CorpusError | None]
]:
    """Blank-line separated blocks: (first line, last line, rows, comments, error).

    ``error`` is the first unreadable line of the block (undecodable, too
    long, or where a damaged file ends), or None.
    """
    rows: list[tuple[int, str]] = []
    notes: list[tuple[int, str]] = []
    bad: CorpusError | None = None
    start = end = size = 0
    for line_no, line in decoded_lines(
        path, encoding, max_record_bytes=max_record_bytes, account=account
    ):
        if isinstance(line, CorpusError):
            bad = bad or line
            start = start or line_no
            end = line_no
            continue
        text = line.rstrip("\r\n")
        if not text.strip():
            if rows or notes or bad:
                yield start, end, rows, notes, bad
            rows, notes, bad, start, size = [], [], None, 0, 0
            continue
        start = start or line_no
        end = line_no
        size += len(line)
        if bad is None and size > max_record_bytes:
            bad = CorpusError(
                path,
                line_no,
                f"sentence longer than max_record_bytes={max_record_bytes} "
                f"(from line {start}); a blank line missing?",
            )
        if bad is not None:
            rows, notes = [], []  # the block is spoilt: hold nothing more of it
            continue
        if comments and text.startswith("#"):
            notes.append((line_no, text))
        else:
            rows.append((line_no, text))
    if rows or notes or bad:
        yield start, end, rows, notes, bad
