#!/bin/sh
# Enables the unit; it starts once /etc/vantage/controller.yaml exists
# (ConditionPathExists), and an upgrade restarts a running controller.
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	systemctl enable vantage-controller.service >/dev/null 2>&1 || true
	if systemctl is-active --quiet vantage-controller.service; then
		systemctl restart vantage-controller.service || true
	elif [ -f /etc/vantage/controller.yaml ]; then
		systemctl start vantage-controller.service || true
	fi
fi
