"""FrequencyScaler against the formula computed by hand and with numpy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from textfeat._compat import InvalidParameterError
from textfeat.persist import dumps, loads
from textfeat.scaling import FrequencyScaler


def oracle_scale(X: np.ndarray, power: float) -> np.ndarray:
    """count_j ** -power (1 for empty columns), mean 1 over the non-zeros."""
    counts = (X != 0).sum(axis=0).astype(float)
    raw = np.array([c**-power if c else 1.0 for c in counts])
    return raw * counts.sum() / (counts * raw).sum()


def test_hand_computed_case():
    # counts 3, 1, 0; power 1: raw factors 1/3, 1, 1; non-zeros get
    # 3 * 1/3 + 1 * 1 = 2 in total for 4 entries, so everything doubles.
    X = np.array([[1.0, 0.0, 0.0], [2.0, 5.0, 0.0], [1.0, 0.0, 0.0]])
    scaler = FrequencyScaler(power=1.0).fit(X)
    np.testing.assert_allclose(scaler.scale_, [2 / 3, 2.0, 2.0])
    np.testing.assert_allclose(
        scaler.transform(X), [[2 / 3, 0, 0], [4 / 3, 10, 0], [2 / 3, 0, 0]]
    )


@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
@pytest.mark.parametrize("power", [0.0, 0.25, 0.5, 1.0])
def test_matches_numpy_oracle(fmt, power):
    rng = np.random.default_rng(0)
    dense = rng.random((60, 40)) * (rng.random((60, 40)) < 0.1)
    dense[:, 7] = 0.0  # a column never seen
    X = dense if fmt == "dense" else sp.csr_matrix(dense).asformat(fmt)
    scaler = FrequencyScaler(power=power).fit(X)
    expected = oracle_scale(dense, power)
    np.testing.assert_allclose(scaler.scale_, expected, rtol=1e-12)
    out = scaler.transform(X)
    assert sp.issparse(out) == (fmt != "dense")
    if fmt != "dense":
        assert out.format == fmt
        out = out.toarray()
    np.testing.assert_allclose(out, dense * expected, rtol=1e-12)
    assert np.isclose(np.abs(out[dense != 0] / dense[dense != 0]).mean(), 1.0)


def test_power_zero_is_the_identity():
    X = sp.random(30, 20, density=0.2, format="csr", random_state=1)
    out = FrequencyScaler(power=0).fit_transform(X)
    np.testing.assert_array_equal(out.toarray(), X.toarray())


def test_explicit_zeros_and_duplicates_are_counted_as_values():
    # Column 0 stores an explicit zero in row 1 and a duplicate pair (1 + 1)
    # in row 0; it is non-zero in one row only.
    X = sp.csr_matrix(
        (np.array([1.0, 1.0, 0.0, 3.0]), np.array([0, 0, 0, 1]), np.array([0, 2, 4])),
        shape=(2, 2),
    )
    scaler = FrequencyScaler(power=1.0).fit(X)
    np.testing.assert_allclose(scaler.scale_, oracle_scale(X.toarray(), 1.0))


def test_float32_stays_float32_and_input_is_not_modified():
    X = sp.random(20, 10, density=0.3, format="csr", dtype=np.float32, random_state=2)
    before = X.data.copy()
    out = FrequencyScaler().fit(X).transform(X)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(X.data, before)


def test_feature_names_pass_through():
    X = np.eye(3)
    scaler = FrequencyScaler().fit(X)
    names = ["a", "b", "c"]
    assert list(scaler.get_feature_names_out(names)) == names


def test_wrong_width_and_bad_power_are_named():
    scaler = FrequencyScaler().fit(np.eye(3))
    with pytest.raises(ValueError, match="3 features"):
        scaler.transform(np.eye(4))
    with pytest.raises(InvalidParameterError, match="'power'"):
        FrequencyScaler(power=-1).fit(np.eye(3))


def test_safe_model_file_round_trip():
    X = sp.random(30, 12, density=0.3, format="csr", random_state=3)
    scaler = FrequencyScaler(power=0.4).fit(X)
    again = loads(dumps(scaler))
    np.testing.assert_array_equal(
        again.transform(X).toarray(), scaler.transform(X).toarray()
    )


# scikit-learn's estimator checks run for every numeric step in test_contract.py.
