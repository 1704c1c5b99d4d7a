from .ops import add, mean, scale

__all__ = ["add", "mean", "scale"]
