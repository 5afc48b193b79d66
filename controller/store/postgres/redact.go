package postgres

import (
	"regexp"

	"github.com/vantage-net/vantage/internal/redact"
)

// passwordParam matches a password given as a query parameter
// (postgres://host/db?password=…), which redact.URL does not look at.
var passwordParam = regexp.MustCompile(`([?&]password=)[^&#]*`)

// Redact returns url without its credentials, for logs and errors.
func Redact(url string) string {
	return passwordParam.ReplaceAllString(redact.URL(url), "${1}xxxxx")
}
