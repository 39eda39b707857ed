"""An id larger than the database can store, in a query string or a path, is not found (or
ignored as a filter): never an overflow in the database driver (a 500)."""

import pytest
from django.urls import reverse

HUGE = "9" * 30


@pytest.fixture
def admin(make_user, city):
    return make_user("administrator", city, username="admin-huge")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"/fleet/?department={HUGE}&location={HUGE}", 200),  # an impossible filter is ignored
        (f"/plan/evaluations/compare/?a={HUGE}&b={HUGE}", 404),
        (f"/fleet/{HUGE}/", 404),
        (f"/reuse/devices/{HUGE}/", 404),
        (f"/projects/{HUGE}/", 404),
        (f"/plan/commitments/{HUGE}/", 404),
    ],
)
def test_huge_ids(client, admin, url, expected):
    client.force_login(admin)
    assert client.get(url).status_code == expected


def test_the_urls_above_exist():
    assert reverse("plan:compare") == "/plan/evaluations/compare/"
    assert reverse("fleet:list") == "/fleet/"
