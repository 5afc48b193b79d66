package remote

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vantage-net/vantage/agent/config"
)

// The cache file is the remote YAML as received, behind one comment line
// that records its revision: it stays readable YAML for an operator, and
// validation messages about it point at its own lines.
const cacheHeader = "# vantage-agent remote config: agent %s revision %d (written by the agent; edits are overwritten)\n"

// LoadCache returns the cached remote config applied over local and its
// revision. No cache file yet is (nil, 0, nil); an unreadable or no longer
// valid one (say, a probe type removed by an upgrade) is an error the caller
// logs before starting from the local file.
func LoadCache(local *config.Config, types config.TypeInfo) (*config.Config, uint64, error) {
	path := local.RemoteConfig.CacheFile
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	var agent string
	var rev uint64
	if _, err := fmt.Sscanf(string(first)+"\n", cacheHeader, &agent, &rev); err != nil {
		return nil, 0, fmt.Errorf("%s:1: not a remote config cache (header: %v)", path, err)
	}
	if agent != local.AgentID {
		return nil, 0, fmt.Errorf("%s:1: cached for agent %q, this is %q", path, agent, local.AgentID)
	}
	c, err := config.ParseRemote(path, data, local, types)
	if err != nil {
		return nil, 0, err
	}
	return c, rev, nil
}

// SaveCache replaces the cache file atomically: a crash or power cut leaves
// either the previous file or the new one, never half of one. Mode 0600: probe
// options may hold SNMP communities.
func SaveCache(path, agentID string, rev uint64, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".remote-config-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename it no longer exists
	_, err = fmt.Fprintf(f, cacheHeader, agentID, rev)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("remote_config.cache_file: %w", err)
	}
	// The rename is durable only once the directory entry is synced.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
