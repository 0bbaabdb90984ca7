"""In a real browser: the simulator's call, its refresh and its notices, as a patient and a
keyboard user meet them, at phone and desktop size."""

from __future__ import annotations

from tests.browser.test_journeys import text

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def open_phone(page, base: str, last: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/simulator")
    page.fill("#last", last)
    page.click("#open")
    page.wait_for_url(f"**/simulator/1212555{int(last) + 100:04d}")
    return page.url


def test_a_call_has_its_own_page_and_a_reload_presses_no_key(browser_page, live_server: str):
    """At phone size here; the accessibility walk opens a call at desktop size too."""
    page = browser_page
    page.set_viewport_size(SIZES["phone"])
    phone = open_phone(page, live_server, "61")
    page.click("#call")
    page.wait_for_url(f"{phone}/call")
    assert "For English, press 1." in page.inner_text("#said")
    assert page.locator(".error", has_text="scrollHeight").count() == 0
    assert page.locator("main").count() == 1 and page.locator("h1").count() == 1

    page.locator('#keypad button[value="2"]').focus()  # the keypad by keyboard alone
    page.keyboard.press("Enter")
    page.locator("#said", has_text="Usted oprimió 2").wait_for()
    assert "oprima 3" in page.inner_text("#said")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.reload()
    assert "oprima 3" in page.inner_text("#said")
    assert posts == []  # a reload asks for the page again, and presses nothing
    page.wait_for_timeout(5500)  # longer than the text screen's refresh: the call stays
    assert "oprima 3" in page.inner_text("#said")
    page.click("#hang-up")
    page.wait_for_url(phone)


def test_the_refresh_adds_new_bubbles_without_moving_a_reader_and_announces_only_them(
    browser_page, live_server: str
):
    page = browser_page
    phone = open_phone(page, live_server, "63")
    for body in ("SECOND", "1", "NOT YET", "NO", "MENU"):
        text(page, body)
    bubbles = page.locator("#bubbles")
    bubbles.evaluate("el => { el.scrollTop = 0; }")
    token = page.get_attribute('meta[name="csrf-token"]', "content")
    before = page.locator("#bubbles .bubble").count()
    page.request.post(f"{phone}/text", form={"body": "HELP", "csrf_token": str(token)})
    page.locator("#bubbles .bubble").nth(before + 1).wait_for(timeout=12_000)  # the refresh
    assert bubbles.evaluate("el => el.scrollTop") == 0  # the reader stays where they were
    said = page.inner_text("#announce")
    assert "HELP to see this again" in said
    assert "Reply 1 to go on in English" not in said  # older texts are not read again


def test_next_reminder_says_why_nothing_went_and_a_bad_jump_names_the_range(
    browser_page, live_server: str
):
    page = browser_page
    open_phone(page, live_server, "64")
    page.click("#jump-next")
    page.locator("#notice", has_text="this phone has not signed up").wait_for()
    page.fill("#amount", "500")
    page.click("#jump-ahead")
    page.locator("#error", has_text="1 to 120 days").wait_for()
    page.fill("#amount", "-3")
    page.click("#jump-ahead")
    page.locator("#error", has_text="1 to 120 days").wait_for()
    assert page.locator("#error").count() == 1  # one message, never a stack of them
