"""stable_order gives np.lexsort's permutation, whether it folds the keys or hands them over."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pill_compare.analysis.sorting import stable_order


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda k: st.integers(0, 60).flatmap(
            lambda n: st.lists(
                hnp.arrays(
                    st.sampled_from([np.int64, np.int32, np.uint16, np.uint64, np.bool_]),
                    n,
                    elements={"min_value": 0, "max_value": 5},
                ),
                min_size=k,
                max_size=k,
            )
        )
    )
)
def test_stable_order_equals_lexsort_on_small_keys(keys):
    assert stable_order(keys).tolist() == np.lexsort(keys).tolist()


@pytest.mark.parametrize(
    "low, high",
    [
        (-(2**62), 2**62),  # two such keys cannot fold: handed to lexsort
        (-5, 5),  # negative values fold too
        (0, 2**40),  # folds into int64
        (0, 1000),  # folds into int32
        (10**6, 10**6 + 3),  # offset by the minimum: folds into 16 bits
    ],
)
def test_stable_order_equals_lexsort_over_value_ranges(low, high):
    rng = np.random.default_rng(0)
    keys = [rng.integers(low, high, 5000, endpoint=True) for _ in range(2)]
    keys.append(rng.integers(0, 3, 5000))  # many ties: row order must decide them
    assert np.array_equal(stable_order(keys), np.lexsort(keys))


def test_stable_order_keeps_row_order_of_equal_rows():
    keys = [np.array([3, 1, 3, 1, 3]), np.array([7, 7, 7, 7, 7])]
    assert stable_order(keys).tolist() == [1, 3, 0, 2, 4]


def test_stable_order_hands_uint64_past_int64_to_lexsort():
    big = np.array([2**64 - 1, 2**63, 0, 2**63], dtype=np.uint64)
    assert stable_order([big]).tolist() == np.lexsort([big]).tolist() == [2, 1, 3, 0]


def test_stable_order_hands_float_keys_to_lexsort():
    keys = [np.array([0.5, -0.0, 0.0, 0.25]), np.array([1, 0, 1, 0])]
    assert stable_order(keys).tolist() == np.lexsort(keys).tolist()


def test_stable_order_of_nothing_is_empty():
    assert stable_order([np.zeros(0, dtype=np.int64)]).size == 0
    assert stable_order([]).size == 0
