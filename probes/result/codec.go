package result

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxBatchBytes bounds one encoded batch. It stays well under NATS's default
// max_payload (1 MiB) so a batch never fails to publish for its size.
const MaxBatchBytes = 512 * 1024

// Encode renders a batch as JSON, the format on vantage.results.<agent_id>.
// JSON keeps messages readable with `nats sub` during an incident. The
// bytes are encoding/json's; appendBatch writes them without reflection.
func Encode(b *Batch) ([]byte, error) {
	if out, ok := appendBatch(make([]byte, 0, 64+300*len(b.Results)), b); ok {
		return out, nil
	}
	return json.Marshal(b)
}

// Decode parses one message. Unknown keys are errors: a message the
// controller does not fully understand is dead-lettered, not half-written.
func Decode(data []byte) (*Batch, error) {
	if len(data) > MaxBatchBytes*2 {
		return nil, &FieldError{Field: "message", Msg: fmt.Sprintf("%d bytes is larger than the %d-byte limit", len(data), MaxBatchBytes*2)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Batch
	if err := dec.Decode(&b); err != nil {
		return nil, &FieldError{Field: "message", Msg: "not a result batch: " + err.Error()}
	}
	if dec.More() {
		return nil, &FieldError{Field: "message", Msg: "trailing data after the batch"}
	}
	return &b, nil
}
