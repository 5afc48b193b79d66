package ping

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/probes/probe"
)

// Options is the ping probe's `options:` block.
type Options struct {
	// Count is the number of echo requests per round.
	Count int `yaml:"count"`
	// PacketInterval is the gap between two requests of one round.
	PacketInterval time.Duration `yaml:"packet_interval"`
	// Size is the ICMP payload size in bytes (56 like ping(8)).
	Size int `yaml:"size"`
	// Engine is auto, shared or pro-bing (see the package doc).
	Engine string `yaml:"engine"`
}

// Engine names accepted in options.
const (
	EngineAuto    = "auto"
	EngineShared  = "shared"
	EngineProBing = "pro-bing"
)

const (
	minSize = 16 // the shared engine's payload carries a 16-byte token
	maxSize = 65000
)

func defaultOptions() Options {
	return Options{Count: 3, PacketInterval: 100 * time.Millisecond, Size: 56, Engine: EngineAuto}
}

// parseOptions decodes and checks spec.Options against the round's timeout:
// the requests of one round must all be sent before the round ends.
func parseOptions(spec probe.Spec) (Options, error) {
	o := defaultOptions()
	if err := probe.DecodeOptions(spec.File, &spec.Options, &o); err != nil {
		return o, err
	}
	fail := func(field, format string, args ...any) error {
		return fmt.Errorf("%s:%d: probe %q: options.%s: %s", spec.File, optionLine(&spec.Options, field),
			spec.Name, field, fmt.Sprintf(format, args...))
	}
	switch {
	case o.Count < 1 || o.Count > 100:
		return o, fail("count", "must be between 1 and 100, got %d", o.Count)
	case o.PacketInterval < time.Millisecond:
		return o, fail("packet_interval", "must be at least 1ms, got %s", o.PacketInterval)
	case o.Size < minSize || o.Size > maxSize:
		return o, fail("size", "must be between %d and %d bytes, got %d", minSize, maxSize, o.Size)
	case o.Engine != EngineAuto && o.Engine != EngineShared && o.Engine != EngineProBing:
		return o, fail("engine", "must be auto, shared or pro-bing, got %q", o.Engine)
	}
	if spec.Timeout > 0 && time.Duration(o.Count-1)*o.PacketInterval >= spec.Timeout {
		return o, fail("packet_interval", "%d packets %s apart do not fit in the probe's timeout %s",
			o.Count, o.PacketInterval, spec.Timeout)
	}
	return o, nil
}

// optionLine is the line of an option's key, or of the options block when the
// key is absent (its default is what the operator must change).
func optionLine(options *yaml.Node, key string) int {
	if options.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(options.Content); i += 2 {
			if options.Content[i].Value == key {
				return options.Content[i].Line
			}
		}
	}
	return options.Line
}
