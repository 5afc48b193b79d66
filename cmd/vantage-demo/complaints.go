package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// complaintsMapping is the README's mapping file (complaints_test.go keeps
// them equal).
//
//go:embed complaints-mapping.yaml
var complaintsMapping []byte

// complaintsExport is a call centre's export as the demo writes it: GBK,
// Chinese headers and categories, dates in three formats, naive Beijing
// times, a quoted text with a comma and a line break. Times are relative
// to now so the repeats fall in the last 30 days: four weak-signal calls
// from the compound by the railway station hotspot (H-STATION) make its
// grid cell a repeat place; the others name customers by phone, circuit
// and customer id, so their verdicts follow the demo's simulated trouble.
func complaintsExport(now time.Time) string {
	sh := time.FixedZone("CST", 8*3600)
	at := func(ago time.Duration, layout string) string { return now.Add(-ago).In(sh).Format(layout) }
	const (
		iso = "2006-01-02 15:04:05"
		sl  = "2006/1/2 15:04"
		cn  = "2006年1月2日 15:04"
	)
	rows := []string{
		"工单编号,受理时间,结单时间,客户编号,联系电话,电路编号,客户名称,地址,经度,纬度,投诉类别,投诉内容",
		"TS-1001," + at(2*time.Minute, iso) + ",,,+86 138-0000-0101,,海港物流集团,,,,断网,\"仓库专线断了, 刚恢复\n请查原因\"",
		"TS-1002," + at(3*time.Hour, sl) + ",,,,DL-0103,,,,,网速慢,交易大厅网速慢",
		"TS-1003," + at(time.Hour, cn) + ",,C300,,,北门医院,,,,无法上网,",
		"TS-1004," + at(20*24*time.Hour, cn) + ",,,,,,东站花园小区,121.4557,31.2497,信号差,室内没信号",
		"TS-1005," + at(12*24*time.Hour, iso) + ",,,,,,东站花园小区,121.4556,31.2498,信号弱,",
		"TS-1006," + at(5*24*time.Hour, sl) + ",,,,,,东站花园小区,121.4557,31.2497,信号差,又没信号",
		"TS-1007," + at(26*time.Hour, cn) + ",,,,,,东站花园小区,121.4558,31.2496,信号差,\"第四次投诉, 请派人\"",
	}
	return strings.Join(rows, "\n") + "\n"
}

// importComplaints writes the export (GBK) and the mapping, and imports
// them with the CLI an operator uses; it returns the import's summary.
func (d *demo) importComplaints(ctx context.Context, ctrlCfg string) (string, error) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(complaintsExport(time.Now())))
	if err != nil {
		return "", err
	}
	export := filepath.Join(d.dir, "complaints-gbk.csv")
	mapping := filepath.Join(d.dir, "complaints-mapping.yaml")
	if err := os.WriteFile(export, gbk, 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(mapping, complaintsMapping, 0o600); err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, filepath.Join(d.bin, "vantage-controller"), "complaints", "import",
		"--config", ctrlCfg, "--map", mapping, export).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("complaints import: %v: %s", err, out)
	}
	return strings.TrimSpace(string(out)), nil
}
