package packaging

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"time"
)

// OCI media types (image-spec v1.1).
const (
	ociIndex    = "application/vnd.oci.image.index.v1+json"
	ociManifest = "application/vnd.oci.image.manifest.v1+json"
	ociConfig   = "application/vnd.oci.image.config.v1+json"
	ociLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
	ociRefName  = "org.opencontainers.image.ref.name"
)

// OCIUser is the agent's uid and gid in the image: no name lookups happen,
// any unprivileged id would do.
const OCIUser = 10001

// OCIPlatform is one image of the multi-arch index: the agent built for it.
type OCIPlatform struct {
	// Target is the agent target (its GOARCH and GOARM give the platform).
	Target Target
	// Binary is the built agent.
	Binary []byte
}

// OCIOptions describe the image.
type OCIOptions struct {
	// Version is the image's version label and the index's tag.
	Version string
	// Created is the image's creation time; every file carries it too, so
	// the same inputs give the same digests.
	Created time.Time
	// CACerts is a PEM bundle installed as /etc/ssl/certs/ca-certificates.crt
	// (the http and tls probes verify against it; an image from scratch
	// has none).
	CACerts []byte
}

// WriteOCI writes an OCI image layout (oci-layout, index.json, blobs/) as a
// tar archive to w: one image per platform, each a single layer holding
// the agent with the file capability cap_net_raw+ep, the CA bundle, and
// /etc/vantage and /var/lib/vantage-agent. The image runs as OCIUser; with
// `--cap-drop ALL --cap-add NET_RAW` the agent holds CAP_NET_RAW alone.
// podman load, skopeo (oci-archive:) and Docker 25+ read it; no daemon is
// needed to make it.
func WriteOCI(w io.Writer, o OCIOptions, platforms []OCIPlatform) error {
	out := &ociWriter{tw: tar.NewWriter(w), mtime: o.Created, seen: map[string]bool{}}
	var manifests []ociDescriptor
	for _, p := range platforms {
		layer, diffID, err := agentLayer(p.Binary, o.CACerts, o.Created)
		if err != nil {
			return err
		}
		layerDesc := out.blob(ociLayer, layer)
		cfg, err := json.Marshal(ociImageConfig{
			Created: o.Created.UTC().Format(time.RFC3339), Architecture: p.Target.GOARCH, OS: "linux",
			Variant: ociVariant(p.Target),
			Config: ociRunConfig{
				User:       fmt.Sprintf("%d:%d", OCIUser, OCIUser),
				Entrypoint: []string{"/usr/bin/vantage-agent"},
				Cmd:        []string{"--config", "/etc/vantage/agent.yaml"},
				WorkingDir: "/var/lib/vantage-agent",
				Volumes:    map[string]struct{}{"/var/lib/vantage-agent": {}},
				Labels: map[string]string{
					"org.opencontainers.image.title":   "vantage-agent",
					"org.opencontainers.image.version": o.Version,
					"org.opencontainers.image.source":  "https://github.com/vantage-net/vantage",
				},
			},
			RootFS: ociRootFS{Type: "layers", DiffIDs: []string{diffID}},
		})
		if err != nil {
			return err
		}
		cfgDesc := out.blob(ociConfig, cfg)
		man, err := json.Marshal(ociManifestJSON{SchemaVersion: 2, MediaType: ociManifest, Config: cfgDesc, Layers: []ociDescriptor{layerDesc}})
		if err != nil {
			return err
		}
		d := out.blob(ociManifest, man)
		d.Platform = &ociPlatformJSON{Architecture: p.Target.GOARCH, OS: "linux", Variant: ociVariant(p.Target)}
		manifests = append(manifests, d)
	}
	// index.json names the multi-arch index "<version>" (podman, skopeo
	// and Docker pick the platform) and each platform's manifest
	// "<version>-<arch>" for tools that take one image (umoci).
	nested, err := json.Marshal(ociIndexJSON{SchemaVersion: 2, MediaType: ociIndex, Manifests: manifests})
	if err != nil {
		return err
	}
	top := out.blob(ociIndex, nested)
	top.Annotations = map[string]string{ociRefName: o.Version}
	refs := []ociDescriptor{top}
	for i, m := range manifests {
		m.Annotations = map[string]string{ociRefName: o.Version + "-" + platforms[i].Target.Arch}
		refs = append(refs, m)
	}
	index, err := json.Marshal(ociIndexJSON{SchemaVersion: 2, MediaType: ociIndex, Manifests: refs})
	if err != nil {
		return err
	}
	out.file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	out.file("index.json", index)
	if out.err != nil {
		return out.err
	}
	return out.tw.Close()
}

