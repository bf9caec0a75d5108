#!/usr/bin/env python3
"""The web UI of `candor serve` in a real browser (headless Chromium through chromedriver).

usage: serve_browser.py BASE_URL RECORDING SEGMENTS INVESTIGATOR PASSWORD SUPERVISOR PASSWORD CASE SESSION

The investigator signs in through the form, uploads RECORDING with its SEGMENTS file into
CASE/SESSION through the upload form, follows the job page (it refreshes itself, no JavaScript) until the analysis is
done, opens the session and its report. The supervisor signs in, opens the case, sees the
report, and records a review through the form. Pages must not contain scripts. Exit 0 when
every step held; otherwise the failing step is printed and the exit status is 1.
"""
import os
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def wait_for(d, what, seconds=30):
    """Waits until `what(d)` is true (a click's navigation may still be loading)."""
    try:
        WebDriverWait(d, seconds).until(lambda drv: what(drv))
    except Exception:
        pass


def driver(profile, lang):
    """A headless Chromium whose Accept-Language prefers `lang` (e.g. "en-US" or "zh-TW")."""
    opts = webdriver.ChromeOptions()
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}", "--window-size=1200,1600",
              f"--lang={lang}"]:
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"intl.accept_languages": f"{lang},{lang.split('-')[0]}"})
    opts.binary_location = next(p for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] if os.path.exists(p))
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def no_scripts(d, where):
    check(not d.find_elements(By.TAG_NAME, "script"), f"no <script> on {where}")


def sign_in(d, base, user, password):
    d.get(base + "/")
    check(d.current_url.endswith("/ui/login"), f"{user}: / leads to the sign-in page")
    no_scripts(d, "the sign-in page")
    d.find_element(By.ID, "user").send_keys(user)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.ID, "signin").click()
    wait_for(d, lambda x: x.current_url.endswith("/ui/cases"))
    check(d.current_url.endswith("/ui/cases"), f"{user}: signed in, on the cases page ({d.current_url}: {d.find_element(By.TAG_NAME, 'main').text[:300]})")
    check(user in d.find_element(By.ID, "who").text, f"{user}: the page names the signed-in user")
    cookies = {c["name"]: c for c in d.get_cookies()}
    c = cookies.get("candor_session")
    check(c is not None and c.get("httpOnly") and c.get("sameSite") == "Strict", f"{user}: session cookie is HttpOnly and SameSite=Strict")


