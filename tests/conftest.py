"""Fixtures of the proof suites (tests/e2e, tests/security, tests/topology).

The app under test always runs as real processes (gunicorn) on free loopback ports with a
database of its own; see tests/support.py."""

import pytest

from tests import support


@pytest.fixture(scope="session")
def proof_tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("proof")


@pytest.fixture(scope="session")
def security_redis():
    """Redis db 5, flushed: the production server of the security suite counts rate limits here."""
    return support.require_redis(support.REDIS_DB_SECURITY)


@pytest.fixture(scope="session")
def prod_server(proof_tmp, security_redis):
    """gunicorn with production settings (DEBUG=0, Redis, 4 workers) on a migrated SQLite file,
    with one shopper `proof_shopper` / `proof-pass-123`."""
    directory = proof_tmp / "prod"
    directory.mkdir()
    env = support.production_env(database_url=support.sqlite_database(directory),
                                 redis=security_redis, MEDIA_ROOT=str(directory / "media"))
    support.manage("migrate", "--no-input", "-v", "0", env=env)
    support.collectstatic(env)
    support.manage(
        "shell", "-c",
        "from accounts.models import User; u = User(username='proof_shopper', role='shopper');"
        " u.set_password('proof-pass-123'); u.save()",
        env=env,
    )
    server = support.Server(env, workers=4, threads=1, name="prod", log_dir=directory)
    server.start()
    yield server
    server.stop()
