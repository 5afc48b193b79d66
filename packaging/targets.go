package packaging

import (
	"fmt"
	"strings"
)

// Target is one binary built for one CPU.
type Target struct {
	// Binary is the command under cmd/: vantage-agent or vantage-controller.
	Binary string
	// Arch is the name used in file names and the budget: amd64, arm64,
	// armv7, armv6, mipsle, mips.
	Arch string
	// GOARCH, GOARM and GOMIPS are the Go toolchain's settings for Arch.
	GOARCH, GOARM, GOMIPS string
	// NFPMArch is nfpm's name for the CPU (it maps it to dpkg's and rpm's);
	// empty when no .deb/.rpm is made for this target.
	NFPMArch string
	// IPKArch is the OpenWrt package architecture; empty when no .ipk is
	// made. A static Go binary runs on every subtarget of the CPU family,
	// so one common subtarget name is used (see README, Installing agents).
	IPKArch string
	// GCFlags are extra -gcflags arguments for the agent on this target
	// (AgentGCFlagsMIPS on MIPS); empty elsewhere.
	GCFlags []string
	// LDFlags are extra -ldflags words for the agent on this target
	// (AgentLDFlagsMIPS on MIPS); empty elsewhere.
	LDFlags string
}

// Name is "vantage-agent-linux-armv7" and the like.
func (t Target) Name() string { return t.Binary + "-linux-" + t.Arch }

// Env is the environment go build needs for the target (static, no cgo).
func (t Target) Env() []string {
	env := []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + t.GOARCH}
	if t.GOARM != "" {
		env = append(env, "GOARM="+t.GOARM)
	}
	if t.GOMIPS != "" {
		env = append(env, "GOMIPS="+t.GOMIPS)
	}
	return env
}

// AgentGCFlagsMIPS keep the MIPS agent under 10 MB (the goal for
// 16-32 MB flash boxes) at the CPU of a fully inlined build: the compiler
// does not inline (-l) in any package but the runtime and its map code,
// the ping engine, result encoding, the publisher and nats.go's core (the
// last -gcflags pattern a package matches wins). Inlining everywhere costs
// about 1 MB there (inlined copies and their pclntab entries). Measured
// under qemu (docs/BENCHMARKS.md, "Agent footprint per CPU"): -l in every
// package took the agent from ~10.4% to ~15% CPU, and the runtime's
// inlining is nearly all of that difference; with this list it is back to
// ~10.8%.
var AgentGCFlagsMIPS = []string{
	"all=-l",
	"runtime=",
	"internal/runtime/maps=",
	"github.com/vantage-net/vantage/probes/ping=",
	"github.com/vantage-net/vantage/probes/result=",
	"github.com/vantage-net/vantage/agent/publish=",
	"github.com/nats-io/nats.go=",
}

// AgentLDFlagsMIPS align the MIPS agent's ELF segments to 16 KiB instead
// of the linker's default 64 KiB for MIPS. The padding between the text,
// read-only and data segments is part of the file, so with 64 KiB every
// segment that crosses a boundary costs up to 64 KiB of flash; 16 KiB cuts
// that padding to a quarter (about 80 kB less today). 16 KiB and not 4 KiB
// so the binary still loads on kernels with 16 KiB pages (a segment's file
// offset and address must agree modulo the page size); the 24Kc/74Kc
// OpenWrt boxes the .ipk targets run 4 KiB pages. TestEmulatedAgentProbeCycle
// runs the result under qemu; TestMIPSSegmentAlignment checks the flag took.
const AgentLDFlagsMIPS = "-R 16384"

// Targets lists every binary `make dist` builds. MIPS boxes rarely have an
// FPU, so the MIPS builds use softfloat (an FPU-less kernel would otherwise
// emulate every float instruction, or kill the process).
func Targets() []Target {
	return []Target{
		{Binary: "vantage-agent", Arch: "amd64", GOARCH: "amd64", NFPMArch: "amd64", IPKArch: "x86_64"},
		{Binary: "vantage-agent", Arch: "arm64", GOARCH: "arm64", NFPMArch: "arm64", IPKArch: "aarch64_generic"},
		{Binary: "vantage-agent", Arch: "armv7", GOARCH: "arm", GOARM: "7", NFPMArch: "arm7", IPKArch: "arm_cortex-a7_neon-vfpv4"},
		{Binary: "vantage-agent", Arch: "armv6", GOARCH: "arm", GOARM: "6"},
		{Binary: "vantage-agent", Arch: "mipsle", GOARCH: "mipsle", GOMIPS: "softfloat", IPKArch: "mipsel_24kc", GCFlags: AgentGCFlagsMIPS, LDFlags: AgentLDFlagsMIPS},
		{Binary: "vantage-agent", Arch: "mips", GOARCH: "mips", GOMIPS: "softfloat", IPKArch: "mips_24kc", GCFlags: AgentGCFlagsMIPS, LDFlags: AgentLDFlagsMIPS},
		{Binary: "vantage-controller", Arch: "amd64", GOARCH: "amd64", NFPMArch: "amd64"},
		{Binary: "vantage-controller", Arch: "arm64", GOARCH: "arm64", NFPMArch: "arm64"},
	}
}

// Find returns the target of binary and arch.
func Find(binary, arch string) (Target, error) {
	var names []string
	for _, t := range Targets() {
		if t.Binary == binary && t.Arch == arch {
			return t, nil
		}
		names = append(names, t.Binary+"/"+t.Arch)
	}
	return Target{}, fmt.Errorf("no target %s/%s (known: %s)", binary, arch, strings.Join(names, ", "))
}
