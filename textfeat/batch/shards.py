"""The shard and manifest format of a :func:`~textfeat.batch.featurize` run.

What a run writes and how it is read back: features (CSR ``.npz`` or dense
``.npy``), the records file of each shard (ids, labels and their has-label
mask; strings as UTF-8 bytes plus offsets, so every string round-trips),
the marker that says a shard is finished and intact (its checksums), and
:func:`read_manifest` / :func:`load_features` with their checks (file names
from disk are a shard's own, checksums verified). :class:`BatchError` and
:class:`BatchWarning` are the errors of the whole package.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from textfeat._files import sha256, zip_bytes

__all__ = [
    "MANIFEST_FORMAT",
    "MANIFEST_VERSION",
    "BatchError",
    "BatchWarning",
    "LabelCheck",
    "check_marker",
    "decode_rows",
    "decode_tokens",
    "encode_features",
    "encode_labels",
    "entry_files",
    "json_line",
    "load_features",
    "n_rows",
    "npz_bytes",
    "pack_strings",
    "read_checked",
    "read_manifest",
    "require_matrix",
    "stack_rows",
    "unpack_strings",
]

MANIFEST_FORMAT = "textfeat-shards"


MANIFEST_VERSION = 2


class BatchError(RuntimeError):
    """A batch run cannot start, resume or finish; the message says why.

    Examples
    --------
    >>> err = BatchError("out/: resume refused: the model changed")
    >>> isinstance(err, RuntimeError), str(err)
    (True, 'out/: resume refused: the model changed')
    """


class BatchWarning(UserWarning):
    """Something a batch run did on its own that the user should know about.

    Examples
    --------
    >>> issubclass(BatchWarning, UserWarning)
    True
    """


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An uncompressed ``.npz`` with no time stamps (same arrays, same bytes)."""
    return zip_bytes((f"{name}.npy", _npy(a)) for name, a in arrays.items())


def json_line(entry: dict[str, Any]) -> bytes:
    """One JSON line, keys sorted (fresh and resumed entries give the same
    bytes), non-ASCII as ``\\uXXXX`` escapes (as the readers' quarantine
    files), so a lone surrogate cannot make writing fail."""
    return (json.dumps(entry, sort_keys=True) + "\n").encode("ascii")


