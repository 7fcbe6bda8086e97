"""Pipelines described in TOML (moved to :mod:`textfeat.io.config`).

This module keeps the former import path ``textfeat.config`` working.
"""

from textfeat.io.config import (
    DEFAULT_CONFIG,
    ConfigError,
    StepParameter,
    build_pipeline,
    known_steps,
    load_config,
    parse_config,
    step_parameters,
)

__all__ = [
    "DEFAULT_CONFIG",
    "ConfigError",
    "StepParameter",
    "build_pipeline",
    "known_steps",
    "load_config",
    "parse_config",
    "step_parameters",
]
