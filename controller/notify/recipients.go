package notify

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// Recipient is one address a message goes to.
type Recipient struct {
	Channel  string // email, sms, webhook
	Address  string // email address, phone number, webhook name
	Name     string
	Role     string // the contact's role, account_manager or ops
	Language string // zh-CN (default) or en
	// Quiet is the contact's quiet hours ("22:00-07:00"), '' for none.
	Quiet string
}

func (r Recipient) id() string { return r.Channel + ":" + r.Address }

// OpsContact is an on-call address (config notify.ops).
type OpsContact struct {
	Name     string
	Email    string
	Phone    string
	Language string
	// Webhooks are names of configured webhooks (the ops group chat).
	Webhooks []string
}

// customerRecipients resolves a rule to the customer's addresses, read in
// the commit's transaction: contacts by role on the rule's channels, the
// account manager when an email address, and the rule's webhooks.
func customerRecipients(ctx context.Context, tx *sql.Tx, customer string, r Rule, webhookLang map[string]string) ([]Recipient, error) {
	var out []Recipient
	add := func(rc Recipient) {
		if rc.Address == "" || slices.ContainsFunc(out, func(o Recipient) bool { return o.id() == rc.id() }) {
			return
		}
		out = append(out, rc)
	}
	if len(r.Roles) > 0 && (r.uses(Email) || r.uses(SMS)) {
		rows, err := tx.QueryContext(ctx, `SELECT name, role, email, phone, language, quiet_hours FROM contacts
			WHERE customer_id = ? ORDER BY id`, customer)
		if err != nil {
			return nil, fmt.Errorf("contacts of %s: %w", customer, err)
		}
		defer rows.Close()
		for rows.Next() {
			var name, role, email, phone, lang, quiet string
			if err := rows.Scan(&name, &role, &email, &phone, &lang, &quiet); err != nil {
				return nil, fmt.Errorf("contacts of %s: %w", customer, err)
			}
			if !slices.Contains(r.Roles, role) {
				continue
			}
			if r.uses(Email) {
				add(Recipient{Channel: Email, Address: email, Name: name, Role: role, Language: lang, Quiet: quiet})
			}
			if r.uses(SMS) {
				add(Recipient{Channel: SMS, Address: phone, Name: name, Role: role, Language: lang, Quiet: quiet})
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("contacts of %s: %w", customer, err)
		}
	}
	if r.AccountManager {
		var am string
		err := tx.QueryRowContext(ctx, `SELECT account_manager FROM customers WHERE id = ?`, customer).Scan(&am)
		if err != nil && err != sql.ErrNoRows {
			return nil, fmt.Errorf("account manager of %s: %w", customer, err)
		}
		if strings.Contains(am, "@") {
			add(Recipient{Channel: Email, Address: am, Name: am, Role: "account_manager"})
		}
	}
	for _, w := range r.Webhooks {
		add(Recipient{Channel: Webhook, Address: w, Name: w, Role: "webhook", Language: webhookLang[w]})
	}
	return out, nil
}

// opsRecipients are the on-call addresses.
func opsRecipients(ops []OpsContact, webhookLang map[string]string) []Recipient {
	var out []Recipient
	for _, o := range ops {
		if o.Email != "" {
			out = append(out, Recipient{Channel: Email, Address: o.Email, Name: o.Name, Role: "ops", Language: o.Language})
		}
		if o.Phone != "" {
			out = append(out, Recipient{Channel: SMS, Address: o.Phone, Name: o.Name, Role: "ops", Language: o.Language})
		}
		for _, w := range o.Webhooks {
			out = append(out, Recipient{Channel: Webhook, Address: w, Name: w, Role: "ops", Language: webhookLang[w]})
		}
	}
	return out
}
