package update

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// trial is an update between exec and commit.
type trial struct {
	From    string    `json:"from"`
	To      string    `json:"to"`
	Started time.Time `json:"started"`
}

// state is update-state.json.
type state struct {
	Trial *trial `json:"trial,omitempty"`
	// Failed are versions refused after download or rolled back, newest
	// last, at most maxFailed: never offered to exec again.
	Failed []string `json:"failed,omitempty"`
}

const maxFailed = 32

func (s *state) fail(version string) {
	if !slices.Contains(s.Failed, version) {
		s.Failed = append(s.Failed, version)
	}
	if len(s.Failed) > maxFailed {
		s.Failed = s.Failed[len(s.Failed)-maxFailed:]
	}
}

func loadState(path string) (state, error) {
	var s state
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

// saveState writes path through a temporary file and a rename, synced, so
// a power cut leaves the old or the new state, never half of one.
func saveState(path string, s state) error {
	b, _ := json.MarshalIndent(s, "", "  ")
	tmp, err := os.CreateTemp(filepath.Dir(path), ".update-state-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
