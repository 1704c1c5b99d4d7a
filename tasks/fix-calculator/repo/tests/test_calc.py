import pytest

from calc import add, mean, scale


def test_add():
    assert add(2, 3) == 5


def test_mean():
    assert mean([1, 2, 3, 6]) == 3


def test_scale():
    assert scale([1, 2], 3) == [3, 6]


def test_mean_empty():
    with pytest.raises(ValueError):
        mean([])
