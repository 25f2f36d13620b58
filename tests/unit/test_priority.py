"""Patients first (issue 25): an editor's check steps aside between its cases while a patient's question is being
answered, and carries on once it is; a steady stream of patients slows it but cannot stop it."""

from __future__ import annotations

import threading
import time

from services.priority import PatientsFirst


def test_background_work_waits_for_the_patient_in_flight_and_goes_on_after():
    priority, order = PatientsFirst(max_wait_s=5.0), []
    answered = threading.Event()

    def patient():
        with priority.serving():
            answered.wait(5)
            order.append("patient answered")

    thread = threading.Thread(target=patient)
    thread.start()
    time.sleep(0.05)
    check = threading.Thread(target=lambda: (priority.paced()(1, 2), order.append("next case")))
    check.start()
    time.sleep(0.1)
    assert order == []  # the check is holding off while the patient waits for an answer
    answered.set()
    thread.join(5)
    check.join(5)
    assert order == ["patient answered", "next case"]


def test_a_patient_that_never_finishes_does_not_stop_the_check():
    priority = PatientsFirst(max_wait_s=0.05)
    with priority.serving():
        assert priority.wait_turn() is False  # gave up waiting: the check goes on
    assert priority.wait_turn() is True


def test_the_progress_callback_is_still_called():
    seen = []
    PatientsFirst().paced(lambda done, total: seen.append((done, total)))(3, 7)
    assert seen == [(3, 7)]
