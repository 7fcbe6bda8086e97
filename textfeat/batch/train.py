"""Train the softmax head on the shards of a :func:`~textfeat.batch.featurize` run.

:func:`train_shards` fits :class:`~textfeat.head.SoftmaxClassifier` on data
that never has to be in one process's memory:

* ``method="lbfgs"`` (the default) runs the full-batch L-BFGS of
  :meth:`SoftmaxClassifier.fit` -- the same objective, scaling, penalty,
  intercept handling, class order and L-BFGS settings -- but the loss and its
  gradient are **sums over shards** computed by workers. The shards are cut
  into contiguous groups, one per worker; a worker reads its own group's
  shards from disk once (checksums verified) and keeps them in memory between
  iterations (``cache=True``; with ``cache=False`` it reads them again at
  every evaluation, so a worker holds one shard at a time). Per iteration only
  the coefficient vector goes out and one gradient per worker comes back.
  Workers are local processes (``engine="local"``, one
  :class:`~textfeat._parallel.ProcessPool` of one process per group, so a
  group always lands on the process that cached it; ``n_jobs=1`` runs in this
  process) or Dask workers (``engine="dask"``: a loader future per group,
  pinned to one worker, holds the group; the coefficient vector is scattered
  to every worker and one gradient future per group is gathered).
* ``method="epochs"`` runs ``n_epochs`` passes of
  :meth:`SoftmaxClassifier.partial_fit` over the shards, in an order shuffled
  per epoch by ``random_state``; for data too large for even one full pass
  per iteration. This runs in this process, one shard in memory at a time.

**Labels.** Records without a label (``has_label`` false in a shard's records
file; ``n_unlabelled`` in the manifest) are skipped: the in-memory
equivalent is ``fit(X[mask], labels[mask])`` with ``mask`` the labelled rows.
The classes are the sorted distinct labels, as ``fit`` finds them.

**Results.** The shards are summed in at most 16 fixed blocks of
consecutive shards (shard order within a block, block order across blocks);
a worker holds whole blocks and sends back one gradient per block. So the
result is the same, bit for bit, for every ``n_jobs`` and both engines
(with more workers than blocks, the extra workers stay idle), and per
evaluation at most 16 gradients travel back.

**Kill and restart.** Without ``checkpoint`` a killed run restarts from
scratch. With ``checkpoint=PATH`` every evaluation of the loss (the
expensive pass over the shards) is appended to ``PATH`` with a checksum
before L-BFGS sees it; a restarted run replays L-BFGS from the start,
answering each requested point from the file while it matches bit for bit,
and so ends with exactly the coefficients of an uninterrupted run. A torn or
damaged record ends the replay there; a file written for other data or
settings is refused. The file grows by one gradient per evaluation and is
removed when training finishes.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import os
import struct
import warnings
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from textfeat._files import sha256
from textfeat._parallel import ProcessPool, dask_client, effective_n_jobs
from textfeat.batch.shards import (
    LABEL_DTYPES,
    BatchError,
    decode_rows,
    entry_files,
    read_checked,
    read_labels,
    read_manifest,
    require_matrix,
    str_array,
)
from textfeat.head._loss import ce_and_residual, linear
from textfeat.head.classifier import SoftmaxClassifier

__all__ = ["train_shards"]


# -- one shard, one group --------------------------------------------------------


class _Shard:
    """Where a shard's features are and its labelled rows (plain data, pickles)."""

    def __init__(
        self, name: str, digest: str, rows: NDArray[np.intp], n_records: int
    ) -> None:
        self.name = name
        self.digest = digest
        self.n_records = n_records  # rows its features file must have
        self.block = 0  # its summation block (see _SUM_BLOCKS)
        self.rows = rows  # the labelled rows, in the shard's order
        self.y: NDArray[np.intp] = np.zeros(0, dtype=np.intp)
        self.sw: NDArray[np.float64] = np.zeros(0)


