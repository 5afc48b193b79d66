#!/bin/sh
# Stops and disables the controller on removal; an upgrade (deb "upgrade", rpm
# "1") keeps the controller running until postinstall restarts it.
set -e
case "$1" in
	upgrade|1) exit 0 ;;
esac
if [ -d /run/systemd/system ]; then
	systemctl disable --now vantage-controller.service >/dev/null 2>&1 || true
fi
