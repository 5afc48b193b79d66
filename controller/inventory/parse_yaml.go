package inventory

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseYAML reads an inventory file with sections customers, elements,
// sites, contacts and lines, each a list of flat mappings:
//
//	customers:
//	  - {id: C001, name: Acme Logistics, tier: gold, account_manager: li.wei}
//	lines:
//	  - circuit_id: "0021-SH-IP"
//	    customer: C001
//	    upstream_element: sh-pe1-c3-p7
//
// It returns every problem at once (*Errors), each as
// file:line: section[i].field: message.
//
// Values are read as the text written, not as YAML types: circuit id 0021 is
// "0021", not 21. That is also why this does not decode into structs with
// yamlstrict: the same field list and checks serve CSV (build.go), and
// yaml.v3's type errors would not name the field.
func ParseYAML(file string, data []byte) (*Set, error) {
	c := &collector{}
	b := newBuilder(file, c)
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		c.add(yamlSyntaxError(file, err))
		return nil, c.err()
	}
	if root.Kind == 0 || len(root.Content) == 0 || isNull(root.Content[0]) {
		c.addf(file, 0, 0, "", "file is empty")
		return nil, c.err()
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		c.addf(file, top.Line, 0, "", "must be a mapping with sections %s", kindList())
		return nil, c.err()
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], resolve(top.Content[i+1])
		sp := specOf(Kind(k.Value))
		switch {
		case sp == nil:
			c.addf(file, k.Line, 0, k.Value, "unknown section (want %s)", kindList())
			continue
		case seen[k.Value] > 0:
			c.addf(file, k.Line, 0, k.Value, "section appears twice (first at line %d)", seen[k.Value])
			continue
		}
		seen[k.Value] = k.Line
		if isNull(v) {
			continue // "lines:" with nothing under it
		}
		if v.Kind != yaml.SequenceNode {
			c.addf(file, v.Line, 0, k.Value, "must be a list of %s", k.Value)
			continue
		}
		for j, item := range v.Content {
			if r := yamlRecord(c, file, sp, fmt.Sprintf("%s[%d]", k.Value, j), resolve(item)); r != nil {
				b.add(r)
			}
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return b.set, nil
}

// yamlRecord flattens one list item into a record, reporting unknown keys
// and values that are not single scalars.
func yamlRecord(c *collector, file string, sp *spec, path string, n *yaml.Node) *record {
	if n.Kind != yaml.MappingNode {
		c.addf(file, n.Line, 0, path, "must be a mapping of %s fields", sp.kind.singular())
		return nil
	}
	r := &record{kind: sp.kind, file: file, line: n.Line, path: path, cells: map[string]cell{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		name := k.Value
		switch {
		case !sp.has(name):
			c.addf(file, k.Line, 0, r.field(bounded(name)), "unknown key (want %s)", strings.Join(sp.fields, ", "))
		case r.cells[name] != (cell{}):
			c.addf(file, k.Line, 0, r.field(bounded(name)), "key appears twice")
		case v.Kind == yaml.SequenceNode && listField(name):
			if text, ok := yamlList(c, file, r.field(name), v); ok && text != "" {
				r.cells[name] = cell{value: text, line: v.Line}
			}
		case v.Kind != yaml.ScalarNode:
			c.addf(file, v.Line, 0, r.field(name), "must be a single value, not a %s", kindName(v))
		case isNull(v):
			// "parent: ~" is the same as leaving parent out.
		default:
			r.cells[name] = cell{value: strings.TrimSpace(v.Value), line: v.Line}
		}
	}
	return r
}

// resolve follows an alias once; records are flat, so a single step is all a
// valid file needs and an alias bomb cannot make parsing slow.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "alias"
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlSyntaxError places yaml.v3's "yaml: line 3: did not find ..." at its line.
func yamlSyntaxError(file string, err error) RowError {
	msg := err.Error()
	e := RowError{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = msg[len(m[0]):]
	}
	return e
}
