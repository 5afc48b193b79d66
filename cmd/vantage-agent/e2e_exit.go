//go:build vantage_e2e_exit_at_start

package main

import "os"

// Built only with -tags vantage_e2e_exit_at_start: a release that dies at
// once, before any of the agent's code runs, so the self-update end-to-end
// test (internal/e2e/selfupdate_test.go) can show such a release rolled back
// by the binary it was meant to replace.
func init() { os.Exit(3) }
