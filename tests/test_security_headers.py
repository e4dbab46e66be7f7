"""Security headers and the Content Security Policy the dashboards work under."""

from django.urls import reverse


def test_pages_carry_a_content_security_policy_without_inline_script(client, make_report):
    make_report(eq_pet_ct=1)
    response = client.get(reverse("reports:national"))
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    # Chart downloads: plotly.js draws the PNG/SVG through an image of a blob: or data: URL.
    assert policy["img-src"] == "'self' data: blob:"


def test_framing_sniffing_and_referrer_are_refused(client, db):
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client, make_report):
    make_report(eq_pet_ct=1)
    for name in ("home", "reports:national", "reports:provinces", "reports:brief"):
        html = client.get(reverse(name)).content.decode()
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, (name, opening)
        assert " onclick=" not in html and "javascript:" not in html


def test_error_pages_carry_the_same_policy(client, db):
    refused = client.get("/reports/?year=%00")
    assert refused.status_code == 400
    assert "frame-ancestors 'none'" in refused["Content-Security-Policy"]
    assert refused["X-Frame-Options"] == "DENY"