class _Group:
    """A worker's shards; loads them (once, if ``cache``) and sums the loss."""

    def __init__(
        self,
        out: Path,
        shards: list[_Shard],
        cols: NDArray[np.intp] | None,
        n_features: int,
        n_out: int,
        fit_intercept: bool,
        binary: bool,
        cache: bool,
    ) -> None:
        self.out = out
        self.shards = shards
        self.cols = cols
        self.n_features = n_features
        self.n_out = n_out
        self.fit_intercept = fit_intercept
        self.binary = binary
        self.cache = cache
        self._data: list[tuple[Any, Any]] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**vars(self), "_data": None}  # never ship loaded shards

    def load(self) -> _Group:
        if self.cache and self._data is None:
            self._data = [self._read(s) for s in self.shards]
        return self

    def _read(self, shard: _Shard) -> tuple[Any, Any]:
        path = self.out / shard.name
        X: Any = decode_rows(shard.name, read_checked(path, shard.digest), path)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        if X.shape != (shard.n_records, self.n_features):
            raise BatchError(
                f"{path}: features of shape {X.shape}, but the manifest says "
                f"{shard.n_records} records of {self.n_features} features; the "
                "run was altered, featurize again"
            )
        if X.dtype not in (np.float64, np.float32):
            X = X.astype(np.float64)
        X = X[shard.rows]
        if self.cols is not None:
            X = X[:, self.cols]
        if sp.issparse(X):
            X = sp.csr_matrix(X)
            return X, X.T.tocsr()
        return X, X.T

    def __call__(self, theta: NDArray[np.float64]) -> list[tuple[float, Any, Any]]:
        """Per block, unscaled sums ``sum s_i CE_i``, ``X.T @ (s * R)``, ``sum s_i R_i``."""
        sums = []
        for block in dict.fromkeys(s.block for s in self.shards):
            mine = [k for k, s in enumerate(self.shards) if s.block == block]
            sums.append(self._block(theta, mine))
        return sums

    def _block(
        self, theta: NDArray[np.float64], ks: list[int]
    ) -> tuple[float, Any, Any]:
        n_out = self.n_out
        loss = 0.0
        gW: NDArray[np.float64] | None = None
        gb = np.zeros(n_out)
        for k in ks:
            shard = self.shards[k]
            X, XT = self._data[k] if self._data is not None else self._read(shard)
            n_features = X.shape[1]
            size = n_features * n_out
            W = theta[:size].reshape(n_features, n_out)
            b = theta[size:] if self.fit_intercept else None
            if gW is None:
                gW = np.zeros((n_features, n_out))
            if X.shape[0] == 0:
                continue
            ce, R = ce_and_residual(linear(X, W, b), shard.y, self.binary)
            R *= shard.sw[:, None]
            loss += float(ce @ shard.sw)
            gW += XT @ R.astype(X.dtype, copy=False)
            gb += R.sum(axis=0)
        assert gW is not None
        return loss, gW, gb


def _group_eval(group: _Group, theta: NDArray[np.float64]) -> list[tuple]:
    """Worker side of the local engine: the group is the worker's state."""
    return group.load()(theta)


def _load_group(group: _Group) -> _Group:
    """Worker side of the Dask engine: the loaded group stays on the worker."""
    return group.load()


def _eval_loaded(group: _Group, theta: NDArray[np.float64]) -> list[tuple]:
    return group(theta)


#: Most partial sums a loss evaluation brings back (one gradient each): the
#: shards are summed in at most this many fixed blocks.
_SUM_BLOCKS = 16


# -- reading a run ------------------------------------------------------------


def _labels_of(out: Path, shard: dict[str, Any], name: str, digest: str) -> tuple:
    data = read_checked(out / name, digest)
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        n = int(z["ids_offsets"].shape[0]) - 1
        values, has = read_labels(z, shard["label_type"], n)
    return values, np.asarray(has, dtype=bool)


