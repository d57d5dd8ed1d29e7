"""Pausing Python's cyclic garbage collector while a lot of long-lived objects are made.

Compiling a rule library for a ``qa_score`` run makes hundreds of thousands of lists, tuples
and dicts that live on and form no cycles; every collection on the way would walk all of them
again for nothing.

For command-line runs only (``scoring.engine.cli``): the switch is process-wide, so in a web
server or a task worker it would also pause the collector of every other thread, and two
threads pausing at once can end each other's pause early. Library compiles made by the web
app and tasks (``load_library``) leave the collector alone.
"""

from __future__ import annotations

import gc


class CollectorPaused:
    """``with CollectorPaused() as collector:`` the collector is off until the block ends or
    ``collector.resume()`` is called. A collector that was already off stays off, so pauses
    nest."""

    def __enter__(self) -> CollectorPaused:
        self._paused = gc.isenabled()
        gc.disable()
        return self

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            gc.enable()

    def __exit__(self, *exc_info: object) -> None:
        self.resume()
