"""Stock levels kept in a plain dict: item name -> units on hand."""


def restock(items, name, count):
    """Add `count` units of `name`; return the new level."""
    if count < 0:
        raise ValueError("count must not be negative")
    items[name] = items.get(name, 0) + count
    return items[name]


def take(items, name, count):
    """Remove `count` units of `name`, refusing to go below zero; return the new level."""
    have = items.get(name, 0)
    if count >= have:
        raise ValueError(f"not enough {name}: have {have}, asked for {count}")
    items[name] = have - count
    return items[name]
