package probe

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// DecodeOptions decodes a probe's options block into v (a pointer to a struct
// with yaml tags), refusing keys that v does not have. yaml.v3 offers strict
// decoding only on a Decoder, not on a Node, so the keys are checked here, with
// the line of each offender. An absent block leaves v as it is (defaults).
func DecodeOptions(file string, node *yaml.Node, v any) error {
	if node == nil || node.Kind == 0 {
		return nil
	}
	if err := checkKeys(file, "options", node, reflect.TypeOf(v).Elem()); err != nil {
		return err
	}
	if err := node.Decode(v); err != nil {
		return fmt.Errorf("%s:%d: options: %w", file, node.Line, err)
	}
	return nil
}

func checkKeys(file, path string, node *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: %s: expected a mapping", file, node.Line, path)
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	var problems []string
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, val := node.Content[i], node.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s:%d: %s.%s: unknown key", file, k.Line, path, k.Value))
			continue
		}
		if ft.Kind() == reflect.Struct || (ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct) {
			if _, isDuration := reflect.New(ft).Interface().(interface{ Seconds() float64 }); !isDuration {
				if err := checkKeys(file, path+"."+k.Value, val, ft); err != nil {
					problems = append(problems, err.Error())
				}
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}
