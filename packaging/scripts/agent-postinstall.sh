#!/bin/sh
# Enables the unit; it starts once /etc/vantage/agent.yaml exists
# (ConditionPathExists), and an upgrade restarts a running agent.
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	systemctl enable vantage-agent.service >/dev/null 2>&1 || true
	if systemctl is-active --quiet vantage-agent.service; then
		systemctl restart vantage-agent.service || true
	elif [ -f /etc/vantage/agent.yaml ]; then
		systemctl start vantage-agent.service || true
	fi
fi
