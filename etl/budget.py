"""A CPU-time budget for a block of work: OverBudget is raised in the thread doing the work once
that thread has used the given CPU seconds in the block (CPU time, so a busy machine does not
make a page fail). On the main thread a virtual-time signal timer raises it, even inside a long
regular-expression match; on any other thread (the dashboard's build, a Dask worker) a watchdog
thread raises it at the thread's next Python instruction."""
from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
import time


class OverBudget(Exception):
    """The block used more CPU time than its budget."""


@contextlib.contextmanager
def cpu_budget(seconds: float | None, message: str):
    """Run the block with `seconds` of CPU time; beyond them it raises OverBudget(message).
    None or 0: no bound."""
    if not seconds:
        yield
    elif threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _signal_timer(seconds, message):
            yield
    elif hasattr(time, "pthread_getcpuclockid"):
        with _watchdog.watch(seconds, message):
            yield
    else:  # no per-thread CPU clock on this platform: unbounded
        yield


@contextlib.contextmanager
def _signal_timer(seconds: float, message: str):
    # ITIMER_VIRTUAL counts the process's user CPU time; on the main thread of a worker that is
    # the page's own work.
    def over(signum, frame):
        raise OverBudget(message)
    previous = signal.signal(signal.SIGVTALRM, over)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


class _Watchdog:
    """One daemon thread per process that checks the CPU clocks of the watched threads every
    POLL seconds and raises OverBudget in a thread past its budget."""
    POLL = 0.05

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[int, float, str]] = {}  # thread id → (cpu clock, deadline, message)
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def watch(self, seconds: float, message: str):
        ident = threading.get_ident()
        clock = time.pthread_getcpuclockid(ident)
        with self._lock:
            self._watched[ident] = (clock, time.clock_gettime(clock) + seconds, message)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="cpu-budget-watchdog")
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._watched.pop(ident, None)
                _raise_in(ident, None)  # one raised just as the block ended must not escape it later

    def _run(self) -> None:
        while True:
            time.sleep(self.POLL)
            with self._lock:
                for ident, (clock, deadline, message) in list(self._watched.items()):
                    try:
                        over = time.clock_gettime(clock) > deadline
                    except OSError:  # the thread is gone
                        self._watched.pop(ident, None)
                        continue
                    if over:
                        self._watched.pop(ident)
                        _raise_in(ident, _exception(message))


def _exception(message: str) -> type[OverBudget]:
    # PyThreadState_SetAsyncExc takes a class, raised without arguments: one that carries the message.
    return type("OverBudget", (OverBudget,), {"__init__": lambda self: OverBudget.__init__(self, message)})


def _raise_in(ident: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc) if exc else None)


_watchdog = _Watchdog()
