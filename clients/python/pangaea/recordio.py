"""RecordIO, the framing of Mesos's event streams: each record is its length in decimal, a newline, then its bytes."""


class RecordIOError(Exception):
    """The stream is not RecordIO."""


def encode_record(record):
    """One record, framed."""
    return str(len(record)).encode("ascii") + b"\n" + record


class RecordIOReader:
    """Reads records from a binary stream with a ``read(n)`` method (an HTTP response, a file)."""

    MAX_RECORD = 64 * 1024 * 1024

    def __init__(self, stream):
        self._stream = stream

    def _read_exactly(self, n):
        chunks = []
        while n > 0:
            chunk = self._stream.read(n)
            if not chunk:
                return None
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def read(self):
        """The next record, or None when the stream ended cleanly between records."""
        digits = b""
        while True:
            c = self._stream.read(1)
            if not c:
                if digits:
                    raise RecordIOError("the stream ended inside a record length")
                return None
            if c == b"\n":
                break
            if not c.isdigit() or len(digits) > 20:
                raise RecordIOError("not a record length: %r" % (digits + c))
            digits += c
        if not digits:
            raise RecordIOError("an empty record length")
        length = int(digits)
        if length > self.MAX_RECORD:
            raise RecordIOError("a record of %d bytes is over the limit" % length)
        record = self._read_exactly(length)
        if record is None:
            raise RecordIOError("the stream ended inside a record of %d bytes" % length)
        return record

    def __iter__(self):
        while True:
            record = self.read()
            if record is None:
                return
            yield record
