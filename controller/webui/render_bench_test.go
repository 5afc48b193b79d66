package webui

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/linehealth"
)

// BenchmarkOverviewRender5000Down renders the overview's page with all
// 5,000 lines down, each a table row: the template's worst case, apart
// from reading the lines (TestWebUIOverview5000Lines measures the whole
// page in Chromium).
//
//	go test -run '^$' -bench OverviewRender5000Down -benchtime 20x ./controller/webui/
func BenchmarkOverviewRender5000Down(b *testing.B) {
	u, err := New(Options{API: http.NotFoundHandler()}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	d := &overviewData{Updated: now, Total: 5000}
	for i := range 5000 {
		d.Down = append(d.Down, linehealth.LineView{ID: fmt.Sprintf("L%05d", i), Customer: fmt.Sprintf("C%03d", i%250),
			Tier: "gold", State: "down", Since: now.Add(-time.Duration(i) * time.Second), Availability24h: 99.5})
	}
	v := &view{L: messages["zh-CN"], Lang: "zh-CN", Loc: time.UTC, Title: "总览", Data: d, Path: "/ui/"}
	size := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		u.render(w, http.StatusOK, "overview", v)
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB/page")
}
