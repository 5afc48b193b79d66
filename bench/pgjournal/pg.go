package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// pgSample is the server's counters at one moment.
type pgSample struct {
	at                                  time.Time
	commits, inserted, updated, deleted int64
	walBytes                            float64 // pg_current_wal_lsn as bytes
	serverCPU, selfCPU                  float64 // CPU seconds
}

// sample reads pg_stat_database of db's database (flushed stats: see
// pg_stat_force_next_flush), the WAL position and the CPU of both sides.
func sample(ctx context.Context, db *sql.DB, postmaster int) (pgSample, error) {
	s := pgSample{at: time.Now()}
	// Statistics reach the shared counters when a backend goes idle, at
	// most once a second: the windows are long enough for that to average out.
	err := db.QueryRowContext(ctx, `SELECT xact_commit, tup_inserted, tup_updated, tup_deleted,
		pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8
		FROM pg_stat_database WHERE datname = current_database()`).Scan(&s.commits, &s.inserted, &s.updated, &s.deleted, &s.walBytes)
	if err != nil {
		return s, fmt.Errorf("pg_stat_database: %w", err)
	}
	s.serverCPU = serverCPU(postmaster)
	_, s.selfCPU, _ = procStat(os.Getpid())
	return s, nil
}

// postmasterPID reads the server's pid from postmaster.pid in its data
// directory.
func postmasterPID(ctx context.Context, db *sql.DB) (int, error) {
	var dir string
	if err := db.QueryRowContext(ctx, "SHOW data_directory").Scan(&dir); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return 0, fmt.Errorf("postmaster.pid: %w", err)
	}
	return pid, nil
}

// procStat returns a process's parent pid and its user+system CPU seconds
// (with children, its waited-for children's: a backend that ended).
func procStat(pid int) (ppid int, cpu float64, children float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return 0, 0, 0
	}
	f := strings.Fields(s[i+2:])
	if len(f) < 15 {
		return 0, 0, 0
	}
	ppid, _ = strconv.Atoi(f[1])
	n := func(j int) float64 { v, _ := strconv.ParseFloat(f[j], 64); return v / 100 } // USER_HZ
	return ppid, n(11) + n(12), n(13) + n(14)
}

// serverCPU is the CPU seconds of the postmaster, its live children
// (backends, WAL writer, checkpointer …) and its ended children.
func serverCPU(pid int) float64 {
	_, own, ended := procStat(pid)
	total := own + ended
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		child, err := strconv.Atoi(filepath.Base(d))
		if err != nil || child == pid {
			continue
		}
		if ppid, cpu, _ := procStat(child); ppid == pid {
			total += cpu
		}
	}
	return total
}
