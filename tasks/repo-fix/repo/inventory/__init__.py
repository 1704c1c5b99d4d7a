from .stock import restock, take

__all__ = ["restock", "take"]
