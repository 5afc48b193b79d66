package agentconfig

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// credentialWords mark an HTTP header whose value is a credential. The
// list is broad on purpose: a header wrongly taken for a credential only
// has to move to headers_file, a credential wrongly let through travels to
// NATS.
var credentialWords = []string{"auth", "token", "secret", "password", "passwd", "cookie", "session",
	"api-key", "apikey", "api_key", "signature", "credential"}

// credentialHeader reports whether an HTTP header named name carries a
// credential (Authorization, Proxy-Authorization, Cookie, X-Api-Key, …).
func credentialHeader(name string) bool {
	n := strings.ToLower(name)
	for _, w := range credentialWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// checkNoCredentials refuses an extra probe (probes[i] of the extra file)
// whose options.headers hold a credential. The agent can read those from
// a file of its own (the http probe's headers_file), so they need not
// travel through NATS nor sit in the config bucket and the agent's cache,
// where anyone who can read the remote config would see them.
func checkNoCredentials(probe *yaml.Node, i int) error {
	_, headers := entryOf(probe, "options", "headers")
	if headers == nil || headers.Kind != yaml.MappingNode {
		return nil
	}
	for j := 0; j+1 < len(headers.Content); j += 2 {
		k := headers.Content[j]
		if credentialHeader(k.Value) {
			return fmt.Errorf("extra probes: line %d: probes[%d].options.headers.%s: a credential is not published in a remote config "+
				"(it would travel through NATS and be stored in the config bucket and the agent's cache); put it in a file on the agent "+
				"and name the file with options.headers_file", k.Line, i, k.Value)
		}
	}
	return nil
}

// entryOf walks mapping keys from n and returns the last key and its value,
// or nils when a step is missing.
func entryOf(n *yaml.Node, path ...string) (key, value *yaml.Node) {
	value = n
	for _, p := range path {
		if value == nil || value.Kind != yaml.MappingNode {
			return nil, nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(value.Content); i += 2 {
			if value.Content[i].Value == p {
				key, next = value.Content[i], value.Content[i+1]
				break
			}
		}
		value = next
	}
	return key, value
}
