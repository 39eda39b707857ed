"""Which database the suite really runs on (CI runs it once on SQLite, once on PostgreSQL)."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_in_use_when_required():
    """Fails under IMPACTNUM_REQUIRE_POSTGRES=1 unless the queries really reach PostgreSQL."""
    required = os.environ.get("IMPACTNUM_REQUIRE_POSTGRES") == "1"
    if connection.vendor != "postgresql":
        if required:
            pytest.fail(
                f"IMPACTNUM_REQUIRE_POSTGRES=1 but the tests run on {connection.vendor}; "
                "set IMPACTNUM_TEST_DATABASE_URL=postgres://user@host:5432/name"
            )
        pytest.skip(f"tests run on {connection.vendor}; PostgreSQL not configured")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_database()")
        version, name = cursor.fetchone()
    assert version.startswith("PostgreSQL")
    assert name.startswith("test_")
    print(f"PostgreSQL in use: {name} — {version}")
