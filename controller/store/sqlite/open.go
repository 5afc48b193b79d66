package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DefaultName is the database file's name inside the controller's data_dir.
const DefaultName = "vantage.db"

// Options tunes Open. The zero value is what the controller uses.
type Options struct {
	// BusyTimeout is how long a statement waits for another connection's
	// write lock before failing with SQLITE_BUSY (default 5s). An import of
	// 50,000 lines holds the lock for a few seconds; the detector's event
	// writes wait for it rather than fail.
	BusyTimeout time.Duration
	// NoMigrate opens the file without bringing the schema up to date (for
	// tools that only read, and for tests of Migrate itself).
	NoMigrate bool
}

// FileMode is the mode of the database file and its -wal and -shm files:
// they hold customers, contacts and API token hashes, readable by the
// controller's user only.
const FileMode = 0o600

// restrictFiles creates the database file with FileMode before SQLite opens
// it (SQLite would create it 0644 less the umask) and tightens a file an
// older build left more open. SQLite gives the -wal and -shm files the mode
// of the database file; existing ones are tightened too.
func restrictFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if st.Mode().Perm()&^FileMode != 0 {
			if err := os.Chmod(p, FileMode); err != nil {
				return err
			}
		}
	}
	return nil
}

// Open opens (creating if needed) the database file at path and migrates it
// to the newest schema this build knows.
//
// Every pooled connection gets: WAL journal (readers never block the one
// writer, so API reads go on during an import), synchronous=NORMAL (with WAL
// this cannot corrupt the file; a power cut may lose the last commits, which
// at-least-once ingest replays), foreign keys on (SQLite's default is off),
// statement journals in memory (an upsert opens one per row; on disk they
// were 40% of a 50,000-line import's time), and BEGIN IMMEDIATE for transactions, so two writers queue on busy_timeout
// instead of one failing when it upgrades a read lock to a write lock.
func Open(ctx context.Context, path string, opts Options) (*sql.DB, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: empty database path")
	}
	// `inventory import` may run before the controller ever started and
	// made its data_dir.
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := restrictFiles(path); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Ping makes the first connection, so a missing directory or a file that
	// is not a database fails here, with the path, not at the first query.
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if !opts.NoMigrate {
		if _, err := Migrate(ctx, db); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: %s: %w", path, err)
		}
	}
	return db, nil
}
