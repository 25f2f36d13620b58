"""The throttles on their own, with a clock the test moves: a patient's token bucket, staff sign-in back-off
and lockout; and the settings that configure them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.settings import Settings, SettingsError, described
from services.storage import Storage
from services.throttle import RateLimiter, SignInThrottle


@pytest.fixture
def storage(tmp_path):
    """The sign-in records' database: SQLite in a tmp folder (tests/system/test_storage.py runs PostgreSQL too)."""
    store = Storage(f"sqlite:///{tmp_path}/state.sqlite")
    yield store
    store.close()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_burst_is_allowed_then_questions_come_at_the_refill_rate(storage):
    clock = Clock()
    limiter = RateLimiter(storage, per_minute=6, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(10.0)  # one token every 10 s
    assert limiter.take("b") == 0.0  # another client is untouched
    clock.now += 10
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0


def test_wrong_passwords_back_off_then_lock_the_client_out(storage):
    clock = Clock()
    throttle = SignInThrottle(storage, max_failures=10, user_max_failures=50, lockout_s=900, clock=clock)
    waits = []
    for _ in range(10):
        assert throttle.check("10.0.0.9", "staff").allowed
        waits.append(throttle.failed("10.0.0.9", "staff").wait_s)
        clock.now += waits[-1]
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 64, 900]
    clock.now -= 900  # just after the tenth
    refused = throttle.check("10.0.0.9", "staff")
    assert not refused.allowed and refused.locked and "locked" in refused.message()
    assert throttle.check("10.0.0.10", "staff").allowed  # the right person on another device still gets in


def test_refusals_do_not_count_and_a_lockout_ends(storage):
    clock = Clock()
    throttle = SignInThrottle(storage, max_failures=3, user_max_failures=50, lockout_s=60, clock=clock)
    for _ in range(3):
        throttle.failed("c", "staff")
    assert not throttle.check("c", "staff").allowed
    clock.now += 61
    assert throttle.check("c", "staff").allowed
    assert throttle.failed("c", "staff").wait_s == 0  # a lockout served in full starts the count again


def test_many_clients_guessing_one_user_name_lock_that_name(storage):
    clock = Clock()
    throttle = SignInThrottle(storage, max_failures=10, user_max_failures=6, lockout_s=900, clock=clock)
    for i in range(6):
        clock.now += 100
        throttle.failed(f"10.0.0.{i}", "staff")
    refused = throttle.check("10.0.0.5", "staff")  # a guesser that has failed itself is held back by the name
    assert not refused.allowed and refused.who == "user" and "user name" in refused.message()
    assert throttle.check("10.0.0.5", "admin").allowed


def test_a_right_password_from_a_device_with_no_failures_is_never_refused(storage):
    """Issue 25: 31 wrong passwords from 13 addresses locked the real staff member out of a fresh device."""
    clock = Clock()
    throttle = SignInThrottle(storage, max_failures=10, user_max_failures=6, lockout_s=900, clock=clock)
    for i in range(31):
        throttle.failed(f"10.0.0.{i % 13}", "staff")
    assert throttle.check("192.168.1.20", "staff").allowed
    assert not throttle.check("10.0.0.3", "staff").allowed
    throttle.failed("192.168.1.20", "staff")  # one miss from the fresh device: the name's lockout now holds it
    assert not throttle.check("192.168.1.20", "staff").allowed


def test_made_up_user_names_cannot_push_a_locked_name_out(storage, monkeypatch):
    monkeypatch.setattr("services.throttle.MAX_KEYS", 50)
    clock = Clock()
    throttle = SignInThrottle(storage, max_failures=1000, user_max_failures=6, lockout_s=900, clock=clock)
    for i in range(6):
        throttle.failed(f"10.0.0.{i}", "staff")
    for i in range(500):
        throttle.failed("10.0.0.1", f"junk-{i}")
    throttle.failed("10.9.9.9", "staff")  # one more guess from a new address
    refused = throttle.check("10.9.9.9", "staff")
    assert not refused.allowed and refused.who == "user"  # the name is still locked: the junk went first


def test_a_refusal_is_reported_once_per_wait(storage):
    clock = Clock()
    throttle = SignInThrottle(storage, max_failures=3, user_max_failures=50, lockout_s=60, clock=clock)
    for _ in range(3):
        throttle.failed("c", "staff")
    firsts = [throttle.check("c", "staff").first for _ in range(5)]
    assert firsts == [True, False, False, False, False]
    clock.now += 61
    for _ in range(3):
        throttle.failed("c", "staff")
    assert throttle.check("c", "staff").first


def test_a_right_password_clears_the_record(storage):
    clock = Clock()
    throttle = SignInThrottle(storage, max_failures=10, user_max_failures=50, lockout_s=900, clock=clock)
    for _ in range(3):
        throttle.failed("c", "staff")
    clock.now += 1
    throttle.succeeded("c", "staff")
    assert throttle.failed("c", "staff").wait_s == 0


def test_new_settings_have_defaults_and_bad_values_name_their_variable():
    s = Settings.from_env({})
    assert (s.rate_per_minute, s.rate_burst, s.login_max_failures, s.log_days, s.embed_origins) == (30, 10, 10, 30, ())
    s = Settings.from_env(
        {
            "CLINICBOT_EMBED_ORIGINS": "https://www.clinic.example, https://clinic.example/",
            "CLINICBOT_TRUSTED_PROXIES": "none",
        }
    )
    assert s.embed_origins == ("https://www.clinic.example", "https://clinic.example") and s.trusted_proxies == ()
    for env, named in [
        ({"CLINICBOT_PORT": "http"}, "CLINICBOT_PORT"),
        ({"CLINICBOT_PORT": "70000"}, "CLINICBOT_PORT"),
        ({"CLINICBOT_EMBED_ORIGINS": "javascript:alert(1)"}, "CLINICBOT_EMBED_ORIGINS"),
        ({"CLINICBOT_RATE_BURST": "0"}, "CLINICBOT_RATE_BURST"),
        ({"CLINICBOT_LOG_DAYS": "-1"}, "CLINICBOT_LOG_DAYS"),
        ({"CLINICBOT_MAX_REQUEST_KB": "1"}, "CLINICBOT_MAX_REQUEST_KB"),
        ({"CLINICBOT_EVALS_DIR": "/no/such/folder"}, "CLINICBOT_EVALS_DIR must be a folder"),
    ]:
        with pytest.raises(SettingsError, match=named):
            Settings.from_env(env)


def test_every_setting_is_in_the_readmes_settings_table():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Settings") : readme.index("## Security")]
    assert [var for var, _ in described() if f"`{var}`" not in table] == []
