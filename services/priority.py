"""Patients first: background work in the app's process (an editor's check, a staff evaluation run) steps aside
between its cases while a patient's question is being answered, so a publish does not slow the patients.

Both share two cores; the check is hundreds of questions asked one after another, a patient's question one.
The check waits at most `max_wait_s` per case, so a steady stream of patients slows it but never stops it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class PatientsFirst:
    """Counts patients' questions in flight; `wait_turn()` returns once there are none (or after max_wait_s)."""

    def __init__(self, max_wait_s: float = 2.0):
        self.max_wait_s = max_wait_s
        self._busy = 0
        self._idle = threading.Condition()

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Around a patient's question: background work holds off until it is answered."""
        with self._idle:
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                if not self._busy:
                    self._idle.notify_all()

    def wait_turn(self) -> bool:
        """Called by background work between two of its steps; True when no patient was waiting at the end."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout=self.max_wait_s)

    def paced(self, progress=None):
        """A progress callback for evals.runner.run_cases that waits its turn after each case."""

        def step(done: int, total: int) -> None:
            self.wait_turn()
            if progress:
                progress(done, total)

        return step
