"""Property-based fuzzing of the signed-in dashboard: any query, form or action, never a 5xx."""

from __future__ import annotations

from adminkit import CSRF
from hypothesis import given
from hypothesis import strategies as st

from tests.test_fuzz_webhooks import FUZZ, values

pages = st.sampled_from(["/admin/people", "/admin/people/1", "/admin/program"])
actions = st.one_of(
    st.sampled_from(["pause", "resume", "timezone", "opt-out", "erase"]), st.text(max_size=12)
)


@FUZZ
@given(page=pages, query=st.dictionaries(st.sampled_from(["status", "language", "last4"]), values))
def test_pages_with_any_query(staff, page: str, query: dict[str, str]) -> None:
    response = staff.get(page, query_string=query, base_url="https://localhost")
    assert response.status_code < 500


@FUZZ
@given(
    action=actions,
    person=st.integers(-5, 10**12),
    form=st.dictionaries(st.text(max_size=9), values),
)
def test_actions_with_any_form(staff, action: str, person: int, form: dict[str, str]) -> None:
    path = f"/admin/people/{person}/{action}"
    response = staff.post(path, data={**form, "csrf_token": CSRF}, base_url="https://localhost")
    assert response.status_code < 500


@FUZZ
@given(name=values, password=values)
def test_sign_in_with_anything(guest, name: str, password: str) -> None:
    form = {"csrf_token": CSRF, "username": name, "password": password}
    response = guest.post("/admin/login", data=form, base_url="https://localhost")
    assert response.status_code < 500
