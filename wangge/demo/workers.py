"""Worker processes for the CPU-heavy parts of a demo build, driven from one thread.

`multiprocessing.Pool` feeds and drains its workers from helper threads in the parent.
While the parent writes rows, SQLite releases the GIL at every row and a helper thread
then keeps it for up to the switch interval, so the writer crawls. Here the parent
sends and receives through pipes itself, between its own writes: no helper threads.
Each worker holds at most one job, so neither side can block the other on a full pipe.
"""

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any


class WorkerFailed(RuntimeError):
    """A job raised in a worker; the message carries the worker's exception."""


def _serve(connection: Connection) -> None:
    while True:
        message = connection.recv()
        if message is None:
            break
        function, argument = message
        try:
            reply: tuple[bool, Any] = (True, function(argument))
        except Exception as exc:  # reported to the parent, which raises it
            reply = (False, f"{type(exc).__name__}: {exc}")
        connection.send(reply)
    connection.close()


class Workers:
    """`count` processes forked from this one (they inherit the settings and the keys)."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self._connections: list[Connection] = []
        self._processes: list[Any] = []
        for _ in range(count):
            parent_end, child_end = context.Pipe()
            process = context.Process(target=_serve, args=(child_end,), daemon=True)
            process.start()
            child_end.close()
            self._connections.append(parent_end)
            self._processes.append(process)

    def __len__(self) -> int:
        return len(self._connections)

    def send(self, worker: int, function: Callable[[Any], Any], argument: Any) -> None:
        self._connections[worker].send((function, argument))

    def receive(self, worker: int) -> Any:
        ok, value = self._connections[worker].recv()
        if not ok:
            raise WorkerFailed(value)
        return value

    def map_ordered(self, function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """function(item) for every item, in order; items are drawn only as workers free up."""
        idle = deque(range(len(self)))
        busy: deque[int] = deque()
        for item in items:
            if not idle:
                worker = busy.popleft()
                yield self.receive(worker)
                idle.append(worker)
            worker = idle.popleft()
            self.send(worker, function, item)
            busy.append(worker)
        while busy:
            yield self.receive(busy.popleft())

    def close(self) -> None:
        for connection in self._connections:
            try:
                connection.send(None)
            except OSError:
                pass  # the worker is already gone
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
        for connection in self._connections:
            connection.close()
