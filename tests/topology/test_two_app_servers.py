"""More than one machine: two stateless gunicorn app servers (production settings) on one
PostgreSQL database and one Redis, as docs/deploy.md describes. Whichever server answers, a
visitor's session, cart, checkout and rate-limit counts are the same."""

import pytest

from tests import support

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DB_NAME = "bibarys_proof_topology"


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    directory = tmp_path_factory.mktemp("topology")
    database_url = support.require_postgres_database(DB_NAME)
    redis = support.require_redis(support.REDIS_DB_TOPOLOGY)
    env = support.production_env(
        database_url=database_url, redis=redis, MEDIA_ROOT=str(directory / "media"),
        # Both servers sit behind the same proxy (here: the test itself on 127.0.0.1).
        TRUSTED_PROXIES="127.0.0.1",
    )
    support.manage("migrate", "--no-input", "-v", "0", env=env, timeout=600)
    support.collectstatic(env)
    support.manage("seed_demo", "--products", "30", env=env, timeout=600)
    servers = [support.Server(env, workers=2, threads=1, name=name, log_dir=directory)
               for name in ("a", "b")]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
        support.drop_postgres_database(database_url)


def test_a_session_started_on_one_server_works_on_the_other(two_servers):
    a, b = two_servers
    support.flush_redis(a.env["REDIS_URL"])
    visitor = support.Client(a.url, language="en")
    assert visitor.login("shopper1", "bibarys-demo").status == 302
    on_b = visitor.with_base(b.url).get("/accounts/profile/")
    assert on_b.status == 200, on_b.status
    assert "Log out" in on_b.text and 'name="username"' not in on_b.text
    # Logging out on B ends the session on A too.
    profile = visitor.with_base(b.url)
    assert profile.post("/accounts/logout/").status == 302
    again = visitor.with_base(a.url).get("/accounts/profile/")
    assert again.status == 302 and "/accounts/login/" in again.location


def test_login_limit_is_counted_once_across_both_servers(two_servers):
    a, b = two_servers
    support.flush_redis(a.env["REDIS_URL"])
    statuses = []
    for n in range(20):
        server = (a, b)[n % 2]
        client = support.Client(server.url)
        client.get("/accounts/login/", headers={"X-Forwarded-For": "198.51.100.10"})
        statuses.append(client.post(
            "/accounts/login/", {"username": "shopper1", "password": "wrong"},
            headers={"X-Forwarded-For": "198.51.100.10"}).status)
    assert statuses.count(200) <= 5 and statuses.count(429) >= 15, statuses
    # Another shopper behind the same proxy is a different client: still let in.
    other = support.Client(b.url)
    other.get("/accounts/login/", headers={"X-Forwarded-For": "198.51.100.11"})
    response = other.post("/accounts/login/", {"username": "shopper2", "password": "bibarys-demo"},
                          headers={"X-Forwarded-For": "198.51.100.11"})
    assert response.status == 302, response.status