def pack_strings(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes and offsets: every string round-trips, lone surrogates and
    trailing NULs included (a numpy ``str`` array drops trailing NULs)."""
    parts = [v.encode("utf-8", "surrogatepass") for v in values]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in parts], out=offsets[1:])
    return np.frombuffer(b"".join(parts), dtype=np.uint8), offsets


def unpack_strings(data: np.ndarray, offsets: np.ndarray) -> list[str]:
    """The strings :func:`pack_strings` packed."""
    buf = data.tobytes()
    bounds = offsets.tolist()
    return [
        buf[a:b].decode("utf-8", "surrogatepass") for a, b in itertools.pairwise(bounds)
    ]


def str_array(values: list[str]) -> np.ndarray:
    """A numpy ``str`` array, or an object array if ``str`` would alter a value."""
    if any(v.endswith("\x00") for v in values):
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.asarray(values, dtype=str) if values else np.zeros(0, dtype="<U1")


#: Label types kept from reading to :func:`load_features`.
_LABEL_TYPES = {str: "str", int: "int", float: "float", bool: "bool"}


LABEL_DTYPES = {"int": np.int64, "float": np.float64, "bool": np.bool_}


_LABEL_FILL = {"int": 0, "float": np.nan, "bool": False}


class LabelCheck:
    """Holds a corpus to labels of one type; run on every record in order."""

    def __init__(self) -> None:
        self.kind = "none"
        self.first = ""
        self.n_missing = 0

    def __call__(self, label: Any, where: str) -> None:
        if label is None:
            self.n_missing += 1
            return
        kind = _LABEL_TYPES.get(type(label))
        if kind is None:
            raise BatchError(
                f"{where}: label {label!r:.80} is {type(label).__name__}; a label "
                "must be a string, an integer, a number or a boolean"
            )
        if kind == "int" and not -(2**63) <= label < 2**63:
            raise BatchError(
                f"{where}: label {label} does not fit in 64 bits; write the "
                "labels as strings"
            )
        if self.kind == "none":
            self.kind, self.first = kind, where
        elif kind != self.kind:
            raise BatchError(
                f"{where}: label {label!r:.80} is {kind}, but the labels before it "
                f"are {self.kind} (the first at {self.first}); a corpus holds "
                "labels of one type: fix the record, or write every label as a "
                "string"
            )


def encode_labels(labels: list[Any]) -> tuple[str, dict[str, np.ndarray]]:
    """The chunk's label type and its arrays (missing labels masked out)."""
    has = np.asarray([v is not None for v in labels], dtype=bool)
    present = [v for v in labels if v is not None]
    kind = _LABEL_TYPES[type(present[0])] if present else "none"
    arrays: dict[str, np.ndarray] = {"has_label": has}
    if kind == "str":
        data, offsets = pack_strings(["" if v is None else v for v in labels])
        arrays |= {"labels_data": data, "labels_offsets": offsets}
    elif kind != "none":
        fill = _LABEL_FILL[kind]
        arrays["labels"] = np.asarray(
            [fill if v is None else v for v in labels], dtype=LABEL_DTYPES[kind]
        )
    return kind, arrays


def read_labels(z: Any, kind: str, n: int) -> tuple[list[Any], np.ndarray]:
    has = z["has_label"] if "has_label" in z.files else np.zeros(n, dtype=bool)
    if kind == "str":
        values: list[Any] = unpack_strings(z["labels_data"], z["labels_offsets"])
    elif kind in LABEL_DTYPES:
        values = z["labels"].tolist()
    else:
        values = [None] * n
    return values, has


def is_token_lists(X: Any) -> bool:
    """Whether ``X`` is what a tokenizer step returns: a list of token lists."""
    return isinstance(X, list) and all(
        isinstance(doc, list | tuple) and all(isinstance(t, str) for t in doc)
        for doc in X
    )


def n_rows(X: Any) -> int:
    """Rows of a matrix, or documents of a list of token lists."""
    return len(X) if isinstance(X, list) else X.shape[0]


def encode_tokens(docs: list[Any]) -> bytes:
    """Token lists as an ``.npz``: UTF-8 bytes, token and document offsets."""
    flat = list(itertools.chain.from_iterable(docs))
    data, offsets = pack_strings(flat)
    doc_offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in docs], out=doc_offsets[1:])
    return npz_bytes({"data": data, "offsets": offsets, "doc_offsets": doc_offsets})


