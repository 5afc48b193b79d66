// Package yamlstrict decodes YAML into Go structs refusing unknown keys, and
// reports every problem at once with file:line and the field path.
//
// yaml.v3 offers KnownFields only on a Decoder, and loses it inside custom
// UnmarshalYAML methods and Node.Decode; the configs here use both (targets may
// be a string or a mapping, probe options are a raw Node), so keys are checked
// here against the target type before decoding.
package yamlstrict

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Errors is a list of problems, printed one per line.
type Errors []string

func (e Errors) Error() string { return strings.Join(e, "\n") }

var (
	durationType = reflect.TypeOf(time.Duration(0))
	nodeType     = reflect.TypeOf(yaml.Node{})
)

// CheckKeys walks node alongside type t and returns one message per mapping
// key that t has no field for, as "file:line: path.key: unknown key".
func CheckKeys(file, path string, node *yaml.Node, t reflect.Type) Errors {
	var errs Errors
	checkKeys(file, path, node, t, &errs)
	return errs
}

func checkKeys(file, path string, node *yaml.Node, t reflect.Type, errs *Errors) {
	if node == nil {
		return
	}
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType || t == durationType {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			// Types with their own UnmarshalYAML (a target given as a plain
			// string) accept scalars; their decoder reports mismatches.
			return
		}
		fields := structFields(t)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, fmt.Sprintf("%s:%d: %s: unknown key", file, k.Line, join(path, k.Value)))
				continue
			}
			checkKeys(file, join(path, k.Value), v, ft, errs)
		}
	case reflect.Slice, reflect.Array:
		if node.Kind != yaml.SequenceNode {
			return
		}
		for i, item := range node.Content {
			checkKeys(file, fmt.Sprintf("%s[%d]", path, i), item, t.Elem(), errs)
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			checkKeys(file, join(path, node.Content[i].Value), node.Content[i+1], t.Elem(), errs)
		}
	}
}

func structFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range structFields(f.Type) {
				fields[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Decode parses data strictly into v (a pointer to a struct): syntax errors,
// unknown keys and type errors (a bad duration, a string where a number
// belongs) all come back together, each prefixed with the file name.
func Decode(file string, data []byte, v any) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if root.Kind == 0 {
		return fmt.Errorf("%s: file is empty", file)
	}
	errs := CheckKeys(file, "", &root, reflect.TypeOf(v))
	if err := root.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				errs = append(errs, file+":"+strings.TrimPrefix(m, "line "))
			}
		} else {
			errs = append(errs, fmt.Sprintf("%s: %v", file, err))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// DecodeNode is Decode for a node already parsed (a probe's options block);
// path names the node in messages ("probes[2].options").
func DecodeNode(file, path string, node *yaml.Node, v any) error {
	if node == nil || node.Kind == 0 {
		return nil
	}
	errs := CheckKeys(file, path, node, reflect.TypeOf(v))
	if err := node.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				errs = append(errs, file+":"+strings.TrimPrefix(m, "line ")+" (in "+path+")")
			}
		} else {
			errs = append(errs, fmt.Sprintf("%s:%d: %s: %v", file, node.Line, path, err))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// LineOf finds the line of a key path ("nats", "urls") in a parsed document,
// or the line of its deepest present ancestor (1 for a missing top-level key),
// so validation messages point where the operator must edit.
func LineOf(root *yaml.Node, path ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 1
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}
