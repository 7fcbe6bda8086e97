"""Featurize a corpus larger than memory into sharded, resumable output.

:func:`featurize` (in :mod:`textfeat.batch.run`) reads a corpus as a stream,
cuts it into chunks, applies a fitted pipeline to each chunk on an executor
(:mod:`textfeat.batch.executors`: inline, local processes or Dask) and
writes one shard per chunk in the format of :mod:`textfeat.batch.shards`,
which :func:`load_features` and :func:`read_manifest` read back. See
:mod:`textfeat.batch.run` for the files of a run and its guarantees.
:func:`predict_corpus` (in :mod:`textfeat.batch.predict`) labels every record
of a corpus the same way, chunk by chunk, into one JSON Lines or CSV file.
:func:`fit_corpus` (in :mod:`textfeat.batch.fit`) fits a whole pipeline the
same way: it streams the counts of each step, then trains the classifier on
the shards. :func:`select_shards` and :func:`shard_scores` (in :mod:`textfeat.batch.select`)
score and select a run's columns by mutual information, summed shard by shard.
"""

from textfeat.batch.fit import FitReport, fit_corpus
from textfeat.batch.predict import PredictReport, predict_corpus
from textfeat.batch.run import FeaturizeReport, featurize
from textfeat.batch.select import select_shards, shard_scores
from textfeat.batch.shards import BatchError, BatchWarning, load_features, read_manifest
from textfeat.batch.train import train_shards

__all__ = [
    "BatchError",
    "BatchWarning",
    "FeaturizeReport",
    "FitReport",
    "PredictReport",
    "featurize",
    "fit_corpus",
    "load_features",
    "predict_corpus",
    "read_manifest",
    "select_shards",
    "shard_scores",
    "train_shards",
]

# The public home of the batch names, in messages and pickles.
for _cls in (BatchError, BatchWarning, FeaturizeReport, FitReport, PredictReport):
    _cls.__module__ = __name__
del _cls
