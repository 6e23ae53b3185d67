"""ombuds: secure complaint intake and investigation for a human-rights inquiry."""

__version__ = "0.1.0"
