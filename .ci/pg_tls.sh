#!/usr/bin/env bash
# TLS on the CI PostgreSQL cluster, as docs/deployment.md asks of a ward server: a private CA
# made here, a server certificate for localhost / 127.0.0.1 signed by it, ssl = on. Prints the CA
# file's path (tests/store/test_postgresql_tls.py connects with sslmode=verify-full against it).
# Idempotent: a second run keeps the certificates it made.
set -euo pipefail
PGVER="$1"
DIR="/etc/postgresql/${PGVER}/main/setacare-tls"
if [ ! -s "${DIR}/server.crt" ]; then
    mkdir -p "${DIR}"
    cd "${DIR}"
    openssl req -x509 -new -nodes -newkey rsa:2048 -days 30 -subj "/CN=SetaCare CI CA" \
        -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -new -nodes -newkey rsa:2048 -subj "/CN=localhost" \
        -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
        -extfile san.ext -out server.crt 2>/dev/null
    chown postgres:postgres server.key server.crt
    chmod 600 server.key ca.key
    chmod 644 ca.pem
fi
su postgres -c "psql -q -v ON_ERROR_STOP=1 \
    -c \"ALTER SYSTEM SET ssl_cert_file = '${DIR}/server.crt'\" \
    -c \"ALTER SYSTEM SET ssl_key_file = '${DIR}/server.key'\" \
    -c \"ALTER SYSTEM SET ssl = on\" -c 'SELECT pg_reload_conf()'" >/dev/null
echo "${DIR}/ca.pem"
