"""The examples in the loss docstrings run and print what they claim."""

import doctest
import importlib

import pytest

pytest.importorskip("torch")

MODULES = [
    "pill_compare.nn.losses.box",
    "pill_compare.nn.losses.fbeta",
    "pill_compare.nn.losses.focal",
    "pill_compare.nn.losses.mining",
    "pill_compare.nn.losses.composite",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0  # every module shows at least one example
    assert result.failed == 0
