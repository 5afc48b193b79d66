package agentconfig

import (
	"context"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/controller/inventory"
)

// Release is the release an agent is offered: the remote config's release
// block (agent/config.Release).
type Release struct {
	Version   string `yaml:"version"`
	URL       string `yaml:"url"`
	SHA256    string `yaml:"sha256"`
	Size      int64  `yaml:"size"`
	Signature string `yaml:"signature"`
}

// ReleasePlanner says which release each managed agent should run
// (controller/release.Fleet); agents missing from the map are offered none.
type ReleasePlanner interface {
	Plan(ctx context.Context, as []inventory.Assignment) map[string]Release
}

// withRelease appends the release block to a derived document (a YAML
// mapping, so a top-level key appended at the end is part of it).
func withRelease(doc []byte, r *Release) ([]byte, error) {
	if r == nil {
		return doc, nil
	}
	b, err := yaml.Marshal(struct {
		Release *Release `yaml:"release"`
	}{r})
	if err != nil {
		return nil, err
	}
	return append(doc, b...), nil
}
