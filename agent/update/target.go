package update

import (
	"runtime"
	"runtime/debug"
)

// Target returns this binary's OS and architecture as `make dist` and
// releases name them: GOARCH, except arm as armv6/armv7 (from the GOARM the
// binary was built with), so an armv6 box is never offered an armv7 build.
func Target() (goos, arch string) {
	arch = runtime.GOARCH
	if arch == "arm" {
		arm := "7" // Go's default for GOOS=linux is 6 on older toolchains; the build records it
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "GOARM" && s.Value != "" {
					arm = s.Value[:1]
				}
			}
		}
		arch = "armv" + arm
	}
	return runtime.GOOS, arch
}
