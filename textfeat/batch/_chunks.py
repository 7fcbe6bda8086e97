"""The work on one chunk of a batch run, and cutting the corpus into chunks.

:func:`cut_chunks` cuts the record stream into :class:`Chunk` objects (bad
records go with the chunk being filled; labels checked in corpus order);
:func:`process_chunk` transforms one chunk with the fitted steps (a failing
chunk is bisected down to its bad records) and writes its shard and marker.
It runs in the workers of any executor (:mod:`textfeat.batch.executors`).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textfeat._files import sha256, write_atomic
from textfeat.batch.shards import (
    BatchError,
    LabelCheck,
    encode_features,
    encode_labels,
    n_rows,
    npz_bytes,
    pack_strings,
    stack_rows,
)
from textfeat.io import LineAccount, Quarantine, Record

__all__ = [
    "Chunk",
    "cut_chunks",
    "failure_entry",
    "failure_reason",
    "feature_steps",
    "one_process",
    "process_chunk",
    "quarantine_entry",
    "transform_chunk",
]

_RAW_PREVIEW = 200


def feature_steps(model: Any) -> list[Any]:
    """The steps that make features: a pipeline without a final predictor."""
    steps = [s for _, s in model.steps] if hasattr(model, "steps") else [model]
    steps = [s for s in steps if s is not None and s != "passthrough"]
    if steps and not hasattr(steps[-1], "transform"):
        steps = steps[:-1]
    if not steps:
        raise BatchError(
            f"the model ({type(model).__name__}) has no step with transform; "
            "featurize needs a fitted transformer or pipeline"
        )
    return steps


def one_process(steps: list[Any]) -> list[Any]:
    """Copies of the steps that start no processes of their own.

    The number of processes is the caller's ``n_jobs``; a ``n_process`` or
    ``n_jobs`` stored in a model (file) never chooses it. The caller's model
    is left as it is.
    """
    out = []
    for step in steps:
        params = step.get_params(deep=True) if hasattr(step, "get_params") else {}
        # One process: n_jobs=1, and the deprecated alias n_process cleared
        # (setting it would warn in every worker).
        settings = {}
        for k, v in params.items():
            prefix, _, name = k.rpartition("__")
            if name == "n_process" and v is not None:
                settings[k] = None
                settings[f"{prefix}__n_jobs" if prefix else "n_jobs"] = 1
            elif name == "n_jobs" and v not in (1, None):
                settings[k] = 1
        settings = {k: v for k, v in settings.items() if k in params}
        if settings:
            step = copy.deepcopy(step)
            step.set_params(**settings)
        out.append(step)
    return out


def _apply(steps: Sequence[Any], texts: list[str], start: int, dropout: bool) -> Any:
    Xt: Any = texts
    for step in steps:
        if dropout and hasattr(step, "corrupt"):
            Xt = step.corrupt(Xt, start_index=start)
        else:
            Xt = step.transform(Xt)
    return Xt


def transform_chunk(
    steps: Sequence[Any], texts: list[str], start: int, dropout: bool
) -> tuple[list[Any], list[tuple[int, BaseException]]]:
    """Transform a chunk; if it fails, narrow the failure down to its records.

    Returns the blocks of rows of the records the pipeline could transform,
    in order, and ``(position, exception)`` for each record it could not. A
    chunk that transforms costs one call; a failing one is bisected, so ``k``
    bad records cost about ``2 k log2(len(texts))`` calls. Every record keeps
    its global index (``start`` + position) for word dropout.
    """
    try:
        X = _apply(steps, texts, start, dropout)
    except Exception as exc:  # any error of any step: narrow it down
        if len(texts) == 1:
            return [], [(0, exc)]
        mid = len(texts) // 2
        left, bad_left = transform_chunk(steps, texts[:mid], start, dropout)
        right, bad_right = transform_chunk(steps, texts[mid:], start + mid, dropout)
        return left + right, bad_left + [(i + mid, e) for i, e in bad_right]
    if n_rows(X) != len(texts):
        raise BatchError(
            f"the pipeline returned {n_rows(X)} rows for {len(texts)} records "
            f"(records {start}..); every step must keep one row per record"
        )
    return [X], []


def failure_reason(exc: BaseException) -> str:
    """``Type: message`` on one line, without memory addresses (reproducible)."""
    text = " ".join(str(exc).split())
    text = re.sub(r"0x[0-9a-fA-F]{6,}", "0x?", text)[:500]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def failure_entry(
    where: tuple[str, int, int], rid: str, text: str, exc: BaseException
) -> dict[str, Any]:
    """The quarantine entry of a record the pipeline failed on."""
    file, line, end_line = where
    return {
        "file": file,
        "line": line,
        "end_line": end_line,
        "id": rid,
        "stage": "transform",
        "reason": f"the pipeline failed: {failure_reason(exc)}",
        "raw": text[:_RAW_PREVIEW],
    }


def _where(file: str, line: int, rid: str) -> str:
    return f"{file}, line {line} (record {rid!r})"


def _span_lines(line: int, end_line: int) -> int:
    """Physical lines of a record or entry spanning ``line..end_line``."""
    return max(0, end_line - line + 1) if line > 0 else max(0, end_line)


def process_chunk(
    steps: Sequence[Any],
    out_dir: str,
    index: int,
    first_index: int,
    texts: list[str],
    ids: list[str],
    labels: list[Any],
    where: list[tuple[str, int, int]],
    quarantined: list[dict[str, Any]],
    unit: str,
    dropout: bool,
    quarantine: bool,
) -> dict[str, Any]:
    """Featurize one chunk and write its shard; the marker is written last.

    Records the pipeline cannot transform are quarantined (``quarantine``)
    with their file, lines, id and the error, or named in a
    :class:`BatchError`.
    """
    out = Path(out_dir)
    stem = f"shard-{index:05d}"
    files: dict[str, str] = {}
    kind, n_features, dtype = "none", 0, ""
    failed: list[dict[str, Any]] = []
    keep = list(range(len(texts)))
    if texts:
        blocks, failures = transform_chunk(steps, texts, first_index, dropout)
        for pos, exc in failures:
            file, line, _ = where[pos]
            if not quarantine:
                raise BatchError(
                    f"{_where(file, line, ids[pos])}: the pipeline failed: "
                    f"{failure_reason(exc)}; fix the record, or pass quarantine=True "
                    "(--quarantine) to set such records aside"
                ) from exc
            failed.append(failure_entry(where[pos], ids[pos], texts[pos], exc))
        if failures:
            bad = {pos for pos, _ in failures}
            keep = [i for i in keep if i not in bad]
        if blocks:
            kind, blob, n_features, dtype = encode_features(stack_rows(blocks))
            write_atomic(out / f"{stem}.{kind}", blob)
            files[f"{stem}.{kind}"] = sha256(blob)
    ids_kept = [ids[i] for i in keep]
    labels_kept = [labels[i] for i in keep]
    label_kind, label_arrays = encode_labels(labels_kept)
    ids_data, ids_offsets = pack_strings(ids_kept)
    blob = npz_bytes({"ids_data": ids_data, "ids_offsets": ids_offsets, **label_arrays})
    write_atomic(out / f"{stem}.records.npz", blob)
    files[f"{stem}.records.npz"] = sha256(blob)
    entries = [quarantine_entry(e) for e in quarantined] + failed
    spans = list(where) + [(e["file"], e["line"], e["end_line"]) for e in entries]
    marker = {
        "index": index,
        "first_index": first_index,
        "n_read": len(texts),
        "n_records": len(keep),
        "n_quarantined": len(entries),
        "n_failed": len(failed),
        "kind": kind,
        "n_features": n_features,
        "dtype": dtype,
        "label_type": label_kind,
        "n_unlabelled": sum(v is None for v in labels_kept),
        "lines": _lines_of(unit, [where[i] for i in keep], entries),
        "span": _span(spans),
        "files": files,
        "quarantined": entries,
    }
    write_atomic(
        out / f"{stem}.json", json.dumps(marker, indent=1, sort_keys=True).encode()
    )
    return marker


def _lines_of(
    unit: str, written: list[tuple[str, int, int]], entries: list[dict[str, Any]]
) -> dict[str, int]:
    """Physical lines (directory entries, for a folder) in the written and the
    quarantined records of a shard, as the reader's :class:`LineAccount`
    counts them."""
    if unit == "file":
        return {"in_written": len(written), "in_quarantined": len(entries)}
    return {
        "in_written": sum(_span_lines(a, b) for _, a, b in written),
        "in_quarantined": sum(_span_lines(e["line"], e["end_line"]) for e in entries),
    }


def quarantine_entry(e: dict[str, Any]) -> dict[str, Any]:
    """A reader's quarantine entry in the order and with the keys of all."""
    line = e.get("line") or 0
    end_line = e.get("end_line")
    return {
        "file": e.get("file"),
        "line": line,
        "end_line": line if end_line is None else end_line,
        "id": None,
        "stage": "read",
        "reason": e.get("reason"),
        "raw": e.get("raw"),
    }


