package snmp

import (
	"gopkg.in/yaml.v3"
)

// CheckAccess validates credentials and a line map written in this probe's
// device format somewhere else than a probe's options: the trap listener's
// sources reuse v3 and interfaces so an operator writes them one way only.
// node is the mapping that holds the fields; prefix names it in messages
// (`traps.devices["198.18.0.2"]`). It returns one "file:line: path: message"
// per problem, in file order; no message quotes a credential.
func CheckAccess(file string, node *yaml.Node, prefix string, v3 *V3, interfaces []InterfaceLine) []string {
	c := &checker{file: file, root: node, prefix: prefix}
	if v3 != nil {
		c.v3(path{"v3"}, v3)
	}
	c.interfaces(path{"interfaces"}, interfaces)
	return c.sorted()
}