def main():
    base, recording, segments, inv, inv_pw, sup, sup_pw, case, session = sys.argv[1:10]
    with tempfile.TemporaryDirectory() as tmp:
        d = driver(tmp + "/a", "en-US")
        try:
            sign_in(d, base, inv, inv_pw)
            d.get(base + "/ui/upload")
            no_scripts(d, "the upload page")
            form = d.find_element(By.ID, "upload")
            form.find_element(By.NAME, "case").send_keys(case)
            form.find_element(By.NAME, "session").send_keys(session)
            form.find_element(By.NAME, "roles").send_keys("interviewer,interviewee")
            form.find_element(By.NAME, "recording").send_keys(os.path.abspath(recording))
            form.find_element(By.NAME, "segments").send_keys(os.path.abspath(segments))
            methods = [o.get_attribute("value") for o in form.find_elements(By.CSS_SELECTOR, "select[name=method] option")]
            check(methods == ["ac", "cc", "robust"], f"the upload form offers the pitch methods ({methods})")
            check(form.find_element(By.CSS_SELECTOR, "select[name=pitch_range] option:checked").get_attribute("value") == "fixed",
                  "the upload form's pitch range defaults to fixed")
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            wait_for(d, lambda x: "/ui/jobs/" in x.current_url, 120)
            check("/ui/jobs/" in d.current_url, "the upload leads to the job page")
            deadline = time.time() + 300
            state = ""
            while time.time() < deadline:
                try:
                    state = d.find_element(By.ID, "job-state").get_attribute("data-state")
                except Exception:
                    state = ""  # between two reloads
                if state in ("done", "failed"):
                    break
                time.sleep(1)  # the page reloads itself (meta refresh)
            check(d.find_element(By.ID, "job-state").get_attribute("data-state") == "done", f"the job page shows the analysis done ({state})")
            d.find_element(By.ID, "open-session").click()
            wait_for(d, lambda x: x.find_elements(By.ID, "verification"))
            check(d.find_element(By.ID, "verification").text.startswith("Log intact"), "investigator: the audit timeline verifies")
            check(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "en-US browser: <html lang=en>")
            details = [r.find_elements(By.TAG_NAME, "td")[5].text for r in d.find_elements(By.CSS_SELECTOR, "#timeline tr.record")]
            check(any("what: segments" in t for t in details), "the segments file's upload is in the timeline")
            d.find_element(By.ID, "report-link").click()
            wait_for(d, lambda x: x.find_elements(By.CSS_SELECTOR, "svg"))
            check(len(d.find_elements(By.CSS_SELECTOR, "svg")) >= 1, "investigator: the report shows its plots")
            no_scripts(d, "the report")
        finally:
            d.quit()

        # The supervisor's browser prefers Traditional Chinese: the pages follow it.
        d = driver(tmp + "/b", "zh-TW")
        try:
            sign_in(d, base, sup, sup_pw)
            links = d.find_elements(By.CSS_SELECTOR, "a.session")
            check(any(l.text == session for l in links), "supervisor: the case list shows the session")
            check(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hant-TW", "zh-TW browser: <html lang=zh-Hant-TW>")
            check(d.find_element(By.TAG_NAME, "h1").text == "案件", "zh-TW browser: the cases page is in Traditional Chinese")
            next(l for l in links if l.text == session).click()
            wait_for(d, lambda x: x.find_elements(By.ID, "timeline"))
            no_scripts(d, "the session page")
            rows = d.find_elements(By.CSS_SELECTOR, "#timeline tr.record")
            users = {r.find_element(By.CSS_SELECTOR, "td.user").text for r in rows}
            check(inv in users and sup in users, f"supervisor: the timeline names {inv} and {sup} ({sorted(users)})")
            check(all(r.find_elements(By.CSS_SELECTOR, "td.verified") for r in rows), "every record's signature is verified")
            check(d.find_element(By.ID, "witnesses") is not None, "the witness status is shown")
            d.find_element(By.ID, "report-link").click()
            wait_for(d, lambda x: x.find_elements(By.CSS_SELECTOR, "svg"))
            check(len(d.find_elements(By.CSS_SELECTOR, "svg")) >= 1, "supervisor: sees the report")
            d.back()
            wait_for(d, lambda x: x.find_elements(By.ID, "concerns_seq"))
            d.find_element(By.ID, "concerns_seq").send_keys("1")
            d.find_element(By.ID, "note").send_keys("Listened to the recording; the flags need no further action.")
            d.find_element(By.ID, "submit-review").click()
            wait_for(d, lambda x: x.find_elements(By.ID, "notice"))
            check("覆核已記錄" in d.find_element(By.ID, "notice").text, "supervisor: the review is recorded (in Traditional Chinese)")
            rows = d.find_elements(By.CSS_SELECTOR, "#timeline tr.record")
            reviews = [r for r in rows if r.find_elements(By.TAG_NAME, "td")[2].text == "review"]
            check(len(reviews) == 1 and reviews[0].find_elements(By.TAG_NAME, "td")[3].text == sup,
                  "the review is in the timeline, signed by the supervisor")
            # An error page follows the browser's language too (not the server's English message).
            d.get(base + f"/ui/cases/{case}/sessions/NO-SUCH-SESSION")
            wait_for(d, lambda x: x.find_elements(By.ID, "error"))
            text = d.find_element(By.ID, "error").text
            check(f"案件 {case} 沒有場次 NO-SUCH-SESSION" in text and "audit log" not in text,
                  f"zh-TW browser: a missing session's error page is in Traditional Chinese ({text})")
        finally:
            d.quit()
    print("browser: all steps passed")


if __name__ == "__main__":
    main()
