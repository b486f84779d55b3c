"""The shared partial that shows audit entries (users page, product page, audit log)."""

from django.template.loader import render_to_string
from django.utils import translation

from accounts.audit import audit_for, audit_record


def test_audit_entries_partial_shows_who_what_ip_and_before_after(admin_user, shopper):
    audit_record(actor=admin_user, action="user.role_change", obj=shopper,
                 changes={"role": ["shopper", "seller"]}, ip="10.1.2.3")
    audit_record(actor=admin_user, action="receipt.post", obj=shopper,
                 changes={"lines": 3, "cost_price": {"Milk": ["100.00", "110.00"]}})
    with translation.override("en"):
        html = render_to_string("accounts/_audit_entries.html",
                                {"entries": audit_for(shopper)})
    assert "Role changed" in html
    assert admin_user.display_name in html
    assert "10.1.2.3" in html
    # Role codes are shown as the role's name.
    assert 'class="audit-before">Shopper<' in html and 'class="audit-after">Seller<' in html
    assert "Milk" in html and "110.00" in html and "lines" in html


def test_audit_entries_partial_shows_a_plain_detail_as_text(admin_user, shopper):
    audit_record(actor=admin_user, action="user.unblock", obj=shopper,
                 changes={"is_active": [False, True], "reason": "apologised"})
    with translation.override("en"):
        html = render_to_string("accounts/_audit_entries.html",
                                {"entries": audit_for(shopper)})
    assert "<dd>apologised</dd>" in html and "audit-items" not in html
    assert 'class="audit-before">no<' in html and 'class="audit-after">yes<' in html


def test_audit_entries_partial_says_when_there_is_nothing(shopper):
    with translation.override("en"):
        html = render_to_string("accounts/_audit_entries.html", {"entries": []})
    assert "No audit entries yet." in html
