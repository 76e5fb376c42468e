#!/usr/bin/env bash
# Installs the Debian 12 packages pktwatch needs to build and test (as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: run as root (sudo $0)" >&2
    exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    build-essential clang pkg-config \
    libpcap-dev libjansson-dev libmicrohttpd-dev libsqlite3-dev libpcre2-dev \
    libcurl4-openssl-dev libgcrypt20-dev libndpi-dev libndpi-bin aria2 \
    tshark tcpdump iproute2 iputils-ping curl netcat-openbsd jq python3 time \
    > /dev/null
