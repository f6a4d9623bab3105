"""A PEP 517 build backend in the standard library only, so that ``pip install --no-index --no-build-isolation``
works in a fresh virtual environment, which has neither ``wheel`` nor a package index to fetch it from. It builds
the one pure-Python wheel this project needs."""

import base64
import hashlib
import os
import zipfile

NAME = "pangaea"
VERSION = "0.1.0"
TAG = "py3-none-any"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _metadata():
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: Python library for Pangaea frameworks: scheduler"
            " and executor over the Mesos 1.11 v1 HTTP APIs\nRequires-Python: >=3.9\nLicense: Apache-2.0\n"
            "Description-Content-Type: text/markdown\n\n%s" % (NAME, VERSION, readme))


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "%s-%s-%s.whl" % (NAME, VERSION, TAG)
    info = "%s-%s.dist-info" % (NAME, VERSION)
    files = {}
    package = os.path.join(HERE, NAME)
    for entry in sorted(os.listdir(package)):
        if entry.endswith(".py"):
            with open(os.path.join(package, entry), "rb") as f:
                files["%s/%s" % (NAME, entry)] = f.read()
    files[info + "/METADATA"] = _metadata().encode("utf-8")
    files[info + "/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: pangaea_build\nRoot-Is-Purelib: true\nTag: %s\n"
                              % TAG).encode("ascii")
    record = "".join("%s,%s,%d\n" % (p, _digest(d), len(d)) for p, d in files.items()) + info + "/RECORD,,\n"
    files[info + "/RECORD"] = record.encode("utf-8")
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(path, data)
    return name


def build_sdist(sdist_directory, config_settings=None):
    import tarfile
    name = "%s-%s" % (NAME, VERSION)
    with tarfile.open(os.path.join(sdist_directory, name + ".tar.gz"), "w:gz") as t:
        for entry in ("pyproject.toml", "README.md", NAME, "_build"):
            t.add(os.path.join(HERE, entry), arcname="%s/%s" % (name, entry),
                  filter=lambda i: None if "__pycache__" in i.name else i)
    return name + ".tar.gz"
