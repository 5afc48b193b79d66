package agentauth

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqldb"
)

const commandUsage = `usage:
  agent add <agent_id> [--nats-url URL[,URL…]] [--out FILE] [--ca-file FILE]
      issue the agent's NATS credentials (user = agent id, a new random
      password) and write a ready agent config to FILE (default
      <agent_id>.yaml, mode 0600). The password exists only in that file.
  agent revoke <agent_id>
      cut the agent off: refused at its next connect, and disconnected by a
      running controller within seconds
  agent list
      agents, created and revoked times; never a secret`

// Command runs `vantage-controller agent …` against the database at
// dbPath. args are the words after "agent" (a leading "agent" is accepted).
func Command(ctx context.Context, dbPath string, args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "agent" {
		args = args[1:]
	}
	if len(args) == 0 {
		return errors.New(commandUsage)
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("agent "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, with the usage
	urls := fs.String("nats-url", "nats://localhost:4222", "NATS URLs the agent dials, comma-separated")
	outFile := fs.String("out", "", "agent config file to write (default <agent_id>.yaml)")
	caFile := fs.String("ca-file", "", "CA file the agent verifies the NATS server's TLS certificate with")
	// The agent id may come before or after the flags.
	var id string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return fmt.Errorf("agent %s: %w\n%s", sub, err, commandUsage)
	}
	if id == "" && fs.NArg() > 0 { // the id after the flags
		id = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return fmt.Errorf("agent %s: %w\n%s", sub, err, commandUsage)
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("agent %s: unexpected %q\n%s", sub, fs.Arg(0), commandUsage)
	}
	switch sub {
	case "add", "revoke":
		if err := CheckAgentID(id); err != nil {
			return fmt.Errorf("agent %s: %w", sub, err)
		}
	case "list":
		if id != "" {
			return fmt.Errorf("agent list: unexpected %q\n%s", id, commandUsage)
		}
	default:
		return fmt.Errorf("agent: unknown command %q\n%s", sub, commandUsage)
	}

	db, err := sqldb.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("agent %s: %w", sub, err)
	}
	defer db.Close()
	st := NewStore(db)
	switch sub {
	case "add":
		return add(ctx, st, id, AgentFileOptions{URLs: splitList(*urls), CAFile: *caFile, Path: *outFile}, out)
	case "revoke":
		if err := st.Revoke(ctx, id); err != nil {
			return fmt.Errorf("agent revoke: %w", err)
		}
		fmt.Fprintf(out, "revoked agent %s: its connects are refused from now on, and a running controller disconnects it within seconds\n", id)
		return nil
	default:
		return list(ctx, st, out)
	}
}

func add(ctx context.Context, st *Store, id string, o AgentFileOptions, out io.Writer) error {
	if o.Path == "" {
		o.Path = id + ".yaml"
	}
	f, err := createAgentFile(o.Path)
	if err != nil {
		return fmt.Errorf("agent add: %w", err)
	}
	iss, err := st.Add(ctx, id)
	if err != nil {
		discardAgentFile(f)
		return fmt.Errorf("agent add: %w", err)
	}
	if err := writeAgentFile(f, iss, o); err != nil {
		discardAgentFile(f)
		// The hash is stored but the password is lost: revoke, so no
		// half-issued credential stays valid.
		_ = st.Revoke(ctx, id)
		return fmt.Errorf("agent add: %w (credential revoked; run add again)", err)
	}
	fmt.Fprintf(out, "added agent %s\n  config: %s (mode 0600; it holds the agent's NATS password, shown nowhere else)\ncopy it to the agent's box as its config file\n", id, f.Name())
	return nil
}

func list(ctx context.Context, st *Store, out io.Writer) error {
	cs, err := st.List(ctx)
	if err != nil {
		return fmt.Errorf("agent list: %w", err)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AGENT\tCREATED\tREVOKED")
	for _, c := range cs {
		revoked := "-"
		if c.RevokedAt != nil {
			revoked = c.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.AgentID, c.CreatedAt.Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
