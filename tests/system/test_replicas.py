"""Two app replicas behind a proxy, as a clinic group's IT would run them (README, "Deploying it"): a real
Chroma server, a real PostgreSQL, two `python app.py` processes sharing the corpus folder, and the test's
proxy in front (tests/cluster.py). What one replica does, the other sees; a replica killed with kill -9 in the
middle of patients' questions loses no logged exchange, and the other keeps answering."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import httpx
import pytest
from playwright.sync_api import expect

from services.chatlog import ChatLog
from services.storage import Storage
from tests.cluster import PASSWORD, REPO, cluster
from tests.postgres import create_database, postgres_server
from tests.system.test_app_browser import SLOW, dislike_with_comment, staff_login
from tests.system.test_app_browser import ask as ask_on_page

pytestmark = [pytest.mark.integration]

QUESTIONS = ["how long does an IV infusion take?", "is ketamine addictive?", "what should i bring to my visit?"]
NEW_ARTICLE = (
    "# Bicycle parking\n\nreviewed: 2026-12-05\n\nBicycle racks are behind the clinic, beside the blue side door. "
    "Patients may leave a locked bicycle there for the whole treatment day.\n"
)

HOURS = "hours: Monday to Friday, 8 am to 5 pm; closed on weekends and public holidays"
NEW_HOURS = "hours: Monday to Friday, 8 am to 5 pm, and Saturday, 9 am to noon"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """(proxy, [replica A, replica B], folder, database URL), shared by the tests of this module in order."""
    folder = tmp_path_factory.mktemp("replicas")
    with postgres_server() as server:
        url = create_database(server, "replicas")
        extra = {"CLINICBOT_LOGIN_MAX_FAILURES": "4", "CLINICBOT_RATE_PER_MINUTE": "600", "CLINICBOT_RATE_BURST": "50"}
        with cluster(folder, url, 2, extra) as (proxy, replicas):
            yield proxy, replicas, folder, url


def ask(base: str, question: str, client: str) -> dict:
    from gradio_client import Client

    return Client(base, verbose=False, headers={"X-Forwarded-For": client}).predict(question, "[]", api_name="/ask")


def sign_in(base: str, client: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(
        f"{base}/staff/login",
        data={"username": "staff", "password": password},
        headers={"X-Forwarded-For": client},
        timeout=30,
    )


def test_a_staff_session_made_on_one_replica_works_on_the_other(clinic):
    _, (a, b), _, _ = clinic
    signed = sign_in(a.url, "10.8.0.1")
    assert signed.status_code == 303 and "clinicbot-staff" in signed.cookies
    cookie = {"clinicbot-staff": signed.cookies["clinicbot-staff"]}
    desk = httpx.get(f"{b.url}/staff/", cookies=cookie, timeout=30)
    assert desk.status_code == 200 and 'name="password"' not in desk.text  # the desk, not the sign-in form
    assert httpx.get(f"{b.url}/staff/", timeout=30).status_code == 303  # without it: "Please sign in."


def test_wrong_passwords_on_both_replicas_count_as_one_and_the_right_one_from_elsewhere_still_works(clinic):
    _, (a, b), _, _ = clinic
    tries = [sign_in(replica.url, "10.8.0.2", "wrong") for replica in (a, b, a, b)]
    assert [t.status_code for t in tries[:3]] == [400, 400, 400]
    assert sign_in(a.url, "10.8.0.2").status_code == 429  # four failures, two on each: that address waits
    assert sign_in(b.url, "10.8.0.2").status_code == 429
    assert sign_in(b.url, "10.8.0.3").status_code == 303  # the right password from an address of its own


def test_a_publish_is_served_by_both_replicas_from_the_next_question(clinic):
    """The new article, and the clinic profile published with it (new opening hours), on both replicas."""
    _, (a, b), folder, _ = clinic
    (folder / "corpus" / "bicycle-parking.md").write_text(NEW_ARTICLE, encoding="utf-8")
    profile = folder / "corpus" / "_clinic.yml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(HOURS, NEW_HOURS), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--json"], cwd=REPO, env=a.env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    live = {httpx.get(f"{r.url}/healthz", timeout=30).json()["index"] for r in (a, b)}
    assert len(live) == 1  # one version, the new one, on both
    for replica, client in ((a, "10.8.1.1"), (b, "10.8.1.2")):
        reply = ask(replica.url, "where can i leave my bicycle?", client)
        assert "bicycle-parking.md" in [c["source"] for c in reply["citations"]], reply
        assert "Saturday, 9 am to noon" in ask(replica.url, "what are your opening hours?", client)["answer"]


def test_feedback_given_on_one_replica_is_on_the_others_desk(clinic, browser):
    _, (a, b), _, _ = clinic
    patient = browser.new_page()
    patient.goto(a.url)
    ask_on_page(patient, "how long does an IV infusion take?")
    dislike_with_comment(patient, "given on the first replica")
    staff = browser.new_page(viewport={"width": 1300, "height": 1000})
    staff_login(staff, b.url, PASSWORD)
    staff.get_by_role("tab", name="Feedback").click()
    staff.locator("#refresh-feedback").click()
    expect(staff.locator("#feedback")).to_contain_text("given on the first replica", timeout=SLOW)


def test_a_replica_killed_mid_load_loses_no_logged_exchange_and_the_other_keeps_answering(clinic):
    proxy, (a, _), _, url = clinic
    answered, failed, lock, stop_at = [], [], threading.Lock(), time.time() + 45

    def patient(i: int) -> None:
        k = 0
        while time.time() < stop_at:
            mark = f"ref {chr(97 + i)}{chr(97 + k % 26)}{chr(97 + k // 26 % 26)}"  # found again in the log
            try:
                reply = ask(proxy.url, f"{QUESTIONS[k % len(QUESTIONS)]} {mark}", f"10.9.0.{i + 1}")
                with lock:
                    answered.append((time.time(), mark, reply["kind"]))
            except Exception:  # noqa: BLE001 (a question cut off by the kill: the patient asks again)
                with lock:
                    failed.append(time.time())
            k += 1
            time.sleep(0.3)

    threads = [threading.Thread(target=patient, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    time.sleep(12)
    killed_at = time.time()
    a.kill()
    time.sleep(12)
    restarted_at = time.time()
    a.start()
    for t in threads:
        t.join()
    logged = " ".join(r["question"] for r in ChatLog(Storage(url)).recent(100_000))
    lost = [mark for _, mark, kind in answered if kind != "slow_down" and mark not in logged]
    while_down = [at for at, _, _ in answered if killed_at + 2 < at < restarted_at]
    print(f"answered {len(answered)}, failed {len(failed)}, answered while one replica was down {len(while_down)}")
    assert answered and lost == []  # every answer a patient got is in the shared log
    assert while_down  # the other replica kept answering
    assert [at for at, _, _ in answered if at > restarted_at]  # and the restarted one serves again
