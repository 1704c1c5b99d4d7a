import pytest

from inventory import restock, take


def test_restock_adds_units():
    items = {}
    assert restock(items, "apple", 3) == 3
    assert restock(items, "apple", 2) == 5


def test_take_some():
    items = {"apple": 5}
    assert take(items, "apple", 2) == 3


def test_take_too_many():
    items = {"apple": 1}
    with pytest.raises(ValueError):
        take(items, "apple", 2)
