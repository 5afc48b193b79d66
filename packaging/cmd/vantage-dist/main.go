// Command vantage-dist cross-builds the Vantage binaries, checks them against
// packaging/size-budget.txt and makes the .deb/.rpm/.ipk packages: the
// engine behind `make dist` and `make size-check`.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-net/vantage/packaging"
)

func main() { os.Exit(run()) }

func run() int {
	fs := flag.NewFlagSet("vantage-dist", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: vantage-dist [flags] build|size-check|packages|oci|all

  build       cross-build every target into OUT/bin (static, stripped, stamped)
  size-check  build, then compare each binary with packaging/size-budget.txt
  packages    build, then make the .deb, .rpm and .ipk packages in OUT/packages
  oci         build, then the agent's OCI image (amd64, arm64) as OUT/oci/vantage-agent_VERSION.oci.tar
  all         size-check, packages and oci, and OUT/SHA256SUMS

Flags:
`)
		fs.PrintDefaults()
	}
	root := fs.String("root", ".", "module root")
	out := fs.String("out", "dist", "output folder")
	version := fs.String("version", "", "version to stamp (default: git describe --tags --always --dirty)")
	only := fs.String("only", "", "comma-separated binary/arch targets to build (default: all), e.g. vantage-agent/mipsle")
	tools := fs.String("tools", ".tools/bin", "where the pinned nfpm is installed")
	caCerts := fs.String("ca-certs", "/etc/ssl/certs/ca-certificates.crt", "PEM bundle the OCI image carries for the http and tls probes")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := dist(ctx, fs.Arg(0), *root, *out, *version, *only, *tools, *caCerts); err != nil {
		fmt.Fprintf(os.Stderr, "vantage-dist: %v\n", err)
		return 1
	}
	return 0
}

func dist(ctx context.Context, verb, root, out, version, only, tools, caCerts string) error {
	switch verb {
	case "build", "size-check", "packages", "oci", "all":
	default:
		return fmt.Errorf("unknown command %q (build, size-check, packages, oci, all)", verb)
	}
	targets, err := selectTargets(only)
	if err != nil {
		return err
	}
	if version == "" {
		version = gitVersion(root)
	}
	version = packaging.PackageVersion(version)
	bins, err := build(ctx, root, out, version, targets)
	if err != nil {
		return err
	}
	if verb == "size-check" || verb == "all" {
		if err := sizeCheck(root, targets, bins); err != nil {
			return err
		}
	}
	if verb == "packages" || verb == "all" {
		if err := packages(ctx, root, out, tools, version, targets, bins); err != nil {
			return err
		}
	}
	if verb == "oci" || verb == "all" {
		if err := ociImage(root, out, version, caCerts, targets, bins); err != nil {
			return err
		}
	}
	if verb == "all" {
		return checksums(out)
	}
	return nil
}

func selectTargets(only string) ([]packaging.Target, error) {
	if only == "" {
		return packaging.Targets(), nil
	}
	var ts []packaging.Target
	for _, s := range strings.Split(only, ",") {
		bin, arch, _ := strings.Cut(strings.TrimSpace(s), "/")
		t, err := packaging.Find(bin, arch)
		if err != nil {
			return nil, fmt.Errorf("-only: %w", err)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func gitVersion(root string) string {
	cmd := exec.Command("git", "describe", "--tags", "--always", "--dirty")
	cmd.Dir = root
	b, err := cmd.Output()
	if err != nil {
		return "dev"
	}
	return strings.TrimSpace(string(b))
}

func build(ctx context.Context, root, out, version string, targets []packaging.Target) (map[string]string, error) {
	bins := map[string]string{}
	o := packaging.BuildOptions{Root: root, OutDir: filepath.Join(out, "bin"), Version: version}
	fmt.Printf("%-32s %12s\n", "binary (stripped, "+version+")", "bytes")
	for _, t := range targets {
		p, err := packaging.Build(ctx, o, t)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		fmt.Printf("%-32s %12d  %5.2f MiB\n", t.Name(), st.Size(), float64(st.Size())/(1<<20))
		bins[t.Name()] = p
	}
	return bins, nil
}

func sizeCheck(root string, targets []packaging.Target, bins map[string]string) error {
	b, err := packaging.LoadBudget(filepath.Join(root, "packaging", "size-budget.txt"))
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range targets {
		if _, err := b.Check(t, bins[t.Name()]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("size budget exceeded (packaging/size-budget.txt):\n%w", err)
	}
	fmt.Println("size-check: every binary is within packaging/size-budget.txt")
	return nil
}

func packages(ctx context.Context, root, out, tools, version string, targets []packaging.Target, bins map[string]string) error {
	nfpm, err := packaging.InstallNFPM(ctx, "", filepath.Join(root, tools))
	if err != nil {
		return err
	}
	o := packaging.PackageOptions{NFPM: nfpm, Dir: filepath.Join(root, "packaging"), OutDir: filepath.Join(out, "packages"), Version: version}
	for _, t := range targets {
		for _, f := range packaging.Formats {
			if !t.Wants(f) {
				continue
			}
			p, err := packaging.Package(ctx, o, t, f, bins[t.Name()])
			if err != nil {
				return err
			}
			fmt.Println(p)
		}
	}
	return nil
}

// checksums writes OUT/SHA256SUMS over every binary and package, in the
// format `sha256sum -c` reads.
func checksums(out string) error {
	var files []string
	for _, sub := range []string{"bin", "packages", "oci"} {
		m, _ := filepath.Glob(filepath.Join(out, sub, "*"))
		files = append(files, m...)
	}
	sort.Strings(files)
	var b strings.Builder
	for _, f := range files {
		h := sha256.New()
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, f)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), rel)
	}
	return os.WriteFile(filepath.Join(out, "SHA256SUMS"), []byte(b.String()), 0o644)
}

// ociImage writes the agent's amd64 and arm64 image (those of them among
// targets) as one multi-arch OCI archive. Files carry the commit's time, so
// a rebuild of the same commit gives the same digests.
func ociImage(root, out, version, caCerts string, targets []packaging.Target, bins map[string]string) error {
	ca, err := os.ReadFile(caCerts)
	if err != nil {
		return fmt.Errorf("-ca-certs: %w (apt-get install ca-certificates)", err)
	}
	var ps []packaging.OCIPlatform
	for _, t := range targets {
		if t.Binary != "vantage-agent" || (t.Arch != "amd64" && t.Arch != "arm64") {
			continue
		}
		b, err := os.ReadFile(bins[t.Name()])
		if err != nil {
			return err
		}
		ps = append(ps, packaging.OCIPlatform{Target: t, Binary: b})
	}
	if len(ps) == 0 {
		return errors.New("oci: no vantage-agent amd64 or arm64 among the targets")
	}
	if err := os.MkdirAll(filepath.Join(out, "oci"), 0o755); err != nil {
		return err
	}
	p := filepath.Join(out, "oci", "vantage-agent_"+version+".oci.tar")
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	err = packaging.WriteOCI(f, packaging.OCIOptions{Version: version, Created: commitTime(root), CACerts: ca}, ps)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("oci: %w", err)
	}
	fmt.Println(p)
	return nil
}

// commitTime is HEAD's commit time, or now outside a git checkout.
func commitTime(root string) time.Time {
	cmd := exec.Command("git", "log", "-1", "--format=%ct")
	cmd.Dir = root
	b, err := cmd.Output()
	if err != nil {
		return time.Now().UTC().Truncate(time.Second)
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return time.Now().UTC().Truncate(time.Second)
	}
	return time.Unix(sec, 0).UTC()
}
