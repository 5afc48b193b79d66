// Command vantage-sim is the fleet simulator with ground truth
// (internal/fleetsim): `inventory` writes the simulated lines, elements
// and agents for `vantage-controller inventory import`; `run` publishes
// the simulated agents' results onto NATS and writes the ground truth;
// `check` compares the controller's events and incidents with it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: vantage-sim inventory|run|check [flags]
  inventory -out FILE [plan flags]        write the inventory YAML
  run -nats URL -truth FILE [plan flags]  publish results, write the ground truth
  check -api URL -token T -truth FILE     compare the controller with the ground truth
Plan flags must be the same for inventory and run (the seed fixes the plan).
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "inventory":
		err = inventoryCmd(args[1:], stdout)
	case "run":
		err = runCmd(ctx, args[1:], stdout, stderr)
	case "check":
		var ok bool
		ok, err = checkCmd(ctx, args[1:], stdout)
		if err == nil && !ok {
			return 1
		}
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "vantage-sim: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintf(stderr, "vantage-sim %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
