package probe

import (
	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/yamlstrict"
)

// DecodeOptions decodes a probe's options block into v (a pointer to a struct
// with yaml tags), refusing keys that v does not have and naming the line of
// each offender. An absent block leaves v as it is (the defaults).
func DecodeOptions(file string, node *yaml.Node, v any) error {
	return yamlstrict.DecodeNode(file, "options", node, v)
}
