"""Small arithmetic helpers with one planted bug."""


def add(a, b):
    return a - b


def scale(values, factor):
    return [v * factor for v in values]


def mean(values):
    if not values:
        raise ValueError("mean of an empty list")
    total = 0
    for v in values:
        total = add(total, v)
    return total / len(values)
