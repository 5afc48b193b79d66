package inventory

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// A contact's quiet hours import from YAML and CSV, read back and export;
// a bad span is refused naming file, line and field.
func TestContactQuietHours(t *testing.T) {
	s, _ := newStore(t)
	mustImport(t, s, writeFile(t, "c.yaml", `customers:
  - {id: C1, name: Bank, tier: diamond}
contacts:
  - {id: C1-P, customer: C1, name: Ann, role: primary, email: ann@bank.example, language: en, quiet_hours: "22:00-07:00"}
`))
	mustImport(t, s, writeFile(t, "contacts.csv", "contact_id,customer,name,role,phone,quiet_hours\nC1-S,C1,Bo,secondary,+8613800000000,12:00-13:30\n"))
	cs, err := s.ContactsOfCustomer(context.Background(), "C1")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].QuietHours != "22:00-07:00" || cs[1].QuietHours != "12:00-13:30" {
		t.Fatalf("contacts %+v", cs)
	}
	var b bytes.Buffer
	if _, err := s.ExportCSV(context.Background(), KindContacts, &b); err != nil || !strings.Contains(b.String(), "22:00-07:00") {
		t.Errorf("export lacks quiet hours (%v):\n%s", err, b.String())
	}
	_, err = ParseFile(writeFile(t, "bad.yaml", `contacts:
  - {id: X, customer: C1, name: X, quiet_hours: "25:00-07:00"}
  - {id: Y, customer: C1, name: Y, quiet_hours: "07:00-07:00"}
`))
	if err == nil || !strings.Contains(err.Error(), `bad.yaml:2`) || !strings.Contains(err.Error(), `quiet_hours: "25:00-07:00" is not a span`) ||
		!strings.Contains(err.Error(), `quiet_hours: "07:00-07:00" is not a span`) {
		t.Errorf("error %v", err)
	}
}