def run_classes(
    out_dir: str | Path, why_two: str
) -> tuple[Path, dict[str, Any], list[_Shard], NDArray, NDArray]:
    """A run's plan and its labels as classes: ``(out, manifest, shards, classes, codes)``.

    ``classes`` holds the sorted distinct labels of the labelled records and
    ``codes`` each labelled record's index in ``classes``, in shard order
    (unlabelled records are left out); the labels themselves are never held
    all at once. A run without labelled records, with labels that are not
    classes, or with one class only is refused, naming the folder
    (``why_two`` says what needs two classes).
    """
    out, manifest, shards, labels = plan_run(out_dir)
    kind = manifest.get("label_type")
    if not any(len(codes) for _, codes in labels):
        raise BatchError(
            f"{out_dir}: no labelled record (label type {kind!r}); featurize a "
            "corpus with labels (--label-field)"
        )
    classes = np.unique(np.concatenate([uniq for uniq, _ in labels]))
    try:
        check_classification_targets(classes)
    except ValueError as exc:
        raise BatchError(f"{out_dir}: labels cannot be classes: {exc}") from None
    if len(classes) < 2:
        raise BatchError(
            f"{out_dir}: the labelled records hold one class only, "
            f"{classes.tolist()[0]!r}; {why_two}"
        )
    codes = np.concatenate(
        [np.searchsorted(classes, uniq).astype(np.intp)[c] for uniq, c in labels]
    )
    return out, manifest, shards, classes, codes


def plan_run(out_dir: str | Path) -> tuple[Path, dict[str, Any], list[_Shard], list]:
    """The run's manifest, its shards (features file, labelled rows) and labels
    (per shard: its sorted distinct labels and each labelled row's index in them)."""
    out = Path(out_dir)
    if not out.is_dir():
        raise BatchError(f"{out_dir}: no such folder; give the OUT_DIR of featurize")
    manifest = read_manifest(out)
    where = out / "manifest.json"
    entries = manifest.get("shards")
    if not isinstance(entries, list) or not all(isinstance(s, dict) for s in entries):
        raise BatchError(f"{where}: malformed shard list; featurize again")
    shards: list[_Shard] = []
    labels: list[Any] = []
    try:
        for entry in entries:
            feat, feat_digest, rec, rec_digest = entry_files(entry, where)
            if entry["label_type"] not in (manifest.get("label_type"), "none"):
                raise BatchError(
                    f"{where}: shard {entry['index']} holds labels of type "
                    f"{entry['label_type']!r}, the run {manifest.get('label_type')!r}; "
                    "the manifest was altered, featurize again"
                )
            values, has = _labels_of(out, entry, rec, rec_digest)
            if has.shape != (len(values),):
                raise BatchError(f"{out / rec}: malformed labels; featurize again")
            rows = np.flatnonzero(has)
            shards.append(_Shard(feat, feat_digest, rows, len(values)))
            # each shard's labels as its own classes and int32 codes: the
            # driver keeps 4 bytes per record, not a Python object
            mine = typed_labels(
                [values[i] for i in rows.tolist()], manifest["label_type"]
            )
            uniq, codes = np.unique(mine, return_inverse=True)
            labels.append((uniq, codes.ravel().astype(np.int32)))
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise BatchError(
            f"{where}: malformed manifest or shard ({type(exc).__name__}: {exc}); "
            "featurize again"
        ) from exc
    return out, manifest, shards, labels


def typed_labels(values: list[Any], kind: str) -> NDArray:
    if kind == "str":
        return str_array(values)
    return np.asarray(values, dtype=LABEL_DTYPES.get(kind, object))


def _columns(select: Any, n_features: int) -> NDArray[np.intp] | None:
    if select is None:
        return None
    if hasattr(select, "get_support"):
        width = getattr(select, "n_features_in_", n_features)
        if width != n_features:
            raise ValueError(
                f"select: the selector was fitted on {width} features, the run "
                f"has {n_features}"
            )
        cols = np.asarray(select.get_support(indices=True))
    else:
        cols = np.asarray(select)
        if cols.dtype == bool:
            if cols.shape != (n_features,):
                raise ValueError(
                    f"select: a boolean mask must have {n_features} entries (the "
                    f"run's features), got shape {cols.shape}"
                )
            cols = np.flatnonzero(cols)
    if cols.ndim == 1 and cols.size == 0:
        raise ValueError("select selects no column")
    if cols.ndim != 1 or not np.issubdtype(cols.dtype, np.integer):
        raise ValueError(
            "select must be a 1-D array of column indices, a boolean mask or a "
            f"fitted selector with get_support, got {select!r:.80}"
        )
    if cols.size and (cols.min() < 0 or cols.max() >= n_features):
        raise ValueError(
            f"select: column indices must be in [0, {n_features}), got "
            f"min {cols.min()}, max {cols.max()}"
        )
    return cols.astype(np.intp)


