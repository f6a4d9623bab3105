"""Mesos's duration strings ("15mins", "2secs", "500ms") in seconds."""

_UNITS = [("weeks", 604800.0), ("days", 86400.0), ("hrs", 3600.0), ("mins", 60.0), ("secs", 1.0), ("ms", 1e-3),
          ("us", 1e-6), ("ns", 1e-9)]


def parse(text, default=None):
    """Seconds for a Mesos duration; ``default`` when ``text`` is empty; ValueError when it is not a duration."""
    if text is None or not str(text).strip():
        return default
    t = str(text).strip()
    for unit, seconds in _UNITS:
        if t.endswith(unit):
            return float(t[:-len(unit)]) * seconds
    raise ValueError("not a Mesos duration: %r (e.g. 15mins, 2secs, 500ms)" % text)
