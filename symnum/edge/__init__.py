"""The process edges' limits: the one home of the timers, signals and rlimits that the two
shells (``symnum.cli`` for a command, ``symnum.web`` for a worker's request) set around the
library, which never imports this floor. ``limits`` (time by an interval timer, memory by a
watchdog thread and RLIMIT_DATA, sizes read and written), ``interrupts`` (when a handler may
raise).
"""

from .limits import Limits, OutOfMemory, TimeUp, limited, read_size, resident_size, size_text

__all__ = ["Limits", "OutOfMemory", "TimeUp", "limited", "read_size", "resident_size",
           "size_text"]
