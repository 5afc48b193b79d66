package packaging

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
)

// ociArchive builds the image for amd64 and armv7 (the builds the other
// tests share; make dist ships amd64 and arm64).
func ociArchive(t *testing.T) []byte {
	t.Helper()
	var ps []OCIPlatform
	for _, arch := range []string{"amd64", "armv7"} {
		tg, _ := Find("vantage-agent", arch)
		ps = append(ps, OCIPlatform{Target: tg, Binary: readFile(t, built(t, "vantage-agent", arch))})
	}
	var buf bytes.Buffer
	err := WriteOCI(&buf, OCIOptions{Version: "v1.2.3", Created: time.Unix(1700000000, 0), CACerts: []byte("-----BEGIN CERTIFICATE-----\n")}, ps)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestOCILayout checks the archive against the image-spec by hand: every
// blob is named by its sha256 and every descriptor's digest and size match
// it, the index names the multi-arch index and each platform's manifest,
// the config runs the agent as the unprivileged OCIUser, the diff_id is the
// uncompressed layer's digest, and the layer holds the agent with the file
// capability cap_net_raw+ep and a state folder owned by the user.
func TestOCILayout(t *testing.T) {
	files := map[string][]byte{}
	for name, f := range untarPlain(t, ociArchive(t)) {
		files[name] = f.data
	}
	if string(files["oci-layout"]) != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %q", files["oci-layout"])
	}
	blob := func(d ociDescriptor) []byte {
		t.Helper()
		b, ok := files["blobs/sha256/"+strings.TrimPrefix(d.Digest, "sha256:")]
		if !ok {
			t.Fatalf("blob %s missing", d.Digest)
		}
		sum := sha256.Sum256(b)
		if "sha256:"+hex.EncodeToString(sum[:]) != d.Digest || int64(len(b)) != d.Size {
			t.Fatalf("blob %s: content digest or size (%d, descriptor %d) does not match", d.Digest, len(b), d.Size)
		}
		return b
	}
	var index ociIndexJSON
	mustJSON(t, files["index.json"], &index)
	refs := map[string]ociDescriptor{}
	for _, d := range index.Manifests {
		refs[d.Annotations[ociRefName]] = d
	}
	if len(refs) != 3 || refs["v1.2.3"].MediaType != ociIndex {
		t.Fatalf("index.json refs: %v", refs)
	}
	var nested ociIndexJSON
	mustJSON(t, blob(refs["v1.2.3"]), &nested)
	plats := map[string]ociDescriptor{}
	for _, m := range nested.Manifests {
		plats[m.Platform.Architecture+"/"+m.Platform.Variant] = m
	}
	if len(plats) != 2 || plats["amd64/"].Digest != refs["v1.2.3-amd64"].Digest || plats["arm/v7"].Digest != refs["v1.2.3-armv7"].Digest {
		t.Fatalf("platforms %v, refs %v", plats, refs)
	}

	var man ociManifestJSON
	mustJSON(t, blob(plats["amd64/"]), &man)
	var cfg ociImageConfig
	mustJSON(t, blob(man.Config), &cfg)
	user := fmt.Sprintf("%d:%d", OCIUser, OCIUser)
	if cfg.Architecture != "amd64" || cfg.OS != "linux" || cfg.Config.User != user ||
		strings.Join(cfg.Config.Entrypoint, " ") != "/usr/bin/vantage-agent" || cfg.Config.WorkingDir != "/var/lib/vantage-agent" {
		t.Errorf("config: %+v", cfg)
	}
	if len(man.Layers) != 1 || man.Layers[0].MediaType != ociLayer {
		t.Fatalf("layers: %+v", man.Layers)
	}
	gz := blob(man.Layers[0])
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got := "sha256:" + hex.EncodeToString(sum[:]); len(cfg.RootFS.DiffIDs) != 1 || cfg.RootFS.DiffIDs[0] != got {
		t.Errorf("diff_ids %v, uncompressed layer %s", cfg.RootFS.DiffIDs, got)
	}
	layer := untarPlain(t, raw)
	agent := layer["usr/bin/vantage-agent"]
	if agent.mode != 0o755 || !bytes.Equal(agent.data, readFile(t, built(t, "vantage-agent", "amd64"))) {
		t.Errorf("usr/bin/vantage-agent: mode %o, %d bytes, not the amd64 build", agent.mode, len(agent.data))
	}
	if got := agent.pax["SCHILY.xattr.security.capability"]; got != string(netRawFileCap()) {
		t.Errorf("agent's file capability xattr %x, want cap_net_raw+ep %x", got, netRawFileCap())
	}
	if st := layer["var/lib/vantage-agent/"]; st.mode != 0o700 || st.uid != OCIUser {
		t.Errorf("var/lib/vantage-agent/: mode %o uid %d", st.mode, st.uid)
	}
	if _, ok := layer["etc/ssl/certs/ca-certificates.crt"]; !ok {
		t.Error("no CA bundle in the layer")
	}
}

// TestOCIImageRuns unpacks the amd64 image with umoci (an OCI tool, not
// ours) and starts its agent the way `docker run --user 10001 --cap-drop
// ALL --cap-add NET_RAW` does — unprivileged uid, bounding set CAP_NET_RAW,
// no ambient capabilities — so CAP_NET_RAW comes from the image's file
// capability alone; the agent must hold it and nothing else, and ping.
func TestOCIImageRuns(t *testing.T) {
	lab.NeedRoot(t)
	umoci := lab.NeedBinary(t, "umoci", "umoci")
	setpriv := lab.NeedBinary(t, "setpriv", "util-linux")
	dir := t.TempDir()
	for name, f := range untarPlain(t, ociArchive(t)) {
		p := filepath.Join(dir, "layout", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bundle := filepath.Join(dir, "bundle")
	lab.Run(t, umoci, "unpack", "--image", filepath.Join(dir, "layout")+":v1.2.3-amd64", bundle)

	var spec struct {
		Process struct {
			User struct{ UID, GID int }
			Args []string
		}
	}
	mustJSON(t, readFile(t, filepath.Join(bundle, "config.json")), &spec)
	if spec.Process.User.UID != OCIUser || spec.Process.User.GID != OCIUser ||
		strings.Join(spec.Process.Args, " ") != "/usr/bin/vantage-agent --config /etc/vantage/agent.yaml" {
		t.Errorf("runtime spec process: %+v", spec.Process)
	}
	bin := filepath.Join(bundle, "rootfs/usr/bin/vantage-agent")
	buf := make([]byte, 64)
	n, err := syscall.Getxattr(bin, "security.capability", buf)
	if err != nil || !bytes.Equal(buf[:n], netRawFileCap()) {
		t.Fatalf("unpacked agent's file capability: %x, %v", buf[:n], err)
	}

	args := []string{"--reuid", fmt.Sprint(OCIUser), "--regid", fmt.Sprint(OCIUser), "--clear-groups",
		"--inh-caps", "-all", "--ambient-caps", "-all", "--bounding-set", "-all,+net_raw"}
	status := pingAs(t, OCIUser, setpriv, args, bin)
	checkCaps(t, status, capMask(t, []string{"CAP_NET_RAW"}), "0000000000000000", OCIUser)
}

type plainFile struct {
	mode int64
	uid  int
	data []byte
	pax  map[string]string
}

// untarPlain reads an uncompressed tar.
func untarPlain(t *testing.T, b []byte) map[string]plainFile {
	t.Helper()
	tr := tarReader(b)
	out := map[string]plainFile{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = plainFile{mode: h.Mode & 0o7777, uid: h.Uid, data: data, pax: h.PAXRecords}
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}
