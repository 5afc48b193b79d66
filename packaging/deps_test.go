package packaging

import (
	"os/exec"
	"strings"
	"testing"
)

// TestAgentLinksNoControllerCode: the shipped agent (built with AgentTags)
// must not carry the controller's packages or its heavy dependencies
// (embedded NATS server, SQLite, InfluxDB client), nor client_golang and
// protobuf; each would cost megabytes on a 16 MB flash. Nor second copies
// of packages the standard library vendors, or os/exec.
func TestAgentLinksNoControllerCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", AgentTags, "github.com/vantage-net/vantage/cmd/vantage-agent").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	banned := []string{
		"github.com/vantage-net/vantage/controller",
		"github.com/nats-io/nats-server",
		"modernc.org/sqlite",
		"github.com/influxdata/influxdb-client-go",
		"runtime/pprof", // --cpuprofile is in -tags pprof builds only
		// /metrics comes from internal/metrics/lite in shipped agents:
		// client_golang's data model is protobuf, ~2.4 MB on MIPS.
		"github.com/prometheus/client_golang",
		"github.com/prometheus/client_model",
		"google.golang.org/protobuf",
		"github.com/prometheus/procfs",
		// Second copies of what net vendors (its own idna and x/text
		// tables; a whole DNS codec): probes/http checks headers and
		// probes/dial speaks DNS without them.
		"golang.org/x/net/http/httpguts",
		"golang.org/x/net/idna",
		"golang.org/x/text",
		"golang.org/x/net/dns/dnsmessage",
		// os/exec costs ~0.1 MB on MIPS; install-self uses os.StartProcess.
		"os/exec",
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, b := range banned {
			if pkg == b || strings.HasPrefix(pkg, b+"/") {
				t.Errorf("vantage-agent links %s", pkg)
			}
		}
	}
}
