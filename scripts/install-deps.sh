#!/usr/bin/env bash
# Makes sure this machine can run a lab: Java 11+ and an ActiveMQ home.
# Installs Debian's ActiveMQ package when no ActiveMQ is found and we can.
set -euo pipefail

if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
  echo "install-deps: no 'java' on PATH and JAVA_HOME unset; install a JDK 17 (e.g. 'apt-get install openjdk-17-jre-headless')" >&2
  exit 1
fi
java_bin=${JAVA_HOME:+$JAVA_HOME/bin/}java
java_major=$("$java_bin" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
if [ -z "$java_major" ] || [ "$java_major" -lt 11 ]; then
  echo "install-deps: Java ${java_major:-?} found; ActiveMQ 5.17+ needs Java 11 or newer" >&2
  exit 1
fi
echo "install-deps: Java $java_major ok"

for home in "${AMQLAB_DIST:-}" "${ACTIVEMQ_HOME:-}" /usr/share/activemq /opt/activemq; do
  if [ -n "$home" ] && [ -f "$home/bin/activemq.jar" ]; then
    echo "install-deps: ActiveMQ found at $home"
    exit 0
  fi
done

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: no ActiveMQ found. Install one (Debian/Ubuntu: 'sudo apt-get install --no-install-recommends activemq'), or set ACTIVEMQ_HOME, or pass --dist to amqlab" >&2
  exit 1
fi
echo "install-deps: installing Debian's activemq package"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends activemq
# The package may try to start a system broker on 61616; the lab needs that port.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now activemq >/dev/null 2>&1 || true; fi
test -f /usr/share/activemq/bin/activemq.jar
