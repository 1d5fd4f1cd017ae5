"""A throwaway certificate authority and server certificate for the emulator's `--tls`.

Made with the `openssl` command, which ships wherever Python's ssl module does, so serving
TLS adds no Python dependency. A CA plus a leaf (rather than one self-signed certificate) is
what clients verifying strictly (Python 3.13's default context) accept: the client is given
the CA file, as a user behind a corporate CA would give theirs.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

DAYS = "2"
_CURVE = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
_LEAF_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@dataclass(frozen=True)
class Certificates:
    ca: Path  # what a client trusts (--ca-bundle)
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert, self.key)
        return context


def _openssl(*args: str) -> None:
    try:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["failed"]
        raise OSError(f"openssl could not make the emulator's certificate: {detail[0]}") from None


def make_certificates(directory: Path) -> Certificates:
    """A CA (ca.pem) and a certificate for 127.0.0.1 and localhost signed by it."""
    if shutil.which("openssl") is None:
        raise OSError("serving TLS needs the openssl command, which is not on PATH")
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "ca.pem", directory / "ca-key.pem"
    cert, key, csr = directory / "cert.pem", directory / "key.pem", directory / "cert.csr"
    ext = directory / "leaf.ext"
    ext.write_text(_LEAF_EXTENSIONS, encoding="ascii")
    _openssl(
        "req", "-x509", *_CURVE, "-keyout", str(ca_key), "-out", str(ca), "-days", DAYS,
        "-subj", "/CN=circleci-reconciler emulator CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    _openssl("req", *_CURVE, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost")
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-set_serial", "0x" + ssl.RAND_bytes(8).hex(), "-days", DAYS,
        "-extfile", str(ext), "-out", str(cert),
    )  # fmt: skip
    for path in (ca_key, key):
        path.chmod(0o600)
    csr.unlink()
    ext.unlink()
    return Certificates(ca=ca, cert=cert, key=key)
