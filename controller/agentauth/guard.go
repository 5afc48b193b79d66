package agentauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ControllerUser is the user name of a controller connecting over the
// network (a second controller, a test). The '@' keeps it apart from every
// agent id, which may hold only letters, digits, '-' and '_'.
const ControllerUser = "controller@vantage"

// Options configure a Guard.
type Options struct {
	// ControllerPassword is ControllerUser's password. Empty: one is made
	// at NewGuard and kept in memory only (ControllerPassword()). The
	// controller's own in-process connection needs none.
	ControllerPassword string
	// TLS, when set, makes the server require TLS from network clients.
	TLS *TLSFiles
	// CheckTimeout bounds the database lookup of one connect (default 2s);
	// a connect that times out is refused and the client retries.
	CheckTimeout time.Duration
}

// Guard is the embedded server's authenticator
// (server.Options.CustomClientAuthentication): every connect is checked
// against the Store, so a credential revoked by the CLI, in another
// process, is refused at the next connect without a server reload.
type Guard struct {
	store      *Store
	opts       Options
	log        *slog.Logger
	passDigest [sha256.Size]byte
}

// NewGuard returns a Guard over store. log receives refusals and
// disconnections, never a secret (nil: discarded).
func NewGuard(store *Store, opts Options, log *slog.Logger) (*Guard, error) {
	if store == nil {
		return nil, errors.New("agentauth: no store")
	}
	if opts.ControllerPassword == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		opts.ControllerPassword = base64.RawURLEncoding.EncodeToString(b)
	}
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = 2 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Guard{store: store, opts: opts, log: log, passDigest: sha256.Sum256([]byte(opts.ControllerPassword))}, nil
}

// ControllerPassword is ControllerUser's password, for a controller that
// connects over the network. Do not log it.
func (g *Guard) ControllerPassword() string { return g.opts.ControllerPassword }

// Configure installs the Guard (and TLS, if set) into the embedded
// server's options; pass it as broker.Options.Configure.
func (g *Guard) Configure(o *server.Options) error {
	if o.CustomClientAuthentication != nil || len(o.Users) > 0 || len(o.Nkeys) > 0 {
		return errors.New("agentauth: the NATS server already has authentication configured")
	}
	o.CustomClientAuthentication = g
	if g.opts.TLS != nil {
		if err := g.opts.TLS.apply(o); err != nil {
			return err
		}
	}
	return nil
}

// Check implements server.Authentication. It returns true only after
// registering the client's user and permissions.
func (g *Guard) Check(c server.ClientAuthentication) bool {
	if c.Kind() != server.CLIENT {
		return false // no routes, gateways or leaf nodes are configured
	}
	// An in-process connection (net.Pipe) can only be made by code inside
	// the controller: that is the broker's own connection.
	if a := c.RemoteAddress(); a != nil && a.Network() == "pipe" {
		c.RegisterUser(&server.User{Username: ControllerUser})
		return true
	}
	o := c.GetOpts()
	if o.Username == ControllerUser {
		d := sha256.Sum256([]byte(o.Password))
		if subtle.ConstantTimeCompare(d[:], g.passDigest[:]) != 1 {
			g.refuse(c, ControllerUser, "wrong controller password")
			return false
		}
		c.RegisterUser(&server.User{Username: ControllerUser})
		return true
	}
	agentID := o.Username
	if CheckAgentID(agentID) != nil || o.Password == "" {
		g.refuse(c, agentID, "agents authenticate with their agent id and password")
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.opts.CheckTimeout)
	defer cancel()
	ok, err := g.store.check(ctx, agentID, o.Password)
	switch {
	case err != nil:
		g.refuse(c, agentID, err.Error())
		return false
	case !ok:
		g.refuse(c, agentID, "unknown agent, wrong password or revoked")
		return false
	}
	// The user name is what connz, server events and Enforce see.
	c.RegisterUser(&server.User{Username: agentID, Permissions: Permissions(agentID)})
	return true
}

// refuse logs a refused connect with the user name it claimed (if valid as
// an id) and its address. Never the password.
func (g *Guard) refuse(c server.ClientAuthentication, user, why string) {
	if CheckAgentID(user) != nil && user != ControllerUser {
		user = "" // an id that is not one may be a password typed in the wrong field
	}
	addr := ""
	if a := c.RemoteAddress(); a != nil {
		addr = a.String()
	}
	g.log.Warn("NATS connect refused", "reason", why, "user", user, "remote", addr, "cid", c.GetID())
}

// String keeps the controller password out of accidental %v output.
func (g *Guard) String() string { return fmt.Sprintf("agentauth.Guard(%s)", ControllerUser) }
