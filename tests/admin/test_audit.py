"""The staff audit log: who signed in or failed to, who acted on a person; on the timeline too."""

from __future__ import annotations

import csv
import io

from adminkit import ANA, CSRF, PASSWORD, enrol, get, post


def test_the_audit_log_exports_sign_ins_and_actions_with_who_did_them(admin_app, guest):
    person = enrol(admin_app, ANA)
    post(guest, "/admin/login", username="nobody", password="a wrong guess")
    post(guest, "/admin/login", username="nadia", password="a wrong guess")
    assert post(guest, "/admin/login", username="nadia", password=PASSWORD).status_code == 303
    with guest.session_transaction(base_url="https://localhost") as session:
        session["csrf_token"] = CSRF
    post(guest, f"/admin/people/{person}/pause")
    post(guest, f"/admin/people/{person}/opt-out")
    response = get(guest, "/admin/audit.csv")
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    seen = [
        (r["staff"][:1] if r["staff"].startswith("?") else r["staff"], r["action"]) for r in rows
    ]
    assert seen == [
        ("?", "sign-in failed"),
        ("nadia", "sign-in failed"),
        ("nadia", "sign-in ok"),
        ("nadia", "pause"),
        ("nadia", "opt-out"),
    ]
    assert {r["person"] for r in rows if r["action"] in ("pause", "opt-out")} == {str(person)}
    assert "nobody" not in response.get_data(as_text=True)  # an unknown name is kept hashed
    timeline = get(guest, f"/admin/people/{person}").get_data(as_text=True)
    assert "pause by nadia" in timeline and "opt-out by nadia" in timeline
