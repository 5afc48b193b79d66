package controller

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/enroll"
	"github.com/vantage-net/vantage/internal/serve"
)

// listenEnroll binds the HTTPS enrolment listener now, so a port clash or
// an unreadable certificate fails at start.
func listenEnroll(e *config.Enroll) (net.Listener, error) {
	cert, err := tls.LoadX509KeyPair(e.CertFile, e.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("enroll: certificate: %w", err)
	}
	l, err := net.Listen("tcp", e.Listen)
	if err != nil {
		return nil, fmt.Errorf("enroll.listen %s: %w", e.Listen, err)
	}
	return tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}

// EnrollAddr is the enrolment listener's address; "" without enroll.
func (c *Controller) EnrollAddr() string {
	if c.enrollListener == nil {
		return ""
	}
	return c.enrollListener.Addr().String()
}

// enrollComponent serves the enrolment endpoint (nil without enroll).
func (c *Controller) enrollComponent() []component {
	if c.enrollListener == nil {
		return nil
	}
	h := enroll.Handler(enroll.NewStore(c.db, time.Now), c.log.With("component", "enroll"), c.reg)
	return []component{{"enroll", func(ctx context.Context) error { serve.Serve(ctx, c.enrollListener, h, c.log); return nil }}}
}