def decode_tokens(data: bytes, where: Path) -> list[list[str]]:
    """The token lists of a ``.tok.npz`` (no pickles; offsets checked)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            buf, offsets, docs = z["data"], z["offsets"], z["doc_offsets"]
    except (OSError, ValueError, KeyError) as exc:
        raise BatchError(f"{where}: not a token shard ({exc}); featurize again") from exc
    ok = (
        buf.ndim == offsets.ndim == docs.ndim == 1
        and buf.dtype == np.uint8
        and offsets.dtype.kind in "iu"
        and docs.dtype.kind in "iu"
        and offsets.size >= 1
        and docs.size >= 1
        and offsets[0] == 0
        and offsets[-1] == buf.size
        and docs[0] == 0
        and docs[-1] == offsets.size - 1
        and bool(np.all(np.diff(offsets) >= 0))
        and bool(np.all(np.diff(docs) >= 0))
    )
    if not ok:
        raise BatchError(f"{where}: malformed token shard; featurize again")
    try:
        flat = unpack_strings(buf, offsets)
    except UnicodeDecodeError as exc:
        raise BatchError(f"{where}: malformed token shard ({exc}); featurize again") from exc
    bounds = docs.tolist()
    return [flat[a:b] for a, b in itertools.pairwise(bounds)]


def require_matrix(manifest: dict[str, Any], where: Path, what: str) -> None:
    """Refuse a run whose shards hold token lists where ``what`` needs numbers."""
    if manifest.get("kind") == "tok.npz":
        raise BatchError(
            f"{where}: the run holds token lists (its pipeline ends with a "
            f"tokenizer), {what} needs a feature matrix; featurize with a "
            "pipeline that ends with a vectorizer"
        )


def encode_features(X: Any) -> tuple[str, bytes, int, str]:
    if isinstance(X, list):
        if not is_token_lists(X):
            raise BatchError(
                "the pipeline's output is a list but not of token lists (lists of "
                "str); featurize needs a matrix or token lists"
            )
        return "tok.npz", encode_tokens(X), 0, ""
    if sp.issparse(X):
        X = sp.csr_matrix(X)
        X.sort_indices()
        data = npz_bytes(
            {
                "indices": X.indices,
                "indptr": X.indptr,
                "format": np.array(b"csr"),
                "shape": np.asarray(X.shape, dtype=np.int64),
                "data": X.data,
            }
        )
        return "npz", data, X.shape[1], X.dtype.str
    arr = np.asarray(X)
    if arr.dtype.hasobject:
        raise BatchError(
            "the pipeline's output is not numeric (an object array, such as "
            "token lists); featurize needs a matrix, end the pipeline with a "
            "vectorizer"
        )
    n_features = arr.shape[1] if arr.ndim > 1 else 1
    return "npy", _npy(arr), n_features, arr.dtype.str


def stack_rows(blocks: list[Any]) -> Any:
    if len(blocks) == 1:
        return blocks[0]
    if all(isinstance(b, list) for b in blocks):
        return list(itertools.chain.from_iterable(blocks))
    if any(sp.issparse(b) for b in blocks):
        return sp.vstack(blocks, format="csr")
    return np.concatenate([np.asarray(b) for b in blocks])


_SHARD_FILE = re.compile(r"shard-(\d{5})\.(?:npz|npy|tok\.npz|records\.npz)")


def shard_files(files: Any, index: Any, where: Path) -> dict[str, str]:
    """A shard's ``{file name: sha256}``, each name one this shard may have.

    The names come from a file on disk (a marker or the manifest): only the
    shard's own ``shard-NNNNN.*`` names are taken, so a tampered file can
    never make a reader open anything outside the output folder.
    """
    if not isinstance(files, dict) or not isinstance(index, int):
        raise BatchError(f"{where}: malformed shard entry; featurize again")
    for name, digest in files.items():
        match = _SHARD_FILE.fullmatch(name) if isinstance(name, str) else None
        if match is None or int(match.group(1)) != index:
            raise BatchError(
                f"{where}: file name {name!r} is not one of shard {index}'s files; "
                "the file was tampered with, featurize again"
            )
        if not isinstance(digest, str):
            raise BatchError(f"{where}: malformed checksum of {name}; featurize again")
    return files


def entry_files(
    entry: Any, where: Path, again: str = "featurize again"
) -> tuple[str, str, str, str]:
    """A manifest entry's features file and records file, with their checksums.

    Returns ``(features, sha256, records, sha256)``; the names are checked by
    :func:`shard_files`, and an entry without exactly one of each is refused
    (``again`` says what to do).
    """
    if not isinstance(entry, dict):
        raise BatchError(f"{where}: malformed shard entry; {again}")
    files = shard_files(entry.get("files"), entry.get("index"), where)
    feats = [n for n in files if not n.endswith(".records.npz")]
    recs = [n for n in files if n.endswith(".records.npz")]
    if len(feats) != 1 or len(recs) != 1:
        raise BatchError(f"{where}: malformed shard entry; {again}")
    return feats[0], files[feats[0]], recs[0], files[recs[0]]


def read_checked(path: Path, digest: str, again: str = "featurize again") -> bytes:
    """The bytes of a shard file, refused unless they have the recorded SHA-256."""
    data = path.read_bytes()
    if sha256(data) != digest:
        raise BatchError(
            f"{path}: checksum mismatch; the file changed after the run, {again}"
        )
    return data


def decode_rows(name: str, data: bytes, where: Path) -> Any:
    """A shard's rows from its file's bytes: token lists, CSR or a dense array."""
    if name.endswith(".tok.npz"):
        return decode_tokens(data, where)
    if name.endswith(".npz"):
        return sp.load_npz(io.BytesIO(data)).tocsr()
    return np.load(io.BytesIO(data), allow_pickle=False)


def check_marker(out: Path, index: int) -> dict[str, Any] | None:
    """The shard's marker if the shard is complete and intact, else None."""
    path = out / f"shard-{index:05d}.json"
    if not path.is_file():
        return None
    try:
        marker = json.loads(path.read_bytes())
        files = shard_files(marker["files"], marker.get("index"), path)
        for name, digest in files.items():
            if sha256((out / name).read_bytes()) != digest:
                return None
    except (OSError, ValueError, KeyError, TypeError, BatchError):
        return None
    return marker


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """Read the manifest of a finished :func:`featurize` run.

    Parameters
    ----------
    out_dir : str or Path

    Returns
    -------
    dict

    Raises
    ------
    BatchError
        If the folder has no manifest (the run is unfinished: resume it), or
        one of another format version.

    Examples
    --------
    >>> read_manifest("/nonexistent")
    Traceback (most recent call last):
    ...
    textfeat.batch.BatchError: /nonexistent: no manifest.json; the run did not finish, run featurize again with --resume
    """
    path = Path(out_dir) / "manifest.json"
    if not path.is_file():
        raise BatchError(
            f"{out_dir}: no manifest.json; the run did not finish, run featurize "
            "again with --resume"
        )
    try:
        manifest = json.loads(path.read_bytes())
    except ValueError as exc:
        raise BatchError(f"{path}: not a textfeat featurize manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise BatchError(f"{path}: not a textfeat featurize manifest")
    if manifest.get("format_version") != MANIFEST_VERSION:
        raise BatchError(
            f"{path}: format version {manifest.get('format_version')!r}, this "
            f"textfeat reads version {MANIFEST_VERSION}; featurize the corpus again"
        )
    return manifest


def load_features(
    out_dir: str | Path, *, verify: bool = True
) -> tuple[Any, np.ndarray, np.ndarray]:
    """Load every shard of a finished run: features, record ids and labels.

    Parameters
    ----------
    out_dir : str or Path
        Output folder of :func:`featurize`.
    verify : bool, default=True
        Check each file's SHA-256 against the manifest.

    Returns
    -------
    X : scipy.sparse.csr_matrix, ndarray or list of lists of str
        Features, one row per written record, in corpus order; the token
        lists of each record when the pipeline ends with a tokenizer.
    ids : ndarray of str
        Exactly as read (an object array if a ``str`` array would alter one,
        which happens only for ids ending in a NUL character).
    labels : ndarray
        Of the type declared in the manifest's ``label_type`` when every
        record has a label: int64, float64, bool or str. When some records
        have none (``n_unlabelled > 0``, or an unlabelled corpus), an object
        array holding the labels as Python values and None for the missing
        ones.

    Raises
    ------
    BatchError
        For an unfinished run, a checksum mismatch, or a manifest or shard
        that is malformed or names files that are not its own.

    Examples
    --------
    See :func:`featurize`.
    """
    out = Path(out_dir)
    manifest = read_manifest(out)
    try:
        return _load_shards(out, manifest, verify)
    except (KeyError, TypeError, IndexError) as exc:
        raise BatchError(
            f"{out / 'manifest.json'}: malformed manifest or shard "
            f"({type(exc).__name__}: {exc}); featurize again"
        ) from exc


def _load_shards(
    out: Path, manifest: dict[str, Any], verify: bool
) -> tuple[Any, np.ndarray, np.ndarray]:
    blocks: list[Any] = []
    ids: list[str] = []
    values: list[Any] = []
    where = out / "manifest.json"
    shards = manifest.get("shards")
    if not isinstance(shards, list) or not all(isinstance(s, dict) for s in shards):
        raise BatchError(f"{where}: malformed shard list; featurize again")
    for shard in shards:
        files = shard_files(shard.get("files"), shard.get("index"), where)
        for name, digest in files.items():
            data = (
                read_checked(out / name, digest) if verify else (out / name).read_bytes()
            )
            if name.endswith(".records.npz"):
                with np.load(io.BytesIO(data), allow_pickle=False) as z:
                    shard_ids = unpack_strings(z["ids_data"], z["ids_offsets"])
                    vals, has = read_labels(z, shard["label_type"], len(shard_ids))
                ids += shard_ids
                values += [
                    v if h else None for v, h in zip(vals, has.tolist(), strict=True)
                ]
            else:
                blocks.append(decode_rows(name, data, out / name))
    if manifest["kind"] == "tok.npz":
        X: Any = list(itertools.chain.from_iterable(blocks))
    elif manifest["kind"] == "npz":
        X = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, 0))
    elif blocks:
        X = np.concatenate(blocks)
    else:
        X = np.zeros((0, 0))
    kind = manifest["label_type"]
    if kind == "none" or any(v is None for v in values):
        labels = np.empty(len(values), dtype=object)
        labels[:] = values
    elif kind == "str":
        labels = str_array(values)
    else:
        labels = np.asarray(values, dtype=LABEL_DTYPES[kind])
    return X, str_array(ids), labels
