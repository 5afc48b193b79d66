package apiauth

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/store/sqldb"
)

const commandUsage = `usage:
  token create --name NAME --role ROLE [--manager MANAGER_ID]
      make a token and print it once (roles: admin, ops, account_manager;
      account_manager needs --manager, the inventory's account_manager value)
  token revoke --name NAME   (or: token revoke NAME)
  token list
      names, roles and managers; never the tokens`

// Command runs `vantage-controller token …` against the database at dbPath.
// args are the words after "token" (a leading "token" is accepted too).
// Output goes to out; only create prints a token, and only the new one.
func Command(ctx context.Context, dbPath string, args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "token" {
		args = args[1:]
	}
	if len(args) == 0 {
		return errors.New(commandUsage)
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("token "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, with the usage
	name := fs.String("name", "", "token name")
	role := fs.String("role", "", "admin, ops or account_manager")
	manager := fs.String("manager", "", "account manager id (role account_manager)")
	if err := fs.Parse(rest); err != nil {
		return fmt.Errorf("token %s: %w\n%s", sub, err, commandUsage)
	}
	// `token revoke NAME` reads naturally too.
	if sub == "revoke" && *name == "" && fs.NArg() == 1 {
		*name = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return fmt.Errorf("token %s: unexpected %q\n%s", sub, fs.Arg(0), commandUsage)
	}
	switch sub {
	case "create", "revoke", "list":
	default:
		return fmt.Errorf("token: unknown command %q\n%s", sub, commandUsage)
	}
	if sub != "list" && *name == "" {
		return fmt.Errorf("token %s: --name is required", sub)
	}

	db, err := sqldb.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("token %s: %w", sub, err)
	}
	defer db.Close()
	inv := inventory.NewSQLStore(db)
	a, err := New(Options{DB: db, Inventory: inv}, nil, nil)
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		token, err := a.Create(ctx, *name, Role(*role), *manager)
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		scope := ""
		if *manager != "" {
			scope = fmt.Sprintf(", manager %s", *manager)
			if cs, err := inv.CustomersOfAccountManager(ctx, *manager); err == nil && len(cs) == 0 {
				scope += fmt.Sprintf(" (no customer has account_manager %q yet: the token sees none until the inventory assigns some)", *manager)
			}
		}
		fmt.Fprintf(out, "created token %q, role %s%s. It is shown only now; store it:\n%s\n", *name, *role, scope, token)
	case "revoke":
		if err := a.Revoke(ctx, *name); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		fmt.Fprintf(out, "revoked token %q\n", *name)
	case "list":
		ts, err := a.List(ctx)
		if err != nil {
			return fmt.Errorf("token list: %w", err)
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tMANAGER\tCREATED")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Role, dash(t.ManagerID), t.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
