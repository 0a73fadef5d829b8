#!/usr/bin/env bash
# A throwaway KMIP key server for demos and tests: PyKMIP (Debian's python3-pykmip) on
# 127.0.0.1 with mutual TLS and a fresh test PKI made with openssl.
#
#   scripts/kmip-dev-server.sh [--background] [DIR] [PORT]
#
# DIR (default: a new temporary directory) receives pki/ (ca, server and client certificates
# and keys), server.conf, policies/, the database and the log. PORT defaults to 15696.
# In the foreground, Ctrl-C stops the server. With --background it prints DIR once the port is
# listening and leaves DIR/server.pid (a process group); stop it with:
#   kill -INT -- "-$(cat DIR/server.pid)"
# Run again with the same DIR and PORT to restart it on the same database.
# The keys and certificates are for tests only: never use them for a real key server.
set -euo pipefail

background=no
if [[ "${1:-}" == "--background" ]]; then background=yes; shift; fi
dir="${1:-$(mktemp -d -t custos-kmip-XXXXXX)}"
port="${2:-15696}"
here="$(cd "$(dirname "$0")" && pwd)"

command -v openssl >/dev/null || { echo "kmip-dev-server: openssl is missing (apt-get install -y openssl)" >&2; exit 1; }
[[ -x /usr/bin/pykmip-server ]] || { echo "kmip-dev-server: PyKMIP is missing (apt-get install -y --no-install-recommends python3-pykmip)" >&2; exit 1; }

mkdir -p "$dir/pki" "$dir/policies"
dir="$(cd "$dir" && pwd)"
pki="$dir/pki"
if [[ ! -f "$pki/client.crt" ]]; then
  ossl() { openssl "$@" 2>/dev/null; }
  ossl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Custos test KMIP CA" -keyout "$pki/ca.key" -out "$pki/ca.crt"
  cert() { # name subject extensions
    ossl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$pki/$1.key" -out "$pki/$1.csr"
    printf '%s\n' "$3" > "$pki/$1.ext"
    ossl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 30 -extfile "$pki/$1.ext" -out "$pki/$1.crt"
    rm -f "$pki/$1.csr" "$pki/$1.ext"
  }
  cert server "/CN=localhost" "extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
  cert client "/CN=custos-importer" "extendedKeyUsage=clientAuth"
  cert other "/CN=another-client" "extendedKeyUsage=clientAuth"
  chmod 600 "$pki"/*.key
fi
cp "$here/kmip/shared-policy.json" "$dir/policies/shared.json"
cat > "$dir/server.conf" <<CONF
[server]
hostname=127.0.0.1
port=$port
certificate_path=$pki/server.crt
key_path=$pki/server.key
ca_path=$pki/ca.crt
auth_suite=TLS1.2
policy_path=$dir/policies
enable_tls_client_auth=True
tls_cipher_suites=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
logging_level=INFO
database_path=$dir/pykmip.db
CONF

# Python 3.11 explicitly: PyKMIP 0.10 calls ssl.wrap_socket, gone in 3.12.
cd "$dir" # PyKMIP resolves some paths against the working directory
if [[ "$background" == no ]]; then
  echo "KMIP server on 127.0.0.1:$port; client certificate $pki/client.crt, key $pki/client.key, CA $pki/ca.crt"
  exec /usr/bin/python3 -W ignore /usr/bin/pykmip-server -f "$dir/server.conf" -l "$dir/server.log"
fi
# Its own process group (setsid), so the server and its worker processes stop together.
setsid /usr/bin/python3 -W ignore /usr/bin/pykmip-server -f "$dir/server.conf" -l "$dir/server.log" >"$dir/stdout.log" 2>&1 &
echo $! > "$dir/server.pid"
hexport=$(printf '%04X' "$port")
for _ in $(seq 1 150); do
  if grep -q ":$hexport 00000000:0000 0A" /proc/net/tcp 2>/dev/null; then
    sleep 1.2 # policies load about a second after the port opens
    echo "$dir"
    exit 0
  fi
  if ! kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
    echo "kmip-dev-server: the server exited; see $dir/server.log and $dir/stdout.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "kmip-dev-server: the server did not listen on port $port within 15 s" >&2
exit 1
