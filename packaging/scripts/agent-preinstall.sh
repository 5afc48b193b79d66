#!/bin/sh
# Creates the system user vantage the agent runs as (deb and rpm).
set -e
if ! getent group vantage >/dev/null; then
	groupadd --system vantage
fi
if ! getent passwd vantage >/dev/null; then
	useradd --system --gid vantage --home-dir /var/lib/vantage-agent --no-create-home \
		--shell /usr/sbin/nologin --comment "Vantage probe agent" vantage
fi
