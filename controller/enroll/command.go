package enroll

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqldb"
)

const commandUsage = `usage:
  agent enroll-token create <agent_id> --nats-url URL[,URL…] [--ttl 1h]
      make a single-use enrolment token for agent_id (shown once). On the
      box: vantage-agent enroll --controller https://HOST:PORT --token TOKEN
      --ca-file CA.pem (served at the controller's enroll.listen)`

// Command runs `vantage-controller agent enroll-token …` against the
// database at dbPath; args are the words after "enroll-token".
func Command(ctx context.Context, dbPath string, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(commandUsage)
	}
	rest := args[1:]
	var id string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	fs := flag.NewFlagSet("enroll-token create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	urls := fs.String("nats-url", "", "NATS URLs the agent dials, comma-separated (required)")
	ttl := fs.Duration("ttl", DefaultTTL, "how long the token is valid")
	if err := fs.Parse(rest); err != nil {
		return fmt.Errorf("enroll-token create: %w\n%s", err, commandUsage)
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return fmt.Errorf("enroll-token create: %w\n%s", err, commandUsage)
		}
	}
	if fs.NArg() > 0 || id == "" {
		return fmt.Errorf("enroll-token create: want one agent id\n%s", commandUsage)
	}
	var list []string
	for _, u := range strings.Split(*urls, ",") {
		if u = strings.TrimSpace(u); u != "" {
			list = append(list, u)
		}
	}
	db, err := sqldb.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("enroll-token create: %w", err)
	}
	defer db.Close()
	c, err := NewStore(db, time.Now).Create(ctx, id, list, *ttl)
	if err != nil {
		return fmt.Errorf("enroll-token create: %w", err)
	}
	fmt.Fprintf(out, "enrolment token for agent %s (single use, valid until %s):\n%s\n", c.AgentID, c.ExpiresAt.UTC().Format(time.RFC3339), c.Token)
	return nil
}
