package report

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/vantage-net/vantage/internal/serve"
)

// HTTPOptions configure the reports API.
type HTTPOptions struct {
	// Scope gives the customers the request's principal sees (all: every
	// customer); nil sees all (API auth off).
	Scope func(r *http.Request) (ids []string, all bool)
	// Languages by account manager (config report.languages).
	Languages map[string]string
	Fonts     Fonts
}

type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// Register adds GET /api/v1/reports/customers/{id}?period=week|month&from=&to=&format=&lang=
// (format default json; dates as the CLI takes them). A customer the
// principal does not see is 404, as an unknown one.
func Register(mux *http.ServeMux, b *Builder, log *slog.Logger, o HTTPOptions) {
	_ = o.Fonts.Load() // once; a missing font is the PDF's error, at render
	mux.HandleFunc("GET /api/v1/reports/customers/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if o.Scope != nil {
			if ids, all := o.Scope(r); !all && !slices.Contains(ids, id) {
				serve.JSON(w, http.StatusNotFound, apiError{Error: "no such customer"})
				return
			}
		}
		q := r.URL.Query()
		format := q.Get("format")
		if format == "" {
			format = "json"
		}
		if !slices.Contains(Formats, format) {
			serve.JSON(w, http.StatusBadRequest, apiError{"format must be one of html, pdf, csv, json", "format"})
			return
		}
		period := q.Get("period")
		if period == "" && q.Get("from") == "" && q.Get("to") == "" {
			period = "week"
		}
		from, to, err := Period(period, q.Get("from"), q.Get("to"), b.o.Location, b.o.Now())
		if err != nil {
			serve.JSON(w, http.StatusBadRequest, apiError{err.Error(), "period"})
			return
		}
		if to.Sub(from) > 400*24*time.Hour {
			serve.JSON(w, http.StatusBadRequest, apiError{"period longer than 400 days", "to"})
			return
		}
		lang := q.Get("lang")
		if lang == "" {
			lang = o.Languages[b.manager(r.Context(), id)]
		}
		rep, err := b.Customer(r.Context(), id, from, to, lang)
		if errors.Is(err, ErrNotFound) {
			serve.JSON(w, http.StatusNotFound, apiError{Error: "no such customer"})
			return
		}
		var buf bytes.Buffer
		if err == nil {
			err = Render(&buf, rep, format, b.o.Location, o.Fonts)
		}
		if err != nil {
			log.Error("report", "customer", id, "err", err)
			serve.JSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
			return
		}
		w.Header().Set("Content-Type", ContentType(format))
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		if format != "json" && format != "html" {
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, FileName(rep, format)))
		}
		w.Write(buf.Bytes())
	})
}

// FileName is a report's file name: customer and period start.
func FileName(r *Report, format string) string {
	return fmt.Sprintf("report-%s-%s.%s", r.Customer.ID, r.From.In(locOf(r)).Format("2006-01-02"), format)
}

func locOf(r *Report) *time.Location {
	loc, err := time.LoadLocation(r.Zone)
	if err != nil {
		return time.UTC
	}
	return loc
}
