// Package packaging cross-builds the agent and the controller for the CPUs
// edge boxes run, checks the stripped agent against a size budget, and lays
// out the .deb, .rpm and OpenWrt .ipk packages with nfpm (pinned, run as a
// program: its module graph stays out of go.mod) and the agent's OCI image
// (oci.go, written directly: an image layout is a few JSON files and a tar).
//
// The files beside this package are the packages' contents: systemd units
// (systemd/), the OpenWrt procd script and capability file (openwrt/), the
// maintainer scripts (scripts/), the nfpm configs (nfpm/) and the size
// budget (size-budget.txt). cmd/vantage-dist drives it all for `make dist`
// and `make size-check`.
package packaging
