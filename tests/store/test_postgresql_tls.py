"""TLS to the ward server as docs/deployment.md sets it up: ``sslmode=verify-full`` with the
ward's CA connects encrypted; a server whose certificate another CA signed is refused with the
program's own message (no traceback, no password).

``.ci/run`` turns TLS on for its PostgreSQL with a CA made for the run (``.ci/pg_tls.sh``) and
names the CA file in ``SETACARE_TEST_PG_TLS_CA``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from setacare_desktop.services import Database, system
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.settings import Settings

CA_ENV = "SETACARE_TEST_PG_TLS_CA"


@pytest.fixture
def ward_ca() -> Iterator[Path]:
    ca = os.environ.get(CA_ENV)
    if not ca and os.environ.get("CI") == "true":
        raise RuntimeError(f"CI=true but {CA_ENV} is not set: .ci/run turns TLS on")
    if not ca or not os.environ.get("SETACARE_TEST_POSTGRES_URL"):
        pytest.skip(f"no TLS PostgreSQL ({CA_ENV} not set; CI always sets it)")
    yield Path(ca)


def _url(ca: Path) -> str:
    base = sa.make_url(os.environ["SETACARE_TEST_POSTGRES_URL"])
    return base.set(host="localhost", query={"sslmode": "verify-full", "sslrootcert": str(ca)}
                    ).render_as_string(hide_password=False)


def _another_ca(folder: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Not the ward's CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path = folder / "other-ca.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_verify_full_with_the_ward_ca_connects_encrypted(ward_ca: Path) -> None:
    db = Database.connect(_url(ward_ca))
    try:
        with db.read() as session:
            encrypted = session.execute(sa.text(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar_one()
    finally:
        db.close()
    assert encrypted is True


def test_a_server_certificate_of_another_ca_is_refused_with_a_clear_message(
        ward_ca: Path, tmp_path: Path) -> None:
    url = _url(_another_ca(tmp_path))
    settings = Settings.resolve(data_dir=str(tmp_path / "pc"), database=url)
    with pytest.raises(ServiceError) as raised:
        system.open_database(settings)
    message = raised.value.message
    assert "データベースに接続できません" in message
    password = sa.make_url(url).password
    assert password and password not in message
    assert "Traceback" not in message and "certificate" not in message
