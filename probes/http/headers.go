package http

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"
)

// maxHeadersFile bounds a headers_file: a few headers, never megabytes.
const maxHeadersFile = 64 << 10

// readHeadersFile reads options.headers_file: a YAML mapping of header
// names to values, kept on the agent's disk so a credential (an
// Authorization header) never travels in, or is stored with, a remote
// config. Messages name the file and the header, never a value.
func readHeadersFile(path string) (map[string]string, error) {
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("%q must be an absolute path (a remote config is applied whatever the agent's working directory)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxHeadersFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxHeadersFile {
		return nil, fmt.Errorf("%s: larger than %d bytes; it should hold a few headers", path, maxHeadersFile)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty; want a mapping of header names to values", path)
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of header names to values", path, m.Line)
	}
	out := make(map[string]string, len(m.Content)/2)
	var errs []error
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch {
		case v.Kind != yaml.ScalarNode:
			errs = append(errs, fmt.Errorf("%s:%d: %s: the value must be text", path, k.Line, k.Value))
		case !validHeaderName(k.Value):
			errs = append(errs, fmt.Errorf("%s:%d: %q is not a valid header name", path, k.Line, k.Value))
		case !validHeaderValue(v.Value):
			errs = append(errs, fmt.Errorf("%s:%d: %s: the value holds characters a header cannot carry (newline or control)", path, k.Line, k.Value))
		default:
			if _, dup := out[k.Value]; dup {
				errs = append(errs, fmt.Errorf("%s:%d: %s: given twice", path, k.Line, k.Value))
			}
			out[k.Value] = v.Value
		}
	}
	return out, errors.Join(errs...)
}

// mergeHeaders returns the inline headers and those of the file together;
// a header in both is an error (which one wins would be a guess).
func mergeHeaders(inline, fromFile map[string]string) (map[string]string, []string) {
	out := make(map[string]string, len(inline)+len(fromFile))
	canon := map[string]bool{}
	for k, v := range inline {
		out[k] = v
		canon[http.CanonicalHeaderKey(k)] = true
	}
	var clash []string
	for k, v := range fromFile {
		if canon[http.CanonicalHeaderKey(k)] {
			clash = append(clash, k)
			continue
		}
		out[k] = v
	}
	sort.Strings(clash)
	return out, clash
}
