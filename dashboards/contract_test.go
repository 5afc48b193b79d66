package dashboards

import (
	"bytes"
	"fmt"
	"io"
	"regexp"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

var asRe = regexp.MustCompile(`AS "([a-z0-9_]+)"`)

// contractNames checks q's quoted identifiers against the schemas.
func contractNames(q string) error {
	froms := fromRe.FindAllStringSubmatch(q, -1)
	if len(froms) == 0 {
		return fmt.Errorf("no FROM \"measurement\"")
	}
	known := map[string]bool{influx.AgentTag: true, influx.ErrorField: true}
	for _, m := range asRe.FindAllStringSubmatch(q, -1) {
		known[m[1]] = true
	}
	for _, f := range froms {
		for _, m := range identRe.FindAllStringSubmatch(f[1], -1) {
			s, ok := result.Schemas[m[1]]
			if !ok {
				return fmt.Errorf("measurement %q is not in probes/result", m[1])
			}
			known[m[1]] = true
			for _, tg := range s.Tags {
				known[tg] = true
			}
			for fl := range s.Fields {
				known[fl] = true
			}
			for _, st := range s.Strings {
				known[st] = true
			}
		}
	}
	for _, m := range identRe.FindAllStringSubmatch(q, -1) {
		if !known[m[1]] {
			return fmt.Errorf("%q is neither a tag nor a field of the measurements queried", m[1])
		}
	}
	return nil
}
