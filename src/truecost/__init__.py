"""truecost: what AI features in production really cost, and how to cut it."""

__version__ = "0.1.0"
