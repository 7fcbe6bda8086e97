"""Feature scores and top-k selection over the shards of a featurize run.

The scorers of :mod:`textfeat.info` read each feature's contingency table
with the label, and with ``categories="presence"`` that table is two
additive counts: the weight of each class, ``N_c``, and the number of
samples of each class where the feature is non-zero, ``n_jc``. Each shard
gives its own counts (one sparse product, ``B.T @ onehot(y)`` with ``B`` the
presence pattern of the shard); they are summed, which is associative and
exact (integer counts in float64 below 2**53), so shard order and worker
count do not change a single bit of the counts, and the scores computed from
them equal the in-memory scorers on the concatenated shards (to rounding,
well below 1e-12).

**Memory.** The driver holds one dense ``(n_features, n_classes)`` float64
table of counts per worker result (``d * k * 8`` bytes: 150,000 features x
20 classes is 24 MB) and the labels; a worker holds one shard at a time.

**Labels.** Records without a label are skipped (they carry no class): the
in-memory equivalent is ``mutual_info(X[mask], y[mask])`` with ``mask`` the
labelled rows; ``entropy`` is computed on the same rows.

**Engines.** ``engine="local"`` maps the shards over a
:class:`textfeat._parallel.ProcessPool` (``n_jobs`` processes; 1 runs
inline); ``engine="dask"`` submits one future per shard to a Dask
distributed client (``scheduler``: an address, a client, or None for a
``LocalCluster`` of ``n_jobs`` workers) and merges with a tree of
``client.submit(sum)``, Dask's own machinery.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_selection import SelectKBest, chi2

from textfeat._files import write_atomic
from textfeat._parallel import ProcessPool, dask_client, effective_n_jobs
from textfeat.batch.shards import (
    BatchError,
    decode_rows,
    read_checked,
    read_manifest,
    require_matrix,
)
from textfeat.batch.train import run_classes
from textfeat.info._divergence import divergence_scores, divergence_table
from textfeat.info._tables import (
    Tables,
    conditional_entropy_sum,
    entropy_sum,
    finish,
    joint_entropy_sum,
    mi_sum,
    tables_from_counts,
)
from textfeat.info.per_class import class_score_table
from textfeat.info.scoring import js_score, kl_score, mutual_info

__all__ = ["check_run", "select_shards", "shard_scores", "shard_tables"]

#: Scores of one value per feature (what ``select_shards`` ranks by).
FEATURE_SCORES = ("mi", "js", "kl", "entropy", "conditional_entropy", "joint_entropy")
#: One-vs-rest scores, one column per class (:func:`textfeat.info.class_scores`).
CLASS_SCORES = ("class_mi", "class_pmi", "class_kl", "class_js")
_SCORE_FUNCS = {"mi": mutual_info, "js": js_score, "kl": kl_score, "chi2": chi2}


# -- one shard -----------------------------------------------------------------


def _shard_counts(
    out: Path,
    name: str,
    digest: str,
    rows: NDArray[np.intp],
    codes: NDArray[np.intp],
    n_classes: int,
    n_features: int,
    values: bool = False,
) -> NDArray[np.float64]:
    """``presence(X[rows]).T @ onehot(codes)`` of one shard, dense (d, k).

    With ``values``, ``X[rows].T @ onehot(codes)`` in float64 (for chi2).
    """
    path = out / name
    X: Any = decode_rows(name, read_checked(path, digest), path)
    if X.ndim != 2:
        X = X.reshape(X.shape[0], -1)
    if X.shape[1] != n_features or (rows.size and rows.max() >= X.shape[0]):
        raise BatchError(
            f"{path}: holds {X.shape[0]} x {X.shape[1]} features, the manifest and "
            f"records file say {n_features} columns and at least "
            f"{int(rows.max()) + 1 if rows.size else 0} rows; featurize again"
        )
    X = X[rows]
    n = X.shape[0]
    Y = sp.csr_matrix(
        (np.ones(n, dtype=np.float64), codes, np.arange(n + 1)), shape=(n, n_classes)
    )
    if sp.issparse(X):
        X = sp.csr_matrix(X)
        vals = X.data
    else:
        vals = X
    if vals.dtype.kind not in "biuf":
        raise BatchError(f"{path}: features of dtype {vals.dtype}, not numbers")
    if not np.isfinite(vals).all():
        raise BatchError(f"{path}: features hold NaN or infinity")
    if np.any(vals < 0):
        raise BatchError(
            f"{path}: negative feature values; presence and chi2 scores need non-negative "
            "features"
        )
    if values:
        B = sp.csr_matrix(X, dtype=np.float64)
    elif sp.issparse(X):
        B = sp.csr_matrix(
            ((X.data != 0).astype(np.float64), X.indices, X.indptr), shape=X.shape
        )
    else:
        B = sp.csr_matrix((X != 0).astype(np.float64))
    return np.asarray((B.T @ Y).toarray(), dtype=np.float64)


def _job(
    state: tuple[Path, int, int, bool], name: str, digest: str, rows: Any, codes: Any
) -> Any:
    out, n_classes, n_features, values = state
    return _shard_counts(out, name, digest, rows, codes, n_classes, n_features, values)


def _add(*parts: NDArray[np.float64]) -> NDArray[np.float64]:
    total = parts[0].copy()
    for p in parts[1:]:
        total += p
    return total


# -- merging -------------------------------------------------------------------------


def _merge_local(
    out: Path, jobs: list[tuple], n_classes: int, d: int, n_workers: int, values: bool
):
    total = np.zeros((d, n_classes))
    if n_workers == 1 or len(jobs) <= 1:
        for j in jobs:
            total += _shard_counts(out, *j, n_classes, d, values)
        return total
    with ProcessPool(
        min(n_workers, len(jobs)), _job, (out, n_classes, d, values)
    ) as pool:
        for part in pool.imap(jobs):
            total += part
    return total


def _merge_dask(
    out: Path,
    jobs: list[tuple],
    n_classes: int,
    d: int,
    scheduler: Any,
    n_workers: int,
    values: bool,
):
    client, own = dask_client(scheduler, n_workers)
    try:
        futs = [
            client.submit(_shard_counts, out, *j, n_classes, d, values, pure=False)
            for j in jobs
        ]
        while len(futs) > 1:  # a tree of sums on the workers
            futs = [
                client.submit(_add, *futs[i : i + 4], pure=False)
                for i in range(0, len(futs), 4)
            ]
        total = client.gather(futs[0]) if futs else np.zeros((d, n_classes))
        for f in futs:
            f.release()
        return np.asarray(total, dtype=np.float64)
    finally:
        for obj in reversed(own):
            obj.close()


# -- public ------------------------------------------------------------------------


def check_run(out_dir: str | Path) -> dict[str, Any]:
    """The manifest of a finished featurize run; a clear error for anything else.

    A folder with neither ``manifest.json`` nor ``run.json`` is not a
    featurize OUT_DIR at all; one with ``run.json`` only is an unfinished run.

    Examples
    --------
    >>> import tempfile
    >>> check_run(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    textfeat.batch.BatchError: ...: not the OUT_DIR of textfeat featurize (no manifest.json, no run.json)
    """
    out = Path(out_dir)
    if not out.is_dir():
        raise BatchError(f"{out_dir}: no such folder; give the OUT_DIR of featurize")
    if not (out / "manifest.json").exists() and not (out / "run.json").exists():
        raise BatchError(
            f"{out_dir}: not the OUT_DIR of textfeat featurize (no manifest.json, "
            "no run.json)"
        )
    manifest = read_manifest(out)
    require_matrix(manifest, out, "select")
    return manifest


def shard_tables(
    out_dir: str | Path,
    *,
    n_jobs: int = 1,
    engine: Literal["local", "dask"] = "local",
    scheduler: Any = None,
) -> tuple[Tables, NDArray, dict[str, Any]]:
    """Presence contingency tables of a featurize run, merged over its shards.

    Parameters
    ----------
    out_dir : str or Path
        Output folder of :func:`textfeat.batch.featurize` (with labels).
    n_jobs : int, default=1
        Local processes, or workers of the ``LocalCluster`` Dask starts.
    engine : {"local", "dask"}, default="local"
    scheduler : str, distributed.Client or None, default=None
        For ``engine="dask"``: an address or a client; None starts a cluster.

    Returns
    -------
    tables : Tables
        What :func:`textfeat.info._tables.prepare` builds on the labelled
        rows of the concatenated shards with ``categories="presence"``.
    classes : ndarray
        The sorted distinct labels.
    manifest : dict

    Raises
    ------
    BatchError
        If ``out_dir`` is not a finished featurize run, a shard changed, or
        the run holds no labelled record or one class only.

    Examples
    --------
    >>> shard_tables("/nonexistent")
    Traceback (most recent call last):
    ...
    textfeat.batch.BatchError: /nonexistent: no such folder; give the OUT_DIR of featurize
    """
    class_n, presence, classes, manifest = _counts(
        out_dir, False, n_jobs=n_jobs, engine=engine, scheduler=scheduler
    )
    return tables_from_counts(class_n, presence), classes, manifest


def _counts(
    out_dir: str | Path, values: bool, *, n_jobs: Any, engine: Any, scheduler: Any
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray, dict[str, Any]]:
    """Class sizes and the (d, k) presence (or value) sums, merged over shards."""
    if engine not in ("local", "dask"):
        raise ValueError(f"engine must be 'local' or 'dask', got {engine!r}")
    if engine == "local" and scheduler is not None:
        raise ValueError(
            f"scheduler is for engine='dask'; got scheduler={scheduler!r} with "
            "engine='local'"
        )
    n_workers = effective_n_jobs(n_jobs)
    check_run(out_dir)
    out, manifest, shards, classes, codes = run_classes(
        out_dir, "scores against the label need at least 2"
    )
    d = int(manifest.get("n_features") or 0)
    if d < 1:
        raise BatchError(f"{out_dir}: the run has no feature columns")
    jobs = []
    start = 0
    for s in shards:
        n = len(s.rows)
        if n:
            jobs.append((s.name, s.digest, s.rows, codes[start : start + n]))
        start += n
    k = len(classes)
    if engine == "local":
        counts = _merge_local(out, jobs, k, d, n_workers, values)
    else:
        counts = _merge_dask(out, jobs, k, d, scheduler, n_workers, values)
    if counts.shape != (d, k):
        raise BatchError(f"{out_dir}: shards disagree with the manifest's {d} features")
    class_n = np.bincount(codes, minlength=k).astype(np.float64)
    return class_n, counts, classes, manifest


def _chi2(class_n: NDArray, observed: NDArray) -> tuple[NDArray, NDArray]:
    """``sklearn.feature_selection.chi2`` from class sizes and value sums (d, k)."""
    from scipy import special

    f_obs = observed.T.copy()  # (k, d), as scikit-learn's Y.T @ X
    feature_count = f_obs.sum(axis=0)
    class_prob = class_n / class_n.sum()
    f_exp = np.outer(class_prob, feature_count)
    f_obs -= f_exp
    f_obs **= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        f_obs /= f_exp
    chisq = f_obs.sum(axis=0)
    return chisq, special.chdtrc(len(class_n) - 1, chisq)


def _scores_of(t: Tables, n_classes: int, score: str, base: float, aggregate: str):
    log_base = math.log(base)
    if score == "mi":
        return finish(mi_sum(t), t.total, log_base)
    if score == "entropy":
        return finish(entropy_sum(t), t.total, log_base)
    if score == "conditional_entropy":
        return finish(conditional_entropy_sum(t), t.total, log_base)
    if score == "joint_entropy":
        return finish(joint_entropy_sum(t), t.total, log_base)
    if score in ("kl", "js"):
        return divergence_scores(t, score, aggregate) / log_base
    kind = score.removeprefix("class_")
    if kind in ("kl", "js"):
        return divergence_table(t, n_classes, kind) / log_base
    return class_score_table(t, n_classes, kind, log_base)


def _check_score(score: Any, base: Any, aggregate: Any) -> None:
    if score not in FEATURE_SCORES + CLASS_SCORES:
        raise ValueError(
            f"score must be one of {', '.join(FEATURE_SCORES + CLASS_SCORES)}; "
            f"got {score!r}"
        )
    if (
        isinstance(base, bool)
        or not isinstance(base, (int, float))
        or not base > 1
        or not math.isfinite(base)
    ):
        raise ValueError(f"base must be a number greater than 1, got {base!r}")
    if aggregate not in ("max", "mean"):
        raise ValueError(f"aggregate must be 'max' or 'mean', got {aggregate!r}")


def shard_scores(
    out_dir: str | Path,
    score: str = "mi",
    *,
    base: float = math.e,
    aggregate: Literal["max", "mean"] = "max",
    n_jobs: int = 1,
    engine: Literal["local", "dask"] = "local",
    scheduler: Any = None,
) -> NDArray[np.float64]:
    """Score every feature of a featurize run against its labels, shard by shard.

    Parameters
    ----------
    out_dir : str or Path
        Output folder of :func:`textfeat.batch.featurize`, with labels.
    score : str, default="mi"
        ``"mi"``, ``"js"``, ``"kl"`` (as :func:`textfeat.mutual_info`,
        :func:`textfeat.js_score`, :func:`textfeat.kl_score`),
        ``"entropy"``, ``"conditional_entropy"``, ``"joint_entropy"``, or
        ``"class_mi"``, ``"class_pmi"``, ``"class_kl"``, ``"class_js"`` (as
        :func:`textfeat.info.class_scores` with that ``score``). Features are
        taken by presence (``categories="presence"``).
    base : float, default=math.e
        Base of the logarithm, greater than 1.
    aggregate : {"max", "mean"}, default="max"
        For ``"kl"`` and ``"js"``, as in :func:`textfeat.kl_score`.
    n_jobs, engine, scheduler
        As in :func:`shard_tables`.

    Returns
    -------
    ndarray of shape (n_features,), or (n_features, n_classes) for ``class_*``
        Equal to the in-memory scorer on the labelled rows of
        :func:`textfeat.batch.load_features` (to 1e-12); unlabelled records
        are skipped.

    Examples
    --------
    >>> shard_scores("/nonexistent", score="chi2")
    Traceback (most recent call last):
    ...
    ValueError: score must be one of mi, js, kl, entropy, conditional_entropy, joint_entropy, class_mi, class_pmi, class_kl, class_js; got 'chi2'
    """
    _check_score(score, base, aggregate)
    t, classes, _ = shard_tables(
        out_dir, n_jobs=n_jobs, engine=engine, scheduler=scheduler
    )
    return _scores_of(t, len(classes), score, base, aggregate)


def select_shards(
    out_dir: str | Path,
    k: int,
    *,
    score: Literal["mi", "js", "kl", "chi2"] = "mi",
    base: float = math.e,
    aggregate: Literal["max", "mean"] = "max",
    n_jobs: int = 1,
    engine: Literal["local", "dask"] = "local",
    scheduler: Any = None,
    out: str | Path | None = None,
) -> SelectKBest:
    """Select the ``k`` best features of a featurize run by a score over its shards.

    Parameters
    ----------
    out_dir : str or Path
        Output folder of :func:`textfeat.batch.featurize`, with labels.
    k : int
        Number of features to keep, from 1 to the run's ``n_features``.
    score : {"mi", "js", "kl", "chi2"}, default="mi"
        The scorer (:func:`textfeat.mutual_info`, :func:`textfeat.js_score`,
        :func:`textfeat.kl_score`), computed as in :func:`shard_scores`, or
        ``"chi2"``: :func:`sklearn.feature_selection.chi2` from the per-class
        sums of the feature values (also additive; summed in float64, so
        float32 shards agree with ``chi2`` on float64 input).
    base, aggregate, n_jobs, engine, scheduler
        As in :func:`shard_scores`.
    out : str or Path, default=None
        If given, the selection is written there as JSON: ``k``, ``score``,
        ``base``, ``n_features``, ``n_records`` (the labelled records scored),
        ``n_unlabelled_skipped``, ``indices`` (ascending), ``names`` (from the
        run's ``features.json``, else ``x<j>``) and ``scores`` of the selected
        columns, and ``ranking`` (the selected indices by decreasing score).

    Returns
    -------
    sklearn.feature_selection.SelectKBest
        Fitted without refitting (``scores_`` set from the shards,
        ``pvalues_`` None, or chi2's p-values): ``transform`` keeps the selected columns of a
        matrix of the run's width, ``get_support`` is what
        :func:`textfeat.batch.train_shards` takes as ``select``, and it can
        be saved with :func:`textfeat.io.persist.save`. Ties are broken as
        ``SelectKBest`` breaks them (the higher column index wins).

    Examples
    --------
    >>> select_shards("/nonexistent", k=0)
    Traceback (most recent call last):
    ...
    ValueError: k must be an integer >= 1, got 0
    """
    if not isinstance(score, str) or score not in _SCORE_FUNCS:
        raise ValueError(
            f"score must be 'mi', 'js', 'kl' or 'chi2' to select by; got {score!r}"
        )
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    _check_score("mi" if score == "chi2" else score, base, aggregate)
    pvalues = None
    if score == "chi2":
        class_n, observed, classes, manifest = _counts(
            out_dir, True, n_jobs=n_jobs, engine=engine, scheduler=scheduler
        )
        d, total = observed.shape[0], float(class_n.sum())
    else:
        t, classes, manifest = shard_tables(
            out_dir, n_jobs=n_jobs, engine=engine, scheduler=scheduler
        )
        d, total = t.n_features, t.total
    if k > d:
        raise ValueError(f"k must be at most the run's {d} features, got {k}")
    if score == "chi2":
        scores, pvalues = _chi2(class_n, observed)
    else:
        scores = _scores_of(t, len(classes), score, base, aggregate)
    selector = SelectKBest(_SCORE_FUNCS[score], k=int(k))
    selector.scores_ = scores
    selector.pvalues_ = pvalues
    selector.n_features_in_ = d
    names = run_feature_names(Path(out_dir), manifest, d)
    idx = selector.get_support(indices=True)
    if out is not None:
        ranking = idx[np.argsort(-scores[idx], kind="stable")]
        doc = {
            "k": int(k),
            "score": score,
            "base": float(base),
            "aggregate": aggregate,
            "n_features": d,
            "n_records": int(total),
            "n_unlabelled_skipped": int(manifest.get("n_unlabelled") or 0),
            "classes": [str(c) for c in classes],
            "indices": idx.tolist(),
            "names": [names[j] for j in idx],
            "scores": [None if np.isnan(v) else float(v) for v in scores[idx]],
            "ranking": ranking.tolist(),
        }
        write_atomic(Path(out), (json.dumps(doc, indent=1) + "\n").encode())
    return selector


def run_feature_names(out: Path, manifest: dict[str, Any], d: int) -> list[str]:
    """The run's feature names (``features.json``), or ``x0``, ``x1``, ...

    Examples
    --------
    >>> run_feature_names(Path("."), {}, 2)
    ['x0', 'x1']
    """
    ref = manifest.get("feature_names")
    if isinstance(ref, str) and ref == "features.json":
        try:
            names = json.loads((out / ref).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BatchError(f"{out / ref}: unreadable feature names ({exc})") from None
        if (
            not isinstance(names, list)
            or len(names) != d
            or not all(isinstance(n, str) for n in names)
        ):
            raise BatchError(
                f"{out / ref}: must be a JSON list of {d} strings (the run's features)"
            )
        return names
    return [f"x{j}" for j in range(d)]