# -- the checkpoint: a replay log of evaluations -----------------------------------

_MAGIC = b"TFEV"
_HEAD = struct.Struct("<4sQ")


class _EvalLog:
    """Append-only log of ``(sha256(theta), loss, grad)`` records, each checked."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.records: list[tuple[bytes, float, NDArray[np.float64]]] = []
        self.pos = 0
        header = (json.dumps({"textfeat-train-checkpoint": key}) + "\n").encode()
        good = len(header)
        if path.is_file():
            data = path.read_bytes()
            if not data.startswith(header):
                raise BatchError(
                    f"{path}: a checkpoint of another run (other data or settings); "
                    "remove it or give another --checkpoint"
                )
            good = self._parse(data, len(header))
            with path.open("r+b") as fh:
                fh.truncate(good)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(header)
        self._fh = path.open("ab")

    def _parse(self, data: bytes, at: int) -> int:
        while at + _HEAD.size <= len(data):
            magic, n = _HEAD.unpack_from(data, at)
            end = at + _HEAD.size + n + 32
            if magic != _MAGIC or end > len(data) or n < 40 or (n - 40) % 8:
                break
            payload = data[at + _HEAD.size : end - 32]
            if hashlib.sha256(payload).digest() != data[end - 32 : end]:
                break
            loss = struct.unpack_from("<d", payload, 32)[0]
            grad = np.frombuffer(payload[40:], dtype="<f8").copy()
            self.records.append((payload[:32], loss, grad))
            at = end
        return at

    def replay(self, theta: NDArray[np.float64]) -> tuple[float, NDArray] | None:
        if self.pos < len(self.records):
            digest, loss, grad = self.records[self.pos]
            if (
                digest == hashlib.sha256(theta.tobytes()).digest()
                and grad.shape == theta.shape
            ):
                self.pos += 1
                return loss, grad.copy()
            # L-BFGS asked for another point: the rest of the log is stale.
            self.records = self.records[: self.pos]
            self._fh.close()
            with self.path.open("r+b") as fh:
                fh.truncate(self._offset())
            self._fh = self.path.open("ab")
        return None

    def _offset(self) -> int:
        header = self.path.read_bytes().split(b"\n", 1)[0]
        return (
            len(header)
            + 1
            + sum(_HEAD.size + 40 + g.nbytes + 32 for *_, g in self.records)
        )

    def append(self, theta: NDArray, loss: float, grad: NDArray) -> None:
        payload = (
            hashlib.sha256(theta.tobytes()).digest()
            + struct.pack("<d", loss)
            + np.ascontiguousarray(grad, dtype="<f8").tobytes()
        )
        self._fh.write(
            _HEAD.pack(_MAGIC, len(payload))
            + payload
            + hashlib.sha256(payload).digest()
        )
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.records.append((payload[:32], loss, grad))
        self.pos = len(self.records)

    def close(self, remove: bool) -> None:
        self._fh.close()
        if remove:
            self.path.unlink(missing_ok=True)


# -- engines -------------------------------------------------------------------


class _Local:
    def __init__(self, groups: list[_Group]) -> None:
        self.groups = groups
        self.pools: list[ProcessPool] = []

    def __enter__(self) -> _Local:
        if len(self.groups) > 1:
            for g in self.groups:
                self.pools.append(ProcessPool(1, _group_eval, g).__enter__())
        return self

    def __exit__(self, *exc: object) -> None:
        for pool in self.pools:
            pool.__exit__(*exc)

    def __call__(self, theta: NDArray) -> list[list[tuple[float, Any, Any]]]:
        if not self.pools:
            return [g.load()(theta) for g in self.groups]
        jobs = [pool.submit(theta) for pool in self.pools]
        return [ProcessPool.result(job) for job in jobs]


class _Dask:
    def __init__(self, groups: list[_Group], client: Any, own: list[Any]) -> None:
        self.groups = groups
        self.client = client
        self.own = own  # what we started and must close
        self.loaded: list[Any] = []

    def __enter__(self) -> _Dask:
        workers = sorted(self.client.scheduler_info()["workers"])
        self.loaded = [
            self.client.submit(
                _load_group, g, pure=False, workers=[workers[k % len(workers)]]
            )
            for k, g in enumerate(self.groups)
        ]
        return self

    def __exit__(self, *exc: object) -> None:
        for fut in self.loaded:
            fut.release()
        for obj in reversed(self.own):
            obj.close()

    def __call__(self, theta: NDArray) -> list[list[tuple[float, Any, Any]]]:
        theta_f = self.client.scatter(theta, broadcast=True, hash=False)
        futs = [
            self.client.submit(_eval_loaded, d, theta_f, pure=False)
            for d in self.loaded
        ]
        return self.client.gather(futs)


def _dask_engine(groups: list[_Group], scheduler: Any, n_workers: int) -> _Dask:
    client, own = dask_client(scheduler, n_workers)
    return _Dask(groups, client, own)


# -- the public function ---------------------------------------------------------


def train_shards(
    out_dir: str | Path,
    *,
    C: float = 1.0,
    fit_intercept: bool = True,
    tol: float = 1e-4,
    max_iter: int = 100,
    class_weight: dict | str | None = None,
    select: Any = None,
    method: Literal["lbfgs", "epochs"] = "lbfgs",
    n_jobs: int = 1,
    engine: Literal["local", "dask"] = "local",
    scheduler: Any = None,
    cache: bool = True,
    checkpoint: str | Path | None = None,
    n_epochs: int = 5,
    learning_rate: float = 0.5,
    batch_size: int = 256,
    random_state: int | np.random.RandomState | None = None,
) -> SoftmaxClassifier:
    """Fit a :class:`~textfeat.head.SoftmaxClassifier` on a run's shards.

    See the module documentation for how the work is split, what travels,
    the memory each worker holds, unlabelled records and restarts.

    Parameters
    ----------
    out_dir : str or Path
        Output folder of a finished :func:`~textfeat.batch.featurize` run
        with labels.
    C, fit_intercept, tol, max_iter, class_weight
        As in :class:`~textfeat.head.SoftmaxClassifier`; the result equals
        ``SoftmaxClassifier(C=C, ...).fit(X, y)`` on the labelled records.
        ``class_weight="balanced"`` counts the classes over every shard.
    select : array-like of int or bool, or fitted selector, default=None
        Train on these columns only: indices, a boolean mask over the run's
        features, or an object with ``get_support`` (such as a fitted
        ``SelectKBest``).
    method : {"lbfgs", "epochs"}, default="lbfgs"
        Full-batch L-BFGS over the shards, or ``n_epochs`` passes of
        ``partial_fit`` (mini-batch AdaGrad) over shuffled shards.
    n_jobs : int, default=1
        Workers (groups of shards) for ``"lbfgs"``; -1 for every CPU. With
        the Dask engine and a given ``scheduler``, the number of groups.
        The result does not depend on it (see the module documentation).
    engine : {"local", "dask"}, default="local"
        Local processes or Dask distributed workers.
    scheduler : str, distributed.Client or None, default=None
        Dask scheduler address or a client; None starts a ``LocalCluster``
        of ``n_jobs`` workers.
    cache : bool, default=True
        Keep each worker's shards in memory between L-BFGS iterations
        (about ``2 / n_jobs`` of the features, the transposes included);
        False reads them again at every evaluation.
    checkpoint : str or Path or None, default=None
        Evaluation log that lets a killed ``"lbfgs"`` run resume with the
        same result; None restarts from scratch.
    n_epochs, learning_rate, batch_size, random_state
        For ``method="epochs"``: passes over the data, and the
        ``partial_fit`` settings; ``random_state`` also shuffles the shard
        order of each epoch.

    Returns
    -------
    SoftmaxClassifier
        Fitted, as after ``fit``: ``predict`` and :func:`textfeat.persist.save`
        work; ``n_features_in_`` is the number of columns trained on.

    Raises
    ------
    BatchError
        If ``out_dir`` is missing, not a featurize output, unfinished or
        altered, or holds no labelled record or one class only.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from sklearn.pipeline import make_pipeline
    >>> from textfeat import OneHotVectorizer, SpacyTokenizer
    >>> from textfeat.batch import featurize
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> rows = [("the cat sat", "pet"), ("a dog ran", "pet"), ("stocks fell", "money"),
    ...         ("bonds rose", "money"), ("the cat ran", "pet")]
    >>> _ = (tmp / "c.jsonl").write_text("".join(
    ...     json.dumps({"id": str(i), "text": t, "label": y}) + "\\n"
    ...     for i, (t, y) in enumerate(rows)))
    >>> pipe = make_pipeline(SpacyTokenizer(), OneHotVectorizer())
    >>> pipe = pipe.fit([t for t, _ in rows])
    >>> _ = featurize(pipe, tmp / "c.jsonl", tmp / "out", chunk_size=2, quiet=True)
    >>> clf = train_shards(tmp / "out", C=10.0)
    >>> clf.classes_
    array(['money', 'pet'], dtype='<U5')
    >>> clf.predict(pipe.transform(["the dog sat"]))
    array(['pet'], dtype='<U5')
    """
    if method not in ("lbfgs", "epochs"):
        raise ValueError(f"method must be 'lbfgs' or 'epochs', got {method!r}")
    if checkpoint is not None and method != "lbfgs":
        raise ValueError(
            f"checkpoint is for method='lbfgs' (an epoch run restarts), got "
            f"method={method!r}"
        )
    if engine not in ("local", "dask"):
        raise ValueError(f"engine must be 'local' or 'dask', got {engine!r}")
    n_workers = effective_n_jobs(n_jobs)
    clf = SoftmaxClassifier(
        C=C,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
        class_weight=class_weight,
        learning_rate=learning_rate,
        batch_size=batch_size,
        random_state=random_state,
    )
    clf._validate_params()
    out, manifest, shards, classes, y_idx = run_classes(
        out_dir, "a classifier needs at least 2"
    )
    require_matrix(manifest, out, "train")
    # Class weights over every shard, as fit computes them on the whole y.
    counts = np.bincount(y_idx, minlength=len(classes)).astype(np.float64)
    if isinstance(class_weight, str):  # "balanced"
        cw = counts.sum() / (len(classes) * counts)
    elif class_weight is not None:
        cw = compute_class_weight(class_weight, classes=classes, y=classes)  # a dict: y unused
    else:
        cw = np.ones(len(classes))
    start = 0
    for shard in shards:
        shard.y = y_idx[start : start + len(shard.rows)]
        shard.sw = cw[shard.y]
        start += len(shard.rows)
    sw_sum = float(sum(s.sw.sum() for s in shards))
    if sw_sum <= 0:
        raise ValueError("class_weight gives every labelled record weight 0")
    n_features = int(manifest.get("n_features") or 0)
    cols = _columns(select, n_features)
    n_cols = n_features if cols is None else len(cols)
    binary = len(classes) == 2
    n_out = 1 if binary else len(classes)
    if method == "epochs":
        return _epochs(
            clf, out, shards, cols, n_features, classes, n_epochs, random_state
        )

    shards = [s for s in shards if len(s.rows)]
    # Shards are summed in fixed blocks, whatever the worker count: a group
    # holds whole blocks and returns one sum per block, which are added in
    # block order here, so every n_jobs and engine gives the same bits.
    n_blocks = min(len(shards), _SUM_BLOCKS)
    cuts = np.linspace(0, len(shards), n_blocks + 1).round().astype(int)
    for block, (a, b) in enumerate(itertools.pairwise(cuts.tolist())):
        for shard in shards[a:b]:
            shard.block = block
    n_groups = min(n_workers, n_blocks)
    block_cuts = np.linspace(0, n_blocks, n_groups + 1).round().astype(int)
    bounds = cuts[block_cuts]
    groups = [
        _Group(out, shards[a:b], cols, n_features, n_out, fit_intercept, binary, cache)
        for a, b in itertools.pairwise(bounds.tolist())
    ]
    size = n_cols * n_out
    alpha = 1.0 / (float(C) * sw_sum)
    log = None
    if checkpoint is not None:
        key = hashlib.sha256(
            json.dumps(
                [
                    sha256((out / "manifest.json").read_bytes()),
                    repr(float(C)),
                    fit_intercept,
                    repr(class_weight),
                    None if cols is None else sha256(cols.astype("<i8").tobytes()),
                    max_iter,
                    repr(float(tol)),
                ]
            ).encode()
        ).hexdigest()
        log = _EvalLog(Path(checkpoint), key)

    engine_obj: Any = (
        _Local(groups)
        if engine == "local"
        else _dask_engine(groups, scheduler, n_workers)
    )

    def fun(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        if log is not None:
            hit = log.replay(theta)
            if hit is not None:
                return hit
        parts = [part for group in engine_obj(theta) for part in group]
        ce = sum(p[0] for p in parts)
        gW = parts[0][1].copy()
        for p in parts[1:]:
            gW += p[1]
        gb = parts[0][2].copy()
        for p in parts[1:]:
            gb += p[2]
        W = theta[:size]
        loss = ce / sw_sum + 0.5 * alpha * float(W @ W)
        grad = np.empty_like(theta)
        grad[:size] = alpha * W + gW.ravel() / sw_sum
        if fit_intercept:
            grad[size:] = gb / sw_sum
        if log is not None:
            log.append(theta, loss, grad)
        return loss, grad

    theta0 = np.zeros(size + (n_out if fit_intercept else 0))
    with engine_obj:
        try:
            result = minimize(
                fun,
                theta0,
                jac=True,
                method="L-BFGS-B",
                options={
                    "maxiter": max_iter,
                    "gtol": tol,
                    "ftol": 64 * np.finfo(np.float64).eps,
                    "maxls": 50,
                },
            )
        except BaseException:
            if log is not None:
                log.close(remove=False)  # kept: a rerun resumes from it
            raise
    if log is not None:
        log.close(remove=True)
    if result.status != 0:
        warnings.warn(
            f"L-BFGS did not converge in {result.nit} iterations "
            f"(max_iter={max_iter}, tol={tol}): {result.message}. "
            "Increase max_iter, scale the features, or lower C.",
            ConvergenceWarning,
            stacklevel=2,
        )
    theta = result.x
    clf.classes_ = classes
    clf.coef_ = theta[:size].reshape(n_cols, n_out).T
    clf.intercept_ = theta[size:].copy() if fit_intercept else np.zeros(n_out)
    clf.n_iter_ = int(result.nit)
    clf.temperature_ = float(clf.temperature)
    clf.n_features_in_ = n_cols
    clf._seen = sw_sum
    clf._adagrad = None
    return clf


def _epochs(
    clf: SoftmaxClassifier,
    out: Path,
    shards: list[_Shard],
    cols: NDArray[np.intp] | None,
    n_features: int,
    classes: NDArray,
    n_epochs: int,
    random_state: Any,
) -> SoftmaxClassifier:
    """``n_epochs`` passes of ``partial_fit``, shards in a shuffled order."""
    if isinstance(n_epochs, bool) or not isinstance(n_epochs, int) or n_epochs < 1:
        raise ValueError(f"n_epochs must be a positive integer, got {n_epochs!r}")
    class_weight = clf.class_weight
    clf.set_params(class_weight=None)  # the weights come as sample_weight
    rng = check_random_state(random_state)
    reader = _Group(out, [], cols, n_features, 1, True, False, cache=False)
    for _ in range(n_epochs):
        for k in rng.permutation(len(shards)).tolist():
            shard = shards[k]
            if not len(shard.rows):
                continue
            X, _ = reader._read(shard)
            clf.partial_fit(
                X, classes[shard.y], classes=classes, sample_weight=shard.sw
            )
    clf.set_params(class_weight=class_weight)
    if math.isnan(float(np.sum(clf.intercept_))):  # pragma: no cover - defensive
        raise BatchError(f"{out}: partial_fit diverged; lower learning_rate")
    return clf