func ociVariant(t Target) string {
	switch {
	case t.GOARCH == "arm64":
		return "v8"
	case t.GOARCH == "arm":
		return "v" + t.GOARM
	}
	return ""
}

// agentLayer is the gzip tar of the image's files and the sha256 of the
// uncompressed tar (the config's diff_id).
func agentLayer(bin, caCerts []byte, mtime time.Time) (layer []byte, diffID string, err error) {
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	dirs := []struct {
		name     string
		mode     int64
		uid, gid int
	}{
		{"etc/", 0o755, 0, 0}, {"etc/ssl/", 0o755, 0, 0}, {"etc/ssl/certs/", 0o755, 0, 0},
		{"etc/vantage/", 0o755, 0, 0}, {"usr/", 0o755, 0, 0}, {"usr/bin/", 0o755, 0, 0},
		{"var/", 0o755, 0, 0}, {"var/lib/", 0o755, 0, 0},
		{"var/lib/vantage-agent/", 0o700, OCIUser, OCIUser},
		{"tmp/", 0o1777, 0, 0},
	}
	for _, d := range dirs {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d.name, Mode: d.mode, Uid: d.uid, Gid: d.gid, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
			return nil, "", err
		}
	}
	files := []struct {
		name string
		mode int64
		data []byte
		pax  map[string]string
	}{
		{"etc/ssl/certs/ca-certificates.crt", 0o644, caCerts, nil},
		// File capability: the kernel grants CAP_NET_RAW when the
		// unprivileged user execs it, if the container's bounding set
		// holds it (--cap-add NET_RAW, or Docker's default set).
		{"usr/bin/vantage-agent", 0o755, bin, map[string]string{"SCHILY.xattr.security.capability": string(netRawFileCap())}},
	}
	for _, f := range files {
		h := &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: mtime, PAXRecords: f.pax, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return nil, "", err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, "", err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(raw.Bytes())
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, "", err
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return gz.Bytes(), "sha256:" + hex.EncodeToString(sum[:]), nil
}

// netRawFileCap is the security.capability xattr value for cap_net_raw+ep
// (struct vfs_cap_data, revision 2, little-endian).
func netRawFileCap() []byte {
	const (
		revision2 = 0x02000000
		effective = 0x000001
		capNetRaw = 13
	)
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b[0:], revision2|effective)
	binary.LittleEndian.PutUint32(b[4:], 1<<capNetRaw) // permitted, caps 0-31
	// inheritable 0-31, permitted 32-63, inheritable 32-63: none.
	return b
}

// ociWriter writes the layout's files into the outer tar, each blob once.
type ociWriter struct {
	tw    *tar.Writer
	mtime time.Time
	seen  map[string]bool
	err   error
}

func (w *ociWriter) blob(mediaType string, data []byte) ociDescriptor {
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	if !w.seen[hexSum] {
		w.seen[hexSum] = true
		w.file(path.Join("blobs", "sha256", hexSum), data)
	}
	return ociDescriptor{MediaType: mediaType, Digest: "sha256:" + hexSum, Size: int64(len(data))}
}

func (w *ociWriter) file(name string, data []byte) {
	if w.err != nil {
		return
	}
	if w.err = w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: w.mtime}); w.err != nil {
		return
	}
	_, w.err = w.tw.Write(data)
}

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *ociPlatformJSON  `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type ociPlatformJSON struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Variant      string `json:"variant,omitempty"`
}

type ociIndexJSON struct {
	SchemaVersion int             `json:"schemaVersion"`
	MediaType     string          `json:"mediaType"`
	Manifests     []ociDescriptor `json:"manifests"`
}

type ociManifestJSON struct {
	SchemaVersion int             `json:"schemaVersion"`
	MediaType     string          `json:"mediaType"`
	Config        ociDescriptor   `json:"config"`
	Layers        []ociDescriptor `json:"layers"`
}

type ociImageConfig struct {
	Created      string       `json:"created"`
	Architecture string       `json:"architecture"`
	OS           string       `json:"os"`
	Variant      string       `json:"variant,omitempty"`
	Config       ociRunConfig `json:"config"`
	RootFS       ociRootFS    `json:"rootfs"`
}

type ociRunConfig struct {
	User       string              `json:"User"`
	Entrypoint []string            `json:"Entrypoint"`
	Cmd        []string            `json:"Cmd"`
	WorkingDir string              `json:"WorkingDir"`
	Volumes    map[string]struct{} `json:"Volumes"`
	Labels     map[string]string   `json:"Labels"`
}

type ociRootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}
