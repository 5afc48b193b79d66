// Package enroll lets a box join the fleet with one command: an operator
// makes a short-lived, single-use token for an agent id
// (`vantage-controller agent enroll-token create`), a technician runs
// `vantage-agent enroll --controller https://… --token …` on the box, and
// the controller's HTTPS enrolment endpoint answers the token, once, with
// the agent's NATS credential (issued by controller/agentauth) and the NATS
// URLs to dial. The agent writes its config itself (agent/enroll).
package enroll
