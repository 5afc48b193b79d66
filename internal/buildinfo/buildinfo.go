// Package buildinfo holds the version both binaries print with --version and
// report in heartbeats. Release builds set it with
// -ldflags "-X github.com/vantage-net/vantage/internal/buildinfo.Version=v1.2.3".
package buildinfo

import "runtime/debug"

// Version is the release version; "dev" for untagged builds.
var Version = "dev"

// String returns the version with the VCS revision when the build has one.
func String() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}
