#!/bin/sh
# Creates the system user vantage the agent and controller run as (deb and rpm).
set -e
if ! getent group vantage >/dev/null; then
	groupadd --system vantage
fi
if ! getent passwd vantage >/dev/null; then
	useradd --system --gid vantage --home-dir /var/lib/vantage-controller --no-create-home \
		--shell /usr/sbin/nologin --comment "Vantage" vantage
fi
