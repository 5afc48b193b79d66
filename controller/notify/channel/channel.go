// Package channel is what every notification channel implements: deliver
// one rendered message to one recipient, and say whether a failure is worth
// a retry.
package channel

import (
	"context"
	"errors"
	"time"
)

// Message is one rendered notification for one recipient.
type Message struct {
	// Key is the outbox idempotency key (incident, customer, recipient,
	// kind); MessageID is derived from it and stable across retries, so a
	// resend after an unclear answer is recognisable as the same message.
	Key       string
	MessageID string
	// To is the address: an email address, a phone number, or the name of
	// a configured webhook.
	To     string
	ToName string
	// Subject is the title (email subject, chat card title); Text the
	// plain body; HTML the email's HTML part (may be empty).
	Subject string
	Text    string
	HTML    string
	// Kind is the notification kind (outage_start, …); Incident its id;
	// Start the incident's start; Lines the lines it is about. Webhook and
	// SMS templates may use them.
	Kind     string
	Incident int64
	Customer string
	Start    time.Time
	Lines    []string
	// Attachments are files the message carries (email only; other
	// channels ignore them).
	Attachments []Attachment
}

// Attachment is one file of a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Sender delivers messages of one channel.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// PermanentError is a failure a retry cannot fix (a refused address, a
// 4xx from a webhook other than 429): the outbox marks the message failed
// at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err should not be retried.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
