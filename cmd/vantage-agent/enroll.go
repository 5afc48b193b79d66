package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/vantage-net/vantage/agent/enroll"
)

// enrollCmd is `vantage-agent enroll`: trade a single-use token for this
// box's credential and write its config (agent/enroll).
func enrollCmd(args []string) int {
	fs := flag.NewFlagSet("vantage-agent enroll", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: vantage-agent enroll --controller https://HOST:PORT --token TOKEN [--ca-file CA.pem] [--out FILE]

Trades a single-use enrolment token (vantage-controller agent enroll-token
create) for this agent's NATS credential over HTTPS and writes a ready
config (mode 0600) that takes its probes from the controller.

Flags:
`)
		fs.PrintDefaults()
	}
	var o enroll.Options
	fs.StringVar(&o.Controller, "controller", "", "the controller's enrolment URL, https://host:port (its enroll.listen)")
	fs.StringVar(&o.Token, "token", "", "the enrolment token (ven_…)")
	fs.StringVar(&o.CAFile, "ca-file", "", "CA that signed the controller's certificate; also written as nats.tls.ca_file")
	fs.StringVar(&o.Out, "out", "/etc/vantage/agent.yaml", "config file to create (must not exist)")
	fs.StringVar(&o.StateDir, "state-dir", "/var/lib/vantage-agent", "where the config puts the spool and the remote-config cache")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "vantage-agent enroll: unexpected %q\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	id, err := enroll.Run(ctx, o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-agent enroll: %v\n", err)
		return 1
	}
	fmt.Printf("enrolled agent %s: wrote %s (mode 0600); start the agent (systemctl start vantage-agent)\n", id, o.Out)
	return 0
}
