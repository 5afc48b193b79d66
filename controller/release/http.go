package release

import (
	"errors"
	"net/http"
	"time"
)

// Handler serves GET /releases/{os}/{arch}/{version}: the binary, read-only.
// No token is needed (binaries are not secret; agents trust the signature),
// names that are not release names are 404 (Get), and a binary whose size
// on disk is not the signed size is not served.
func (s *Store) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /releases/{os}/{arch}/{version}", func(w http.ResponseWriter, r *http.Request) {
		rel, err := s.Get(r.PathValue("os"), r.PathValue("arch"), r.PathValue("version"))
		if errors.Is(err, ErrNotFound) {
			http.Error(w, "release not found", http.StatusNotFound)
			return
		} else if err != nil {
			http.Error(w, "release unavailable", http.StatusInternalServerError)
			return
		}
		f, err := s.Open(rel)
		if err != nil {
			http.Error(w, "release unavailable", http.StatusInternalServerError)
			return
		}
		defer f.Close()
		if fi, err := f.Stat(); err != nil || fi.Size() != rel.Size {
			http.Error(w, "release damaged on disk", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(w, r, "", time.Time{}, f)
	})
	return mux
}
