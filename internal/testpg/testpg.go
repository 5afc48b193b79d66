// Package testpg runs a throwaway PostgreSQL server for tests: initdb and
// postgres from the Debian package (/usr/lib/postgresql/N/bin, newest N, or
// PATH) in a temporary directory, listening on a free loopback port with a
// random password, removed again by Stop. One Cluster serves a whole test
// package (start it in TestMain); each test takes a database of its own.
//
// initdb and postgres refuse to run as root: as root the server runs as the
// postgres user the package created (else nobody), owning its directory.
package testpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrMissing is returned by Start when no PostgreSQL server is installed.
var ErrMissing = errors.New("PostgreSQL is not installed (initdb/postgres not in /usr/lib/postgresql/*/bin or PATH; `make deps` installs it)")

// Cluster is one running server.
type Cluster struct {
	dir      string
	port     int
	password string
	cmd      *exec.Cmd
	done     chan error
	mu       sync.Mutex // serialises CREATE DATABASE … TEMPLATE
	n        int
	testsDB  bool
	durable  bool // PostgreSQL's own fsync, full_page_writes, synchronous_commit, shared_buffers
}

// BinDir finds the directory holding initdb and postgres.
func BinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	return "", ErrMissing
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Start creates and starts a cluster; the caller must Stop it. For speed
// it runs without durability (fsync, full_page_writes and synchronous_commit
// off) and with 32 MB of shared buffers.
func Start() (*Cluster, error) { return start(false) }

// StartDurable is Start with PostgreSQL's own defaults for those settings,
// as a production server runs: for benchmarks of what writes cost it
// (bench/pgjournal).
func StartDurable() (*Cluster, error) { return start(true) }

func start(durable bool) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "vantage-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, password: randomHex(12), done: make(chan error, 1), durable: durable}
	if err := c.start(bin); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) start(bin string) error {
	cred, err := credential()
	if err != nil {
		return err
	}
	pwfile := filepath.Join(c.dir, "pw")
	if err := os.WriteFile(pwfile, []byte(c.password+"\n"), 0o600); err != nil {
		return err
	}
	if cred != nil {
		for _, p := range []string{c.dir, pwfile} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	data := filepath.Join(c.dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=scram-sha-256",
		"--pwfile="+pwfile, "-E", "UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	// A port found free may be taken before postgres binds it: retry.
	var last error
	for attempt := 0; attempt < 5; attempt++ {
		if c.port, err = freePort(); err != nil {
			return err
		}
		if last = c.run(bin, data, cred); last == nil {
			return nil
		}
	}
	return last
}

func (c *Cluster) run(bin, data string, cred *syscall.Credential) error {
	logf, err := os.Create(filepath.Join(c.dir, "postgres.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	args := []string{"-D", data, "-p", strconv.Itoa(c.port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"}
	if !c.durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off",
			"-c", "full_page_writes=off", "-c", "shared_buffers=32MB")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.AdminURL())
		if err == nil {
			_ = conn.Close(ctx)
			c.cmd, c.done = cmd, done
			return nil
		}
		select {
		case werr := <-done:
			log, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
			return fmt.Errorf("postgres exited (%v): %s", werr, tail(string(log)))
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("postgres not accepting connections within 30s: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// AdminURL connects as the superuser to the postgres database.
func (c *Cluster) AdminURL() string { return c.URL("postgres") }

// URL connects as the superuser (postgres, with the cluster's password) to db.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", c.password, c.port, db)
}

// Port is the server's port on 127.0.0.1.
func (c *Cluster) Port() int { return c.port }

// Password is the superuser's password (tests check it is never logged).
func (c *Cluster) Password() string { return c.password }

// CreateDatabase makes an empty database, or a copy of template when it is
// not "", and returns its name and URL.
func (c *Cluster) CreateDatabase(ctx context.Context, template string) (name, url string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	name = fmt.Sprintf("t%d", c.n)
	conn, err := pgx.Connect(ctx, c.AdminURL())
	if err != nil {
		return "", "", err
	}
	defer conn.Close(ctx)
	q := "CREATE DATABASE " + name
	if template != "" {
		q += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	if _, err := conn.Exec(ctx, q); err != nil {
		return "", "", fmt.Errorf("%s: %w", q, err)
	}
	return name, c.URL(name), nil
}

// CreateSchema makes an empty schema in the database "tests" (made on
// first use) and returns a URL whose search_path is that schema: a
// database of its own for one test, in milliseconds where CREATE DATABASE
// takes half a second.
func (c *Cluster) CreateSchema(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.testsDB {
		conn, err := pgx.Connect(ctx, c.AdminURL())
		if err != nil {
			return "", err
		}
		_, err = conn.Exec(ctx, "CREATE DATABASE tests")
		_ = conn.Close(ctx)
		if err != nil {
			return "", err
		}
		c.testsDB = true
	}
	c.n++
	name := fmt.Sprintf("s%d", c.n)
	conn, err := pgx.Connect(ctx, c.URL("tests"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", err
	}
	return c.URL("tests") + "&search_path=" + name, nil
}

// Stop shuts the server down (fast shutdown, then kill) and removes its
// directory.
func (c *Cluster) Stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	}
	_ = os.RemoveAll(c.dir)
}

// credential is whom initdb and postgres run as: nil when not root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root and neither the postgres nor the nobody user exists to run PostgreSQL as")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return strings.Join(lines, "\n")
}
