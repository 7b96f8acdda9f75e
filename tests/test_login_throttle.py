"""Login throttling (per user name and per client, 429 with Retry-After, on both APIs' logins) and the bound on
argon2 work: parallel logins wait for a hashing slot instead of each taking 64 MiB at once."""

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from functions.core.errors import BadRequest, TooManyRequests
from functions.core.settings import get_settings
from functions.services.auth import throttle, users
from functions.storage.models import LoginThrottle
from tests.conftest import ROOT

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LIMIT = 5  # LOGIN_FAILURES_PER_USER's default
LOCKOUT = 900


def ta_login(client, username="admin", password="admin-password"):
    return client.http.post("/api/login/", headers=JSON, body=json.dumps({"username": username, "password": password}))


def iv_login(client, username="admin", password="admin-password"):
    return client.http.post("/login", headers=FORM, body=urlencode({"email": username, "password": password}))


def end_window(key: str) -> None:
    LoginThrottle(key).update(actions=[LoginThrottle.window_end.set(int(time.time()) - 1)])


def test_wrong_passwords_then_the_right_one_is_throttled(client, admin):
    for _ in range(LIMIT):
        assert ta_login(client, password="wrong").status_code == 400
    response = ta_login(client)  # the right password, too late
    assert response.status_code == 429
    assert LOCKOUT - 5 <= int(response.headers["Retry-After"]) <= LOCKOUT
    assert response.json_body == {
        "error": f"Request was throttled. Expected available in {response.headers['Retry-After']} seconds."
    }
    assert "Set-Cookie" not in response.headers
    assert ta_login(client, "other-name", "x").status_code == 400  # another name is not throttled by this one
    end_window("user#admin")
    assert ta_login(client).status_code == 200
    with pytest.raises(LoginThrottle.DoesNotExist):  # a success clears the name's count
        LoginThrottle.get("user#admin")


def test_unknown_names_are_throttled_alike(client, admin):
    for _ in range(LIMIT):
        assert ta_login(client, "nobody", "x").status_code == 400
    assert ta_login(client, "nobody", "x").status_code == 429


def test_failures_on_both_apis_count_together(client, admin):
    for _ in range(3):
        assert ta_login(client, password="wrong").status_code == 400
    for _ in range(LIMIT - 3):
        assert iv_login(client, password="wrong").status_code == 403
    page = iv_login(client)
    assert page.status_code == 429 and "Too many failed sign-ins" in page.body.decode()
    assert int(page.headers["Retry-After"]) > 0
    assert "SID=" not in str(page.headers.get("Set-Cookie"))
    assert ta_login(client).status_code == 429


def test_a_client_trying_many_names_is_throttled(aws, admin, other):
    limit = get_settings().login_failures_per_client
    for n in range(limit):
        with pytest.raises(BadRequest):
            users.verify_login(f"guess{n}", "x", "203.0.113.9")
    with pytest.raises(TooManyRequests) as refused:
        users.verify_login("other", "other-password", "203.0.113.9")  # a right password from that client
    assert refused.value.retry_after > 0
    assert users.verify_login("other", "other-password", "198.51.100.1").username == "other"  # another client
    end_window("client#203.0.113.9")
    assert users.verify_login("other", "other-password", "203.0.113.9").username == "other"


def test_the_limits_are_settings(client, admin, monkeypatch):
    monkeypatch.setenv("LOGIN_FAILURES_PER_USER", "2")
    monkeypatch.setenv("LOGIN_LOCKOUT_SECONDS", "60")
    get_settings.cache_clear()
    try:
        for _ in range(2):
            assert ta_login(client, password="wrong").status_code == 400
        response = ta_login(client)
        assert response.status_code == 429 and int(response.headers["Retry-After"]) <= 60
    finally:
        get_settings.cache_clear()


def test_a_window_that_ended_starts_again(aws, admin):
    for _ in range(LIMIT - 1):
        throttle.record_failure("admin", None)
    end_window("user#admin")
    throttle.record_failure("admin", None)  # opens a new window: one failure, not LIMIT
    assert LoginThrottle.get("user#admin").failures == 1
    assert users.verify_login("admin", "admin-password").username == "admin"


# ---------------------------------------------------------------- bounded argon2 work


def test_parallel_logins_hash_at_most_the_slots_at_once(aws, admin, monkeypatch):
    slots = get_settings().password_hash_slots
    monkeypatch.setattr(users, "_hash_slots", None)
    running, peak, lock = 0, 0, threading.Lock()
    cheap = users._hasher

    class Counting:
        def __init__(self):
            self.inner = cheap()

        def _run(self, work, *args):
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            try:
                time.sleep(0.01)  # long enough for the others to pile up
                return work(*args)
            finally:
                with lock:
                    running -= 1

        def hash(self, password):
            return self._run(self.inner.hash, password)

        def verify(self, password_hash, password):
            return self._run(self.inner.verify, password_hash, password)

    monkeypatch.setattr(users, "_hasher", Counting)
    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(lambda n: users.verify_login("admin", "admin-password", f"10.0.0.{n}"), range(50)))
    assert [user.username for user in results] == ["admin"] * 50
    assert peak == slots


MEMORY_PROBE = """
import threading, time
from argon2 import PasswordHasher
from functions.services.auth import users


def peak_mb():  # this process's own high-water mark (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM:"))


before = peak_mb()
started = time.time()
# the real memory (64 MiB a hash) in one pass instead of three: what is measured is memory, not time
stored = PasswordHasher(time_cost=1).hash("right")
threads = [threading.Thread(target=users.check_password, args=(stored, "wrong")) for _ in range(50)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(before, peak_mb(), round(time.time() - started, 2))
"""


def test_fifty_parallel_logins_stay_under_the_stated_memory():
    """README: with PASSWORD_HASH_SLOTS=2, 50 parallel password checks add at most 2 x 64 MiB (+ slack) to the
    process's peak RSS; unbounded, they would add about 50 x 64 MiB."""
    env = {"PYTHONPATH": str(ROOT), "PASSWORD_HASH_SLOTS": "2", "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin"}
    done = subprocess.run([sys.executable, "-c", MEMORY_PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    before_mb, peak_mb, _seconds = done.stdout.split()
    before_mb, peak_mb = int(before_mb), int(peak_mb)
    assert peak_mb - before_mb <= 2 * 64 + 40, (before_mb, peak_mb)
