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

// Targets lists every binary `make dist` builds. MIPS boxes rarely have an
// FPU, so the MIPS builds use softfloat (an FPU-less kernel would otherwise
// emulate every float instruction, or kill the process).
func Targets() []Target {
	return []Target{
		{Binary: "vantage-agent", Arch: "amd64", GOARCH: "amd64", NFPMArch: "amd64", IPKArch: "x86_64"},
		{Binary: "vantage-agent", Arch: "arm64", GOARCH: "arm64", NFPMArch: "arm64", IPKArch: "aarch64_generic"},
		{Binary: "vantage-agent", Arch: "armv7", GOARCH: "arm", GOARM: "7", NFPMArch: "arm7", IPKArch: "arm_cortex-a7_neon-vfpv4"},
		{Binary: "vantage-agent", Arch: "armv6", GOARCH: "arm", GOARM: "6"},
		{Binary: "vantage-agent", Arch: "mipsle", GOARCH: "mipsle", GOMIPS: "softfloat", IPKArch: "mipsel_24kc"},
		{Binary: "vantage-agent", Arch: "mips", GOARCH: "mips", GOMIPS: "softfloat", IPKArch: "mips_24kc"},
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
