package agentconfig

import (
	"gopkg.in/yaml.v3"
)

// secretKeys are the option keys whose values are credentials: SNMP
// communities and v3 passphrases (from the controller's profiles), and
// HTTP probe headers (an Authorization header is a token).
var secretKeys = map[string]bool{"community": true, "auth_password": true, "priv_password": true, "headers": true}

// Redacted is shown instead of a secret.
const Redacted = "<redacted>"

// Redact returns config with every secret value replaced by Redacted, for
// showing a stored agent config to an operator (GET
// /api/v1/agents/{id}/config): the agent needs the credentials, a reader
// of the API does not. Text that is not YAML is withheld whole rather than
// shown unredacted.
func Redact(config []byte) string {
	var root yaml.Node
	if err := yaml.Unmarshal(config, &root); err != nil {
		return "# not shown: the stored config is not valid YAML (" + Redacted + ")\n"
	}
	redactNode(&root)
	out, err := yaml.Marshal(&root)
	if err != nil {
		return "# not shown: " + Redacted + "\n"
	}
	return string(out)
}

func redactNode(n *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			redactNode(c)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if secretKeys[n.Content[i].Value] {
				blank(n.Content[i+1])
				continue
			}
			redactNode(n.Content[i+1])
		}
	}
}

// blank replaces every scalar at or below n.
func blank(n *yaml.Node) {
	switch n.Kind {
	case yaml.ScalarNode:
		n.Value, n.Tag, n.Style = Redacted, "!!str", 0
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			blank(n.Content[i])
		}
	default:
		for _, c := range n.Content {
			blank(c)
		}
	}
}
