#!/usr/bin/env bash
# The README's nginx TLS snippet on loopback: gridtwin serve behind nginx
# with a self-signed certificate; /health over https and links that say
# https://. Usage: nginx_tls.sh GRIDTWIN DATASET WORKDIR
set -euo pipefail
cli=$1 dataset=$2 work=$3
# Without nginx the test is reported skipped (ctest SKIP_RETURN_CODE 77), not passed.
command -v nginx >/dev/null || { echo "nginx not installed: skipped"; exit 77; }
rm -rf "$work" && mkdir -p "$work/logs"
cleanup() {
  [ -n "${ngx:-}" ] && kill "$ngx" 2>/dev/null || true
  [ -n "${srv:-}" ] && kill -TERM "$srv" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 1 -subj "/CN=127.0.0.1" 2>/dev/null
"$cli" serve "$dataset" --listen 127.0.0.1:0 --threads 2 --access-log off > "$work/serve.out" &
srv=$!
for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
upstream=$(sed -n 's|listening on http://||p' "$work/serve.out")
[ -n "$upstream" ] || { echo "gridtwin serve did not start"; exit 1; }
port=$((20000 + $$ % 20000))
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $work/logs/error.log;
pid $work/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate     $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 4m;
    location / {
      proxy_pass http://$upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_set_header Authorization \$http_authorization;
    }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" &
ngx=$!
for _ in $(seq 50); do curl -sk "https://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
health=$(curl -sk "https://127.0.0.1:$port/health")
echo "$health" | grep -q '"status": "ok"' || { echo "no /health over TLS: $health"; cat "$work/logs/error.log"; exit 1; }
landing=$(curl -sk "https://127.0.0.1:$port/")
echo "$landing" | grep -q "\"https://127.0.0.1:$port/\"" || { echo "links do not say https: $landing"; exit 1; }
echo "nginx TLS on 127.0.0.1:$port → $upstream: ok"
