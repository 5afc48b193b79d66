package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqldb"
)

// Acknowledgement errors.
var (
	ErrUnknownIncident = errors.New("unknown incident")
	ErrLinkForged      = errors.New("link signature does not verify")
	ErrLinkExpired     = errors.New("link expired")
	ErrLinkUsed        = errors.New("link already used")
)

// Ack records that by acknowledged the incident (via "api" or "link"; sig
// is the link's signature, used once) and cancels the escalations still
// waiting, in one transaction.
func (n *Notifier) Ack(ctx context.Context, incidentID int64, by, via, sig string) error {
	tx, err := n.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM notify_incidents WHERE incident_id = ?`, incidentID).Scan(&one); err != nil {
		return ErrUnknownIncident
	}
	var s any
	if sig != "" {
		s = sig
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO notify_acks (incident_id, by, via, at, link_sig) VALUES (?, ?, ?, ?, ?)`,
		incidentID, by, via, n.opts.Now().UnixMilli(), s); err != nil {
		if sqldb.IsUnique(err) {
			return ErrLinkUsed
		}
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = 'cancelled', last_error = ?
		WHERE incident_id = ? AND status = 'pending' AND kind IN (?, ?)`,
		"acknowledged by "+by, incidentID, DispatchSecond, DispatchLead)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	k, _ := res.RowsAffected()
	n.log.Info("incident acknowledged", "incident", incidentID, "by", by, "via", via, "escalations_cancelled", k)
	return nil
}

// ackToken signs (incident, recipient, expiry).
func (n *Notifier) ackToken(incidentID int64, recipient string, exp time.Time) string {
	payload := fmt.Sprintf("%d|%s|%d", incidentID, recipient, exp.Unix())
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + n.sign(payload)
}

func (n *Notifier) sign(payload string) string {
	m := hmac.New(sha256.New, n.opts.Dispatch.LinkSecret)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verifyAck checks a token and returns what it acknowledges.
func (n *Notifier) verifyAck(token string) (incidentID int64, recipient, sig string, err error) {
	if n.opts.Dispatch == nil || len(n.opts.Dispatch.LinkSecret) == 0 {
		return 0, "", "", ErrLinkForged
	}
	p64, sig, ok := strings.Cut(token, ".")
	raw, derr := base64.RawURLEncoding.DecodeString(p64)
	if !ok || derr != nil || !hmac.Equal([]byte(sig), []byte(n.sign(string(raw)))) {
		return 0, "", "", ErrLinkForged
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return 0, "", "", ErrLinkForged
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, "", "", ErrLinkForged
	}
	if n.opts.Now().After(time.Unix(exp, 0)) {
		return 0, "", "", ErrLinkExpired
	}
	return id, parts[1], sig, nil
}
