"""Save and load fitted pipelines (moved to :mod:`textfeat.io.persist`).

This module keeps the former import path ``textfeat.persist`` working and is
the public home of :class:`ModelFileError` in messages.
"""

from textfeat.io.persist import (
    ESTIMATORS,
    FUNCTIONS,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_MEMBERS,
    MAX_RATIO,
    TRUSTED,
    VALUE_CLASSES,
    ModelFileError,
    dumps,
    load,
    loads,
    save,
    versions,
)

__all__ = [
    "ESTIMATORS",
    "FUNCTIONS",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_ENTRIES",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "TRUSTED",
    "VALUE_CLASSES",
    "ModelFileError",
    "dumps",
    "load",
    "loads",
    "save",
    "versions",
]
