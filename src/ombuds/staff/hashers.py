from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at libsodium's minimum cost: for the test suite only (OMBUDS_PASSWORD_COST)."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1
