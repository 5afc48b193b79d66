package report

import (
	"encoding/json"
	"io"
)

// JSON writes the report's numbers as JSON (times UTC, RFC 3339; seconds
// as measured; the zone names where the other formats show times).
func JSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