def _span(spans: list[tuple[str, int, int]]) -> dict[str, Any] | None:
    """First and last physical line of a shard's records, written or not."""
    if not spans:
        return None
    first = min((str(f), a) for f, a, _ in spans)
    last = max((str(f), b) for f, _, b in spans)
    return {"from": list(first), "to": list(last)}


@dataclass
class Chunk:
    index: int
    first_index: int
    texts: list[str]
    ids: list[str]
    labels: list[Any]
    where: list[tuple[str, int, int]]
    quarantined: list[dict[str, Any]]
    unit: str = "line"

    def args(self, out_dir: str, dropout: bool, quarantine: bool) -> tuple[Any, ...]:
        return (
            out_dir,
            self.index,
            self.first_index,
            self.texts,
            self.ids,
            self.labels,
            self.where,
            self.quarantined,
            self.unit,
            dropout,
            quarantine,
        )


def cut_chunks(
    records: Iterator[Record],
    quarantine: Quarantine,
    chunk_size: int,
    file_of: Any,
    labels: LabelCheck,
    account: LineAccount,
) -> Iterator[Chunk]:
    """Cut the stream into chunks; bad records go with the chunk being filled.

    A chunk is closed when the next good record arrives (or at the end), so
    quarantined records after the last good one belong to the last chunk.
    Every label is checked here, in corpus order, so a label of another type
    is named whatever the number of workers.
    """
    index = first = 0
    chunk = Chunk(0, 0, [], [], [], [], [])
    for rec in records:
        if len(chunk.texts) == chunk_size:
            chunk.quarantined, chunk.unit = quarantine.drain(), account.unit
            yield chunk
            index, first = index + 1, first + len(chunk.texts)
            chunk = Chunk(index, first, [], [], [], [], [])
        file = file_of(rec)
        labels(rec.label, f"{file}, line {rec.line} (record {rec.id!r})")
        chunk.texts.append(rec.text)
        chunk.ids.append(rec.id)
        chunk.labels.append(rec.label)
        chunk.where.append((file, rec.line, rec.end_line))
    chunk.quarantined, chunk.unit = quarantine.drain(), account.unit
    if chunk.texts or chunk.quarantined or index == 0:
        yield chunk
