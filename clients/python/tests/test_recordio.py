import io
import unittest

from pangaea.recordio import RecordIOError, RecordIOReader, encode_record


class TrickleStream:
    """Gives at most one byte per read, as a slow network may."""

    def __init__(self, data):
        self._data = io.BytesIO(data)

    def read(self, n):
        return self._data.read(min(n, 1))


class RecordIOTest(unittest.TestCase):

    def test_records_come_back_as_they_were_framed(self):
        records = [b'{"type":"HEARTBEAT"}', b"", "\u00e9t\u00e9".encode("utf-8"), b"x" * 70000]
        data = b"".join(encode_record(r) for r in records)
        self.assertEqual(records, list(RecordIOReader(io.BytesIO(data))))
        self.assertEqual(records, list(RecordIOReader(TrickleStream(data))))

    def test_the_length_counts_bytes_not_characters(self):
        self.assertEqual(b"5\n\xc3\xa9t\xc3\xa9", encode_record("\u00e9t\u00e9".encode("utf-8")))

    def test_a_clean_end_between_records_is_none(self):
        reader = RecordIOReader(io.BytesIO(encode_record(b"a")))
        self.assertEqual(b"a", reader.read())
        self.assertIsNone(reader.read())

    def test_broken_streams_say_so(self):
        for bad in (b"12\nshort", b"abc\n{}", b"\n{}", b"3", b"99999999999999999999999\n"):
            with self.subTest(bad=bad), self.assertRaises(RecordIOError):
                RecordIOReader(io.BytesIO(bad)).read()


if __name__ == "__main__":
    unittest.main()
