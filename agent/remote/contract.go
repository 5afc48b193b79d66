package remote

import (
	"fmt"
	"time"
)

// Bucket is the JetStream KV bucket holding each agent's config, keyed by
// agent id.
const Bucket = "VANTAGE_AGENT_CONFIG"

// StatusSubject is where an agent reports what it did with a revision.
func StatusSubject(agentID string) string { return "vantage.config.status." + agentID }

// Status is the JSON an agent publishes on StatusSubject after seeing a
// revision of its key.
type Status struct {
	// Agent is the agent's id.
	Agent string `json:"agent"`
	// Revision is the KV revision this status is about.
	Revision uint64 `json:"revision"`
	// Applied is true when the revision runs now.
	Applied bool `json:"applied"`
	// Error is why the revision was refused (applied false), one problem
	// per line with file:line and field path; or, with applied true, a
	// problem keeping it in the cache file.
	Error string `json:"error,omitempty"`
	// Running is the revision the agent runs after handling this one: the
	// same as Revision when applied, the previous one when refused (0: the
	// local file).
	Running uint64 `json:"running"`
	// Time is the agent's clock when it handled the revision.
	Time time.Time `json:"t"`
	// Update is the self-updater's state (agent/update); nil when the
	// agent has no update.public_key.
	Update *UpdateStatus `json:"update,omitempty"`
}

// UpdateStatus is what an agent's self-updater reports.
type UpdateStatus struct {
	// State is idle, downloading, trial (the new binary runs but has not
	// committed), committed, refused (download or verification failed)
	// or rolled_back.
	State string `json:"state"`
	// Version is the version running; Target the one offered last.
	Version string `json:"version"`
	// OS and Arch name the binary's target as releases do: the
	// controller offers the release built for them.
	OS     string `json:"os"`
	Arch   string `json:"arch"`
	Target string `json:"target,omitempty"`
	// Error says why Target was refused or rolled back.
	Error string `json:"error,omitempty"`
	// Failed are versions refused or rolled back: never tried again.
	Failed []string `json:"failed,omitempty"`
}

// SourceName names a revision in validation messages, in place of a file
// name: "VANTAGE_AGENT_CONFIG/cpe-1@7:12: probes[0].interval: ...".
func SourceName(agentID string, rev uint64) string {
	return fmt.Sprintf("%s/%s@%d", Bucket, agentID, rev)
}
