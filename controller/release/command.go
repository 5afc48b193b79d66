package release

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vantage-net/vantage/internal/releasesig"
)

// Usage is the release subcommand's help.
const Usage = `Usage: vantage-controller release keygen --out signing.key
       vantage-controller release sign --os linux --arch ARCH --version V --key signing.key BINARY
       vantage-controller release add --os linux --arch ARCH --version V (--key signing.key | --sig FILE) [--dir DIR --public-key PUB | --config FILE] BINARY
       vantage-controller release list [--dir DIR --public-key PUB | --config FILE]

keygen writes signing.key (0600, keep it offline) and signing.key.pub (the
line agents pin as update.public_key). sign prints a signature, for signing
on another machine; add stores a release after verifying its signature.
`

// Command runs `vantage-controller release ...`. storeFor opens the store
// named by the flags (dir, public key) or the controller config.
func Command(args []string, out, errOut io.Writer, storeFor func(dir, pub, cfg string) (*Store, error)) error {
	if len(args) == 0 {
		return fmt.Errorf("want keygen, sign, add or list\n%s", strings.TrimSpace(Usage))
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(out, Usage)
		return nil
	}
	fs := flag.NewFlagSet("release "+args[0], flag.ContinueOnError)
	fs.SetOutput(errOut)
	var m releasesig.Meta
	fs.StringVar(&m.OS, "os", "linux", "target OS")
	fs.StringVar(&m.Arch, "arch", "", "target architecture as make dist names it (amd64, arm64, armv7, armv6, mipsle, mips)")
	fs.StringVar(&m.Version, "version", "", "the version the binary reports (its buildinfo.Version)")
	keyFile := fs.String("key", "", "private signing key file")
	sigFile := fs.String("sig", "", "signature file made by `release sign`")
	outFile := fs.String("out", "signing.key", "keygen: private key file to write")
	dir := fs.String("dir", "", "release directory (default: the config's releases.dir)")
	pub := fs.String("public-key", "", "public key verifying releases (default: the config's releases.public_key)")
	cfg := fs.String("config", "controller.yaml", "controller configuration file")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "keygen":
		return keygen(*outFile, out)
	case "sign":
		if fs.NArg() != 1 || *keyFile == "" {
			return errors.New("sign: want --key and one BINARY")
		}
		sig, err := signFile(fs.Arg(0), m, *keyFile)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, sig)
		return nil
	case "add":
		if fs.NArg() != 1 || (*keyFile == "") == (*sigFile == "") {
			return errors.New("add: want one BINARY and either --key or --sig")
		}
		s, err := storeFor(*dir, *pub, *cfg)
		if err != nil {
			return err
		}
		var sig string
		if *keyFile != "" {
			sig, err = signFile(fs.Arg(0), m, *keyFile)
		} else {
			var b []byte
			b, err = os.ReadFile(*sigFile)
			sig = strings.TrimSpace(string(b))
		}
		if err != nil {
			return err
		}
		r, err := s.Add(fs.Arg(0), m, sig)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "added %s/%s %s (%d bytes, sha256 %s)\n", r.OS, r.Arch, r.Version, r.Size, r.SHA256)
		return nil
	case "list":
		s, err := storeFor(*dir, *pub, *cfg)
		if err != nil {
			return err
		}
		rs, err := s.List()
		for _, r := range rs {
			fmt.Fprintf(out, "%s\t%s\t%s\t%d\t%s\n", r.OS, r.Arch, r.Version, r.Size, r.SHA256)
		}
		return err
	}
	return fmt.Errorf("unknown release command %q\n%s", args[0], Usage)
}

func keygen(path string, out io.Writer) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("--out: %w (an existing key is never overwritten)", err)
	}
	if _, err := io.WriteString(f, releasesig.EncodePrivateKey(priv)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	line := releasesig.EncodePublicKey(pub)
	if err := os.WriteFile(path+".pub", []byte(line+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s (private, keep offline) and %s.pub\npublic key (agents' update.public_key, controller's releases.public_key):\n%s\n", path, path, line)
	return nil
}

func signFile(bin string, m releasesig.Meta, keyFile string) (string, error) {
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return "", fmt.Errorf("--key: %w", err)
	}
	key, err := releasesig.ParsePrivateKey(string(kb))
	if err != nil {
		return "", fmt.Errorf("--key %s: %w", keyFile, err)
	}
	f, err := os.Open(bin)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if m.SHA256, m.Size, err = releasesig.Digest(f, MaxBinaryBytes); err != nil {
		return "", fmt.Errorf("%s: %w", bin, err)
	}
	return releasesig.Sign(key, m)
}
