"""The baseline of ``bench/intake.py``: a minimal, plain Django form that saves the same
complaint fields unencrypted, served the same way as ombuds (gunicorn sync workers, one
persistent SQLite connection per worker, the same SQLite build and pragmas).

Not part of ombuds: it exists only so the benchmark can say what the encryption, the one-time
form token and the audit chain cost relative to a plain form post.
"""
