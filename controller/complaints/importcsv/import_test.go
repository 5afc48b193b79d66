package importcsv

import (
	"context"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone test runs on a machine without /usr/share/zoneinfo too

	"github.com/vantage-net/vantage/controller/complaints"
)

// A GB18030 export with Chinese headers and categories, its dates in three
// formats (with and without seconds, 年月日), naive in Asia/Shanghai, and a
// quoted free text with a comma and a newline: detected, mapped, stored.
func TestImportGB18030ChineseHeaders(t *testing.T) {
	s, _ := newStore(t)
	text := chineseHeader +
		"TS-001,2026-11-20 08:00:00,,C100,13800138000,,张三,上海市徐汇区,121.47,31.23,断网,\"断了两次, 早上\n又断\"\n" +
		"TS-002,2026/11/20 09:05,2026/11/21 10:00,,,L-200,李四,,,,网速慢,慢\n" +
		"TS-003,2026年11月20日 10:30,,,,,,小区,121.48,31.24,信号差,\n"
	file := writeFile(t, "export.csv", gb18030(t, text))
	rep, err := Import(context.Background(), s, file, Options{Mapping: mapping(t)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Encoding != "gb18030 (detected)" || rep.Rows != 3 || len(rep.Bad) != 0 || rep.Summary != (complaints.Summary{Created: 3}) {
		t.Fatalf("report %+v", rep)
	}
	sh := time.FixedZone("CST", 8*3600)
	for _, w := range []struct {
		id       string
		received time.Time
		cat      complaints.Category
	}{
		{"TS-001", time.Date(2026, 11, 20, 8, 0, 0, 0, sh), complaints.LineInterruption},
		{"TS-002", time.Date(2026, 11, 20, 9, 5, 0, 0, sh), complaints.Slow},
		{"TS-003", time.Date(2026, 11, 20, 10, 30, 0, 0, sh), complaints.WeakSignal},
	} {
		c, err := s.Get(context.Background(), w.id)
		if err != nil {
			t.Fatal(err)
		}
		if !c.ReceivedAt.Equal(w.received) || c.Category != w.cat {
			t.Errorf("%s received %v category %s, want %v %s", w.id, c.ReceivedAt, c.Category, w.received, w.cat)
		}
	}
	c, _ := s.Get(context.Background(), "TS-001")
	if c.Text != "断了两次, 早上\n又断" || c.CustomerName != "张三" || *c.Lat != 31.23 || *c.Lon != 121.47 {
		t.Errorf("TS-001 %+v", c.Intake)
	}
	if c, _ := s.Get(context.Background(), "TS-002"); c.ClosedAt == nil || !c.ClosedAt.Equal(time.Date(2026, 11, 21, 10, 0, 0, 0, sh)) {
		t.Errorf("TS-002 closed %v", c.ClosedAt)
	}
}

// A UTF-8 file with a BOM reads its first header without the BOM; forced
// encodings are taken as given.
func TestImportUTF8BOMAndForcedEncoding(t *testing.T) {
	s, _ := newStore(t)
	text := "\uFEFF" + chineseHeader + "B-1,2026-11-20 08:00,,C1,,,,,,,其他,\n"
	file := writeFile(t, "bom.csv", []byte(text))
	rep, err := Import(context.Background(), s, file, Options{Mapping: mapping(t)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Encoding != "utf-8 (BOM)" || rep.Created != 1 || len(rep.Bad) != 0 {
		t.Fatalf("report %+v", rep)
	}
	gbk := writeFile(t, "gbk.csv", gb18030(t, chineseHeader+"G-1,2026-11-20 08:00,,C1,,,,,,,其他,\n"))
	rep, err = Import(context.Background(), s, gbk, Options{Mapping: mapping(t), Encoding: "gbk"})
	if err != nil || rep.Encoding != "gbk" || rep.Created != 1 {
		t.Fatalf("forced gbk: %+v %v", rep, err)
	}
	_, err = Import(context.Background(), s, gbk, Options{Mapping: mapping(t), Encoding: "utf-8"})
	if err == nil || !strings.Contains(err.Error(), "gbk.csv: line 1: not UTF-8 (try --encoding gb18030") {
		t.Errorf("a GBK file forced as UTF-8: %v", err)
	}
}

// Re-importing a file changes nothing; a later row with the same id, and a
// changed file, update in place.
func TestImportRepeatedIDUpdates(t *testing.T) {
	s, db := newStore(t)
	m := mapping(t)
	first := chineseHeader + "R-1,2026-11-20 08:00,,C1,,,,,,,网速慢,第一次\nR-2,2026-11-20 09:00,,C1,,,,,,,网速慢,\n"
	f := writeFile(t, "a.csv", []byte(first))
	rep, _ := Import(context.Background(), s, f, Options{Mapping: m})
	if rep.Summary != (complaints.Summary{Created: 2}) {
		t.Fatalf("first %+v", rep.Summary)
	}
	rep, _ = Import(context.Background(), s, f, Options{Mapping: m})
	if rep.Summary != (complaints.Summary{Unchanged: 2}) {
		t.Fatalf("again %+v", rep.Summary)
	}
	second := first + "R-1,2026-11-20 08:00,2026-11-20 12:00,C1,,,,,,,断网,第二次\n"
	rep, _ = Import(context.Background(), s, writeFile(t, "b.csv", []byte(second)), Options{Mapping: m})
	if rep.Summary != (complaints.Summary{Unchanged: 2, Updated: 1}) {
		t.Fatalf("later row with the same id %+v", rep.Summary)
	}
	var n int
	_ = db.QueryRow(`SELECT count(*) FROM complaints`).Scan(&n)
	c, _ := s.Get(context.Background(), "R-1")
	if n != 2 || c.Text != "第二次" || c.Category != complaints.LineInterruption || c.ClosedAt == nil {
		t.Errorf("%d rows; R-1 %+v", n, c.Intake)
	}
}

// Every kind of bad row is reported with file, line, column and reason,
// exactly, and the good rows around them are imported.
func TestImportBadRowsExactMessages(t *testing.T) {
	s, _ := newStore(t)
	rows := []string{
		"OK-1,2026-11-20 08:00,,C1,,,,,,,网速慢,",                                     // line 2
		"S-1,2026-11-20 08:00,,C1",                                                 // 3 short row
		"L-1,2026-11-20 08:00,,C1,,,,,,,网速慢,,extra",                                // 4 long row
		",2026-11-20 08:00,,C1,,,,,,,网速慢,",                                         // 5 no id
		"N-1,,,C1,,,,,,,网速慢,",                                                      // 6 no received time
		"D-1,2026-02-30 08:00,,C1,,,,,,,网速慢,",                                      // 7 impossible date
		"D-2,2026-11-20 25:00,,C1,,,,,,,网速慢,",                                      // 8 impossible hour
		"D-3,20.11.2026 08:00,,C1,,,,,,,网速慢,",                                      // 9 unknown format
		"D-4,2026-11-20 08:00,2026-11-19 08:00,C1,,,,,,,网速慢,",                      // 10 closed before
		"G-1,2026-11-20 08:00,,,,,,,121.47,95.5,信号弱,",                              // 11 latitude out of range
		"G-2,2026-11-20 08:00,,,,,,,181,31.2,信号弱,",                                 // 12 longitude out of range
		"G-3,2026-11-20 08:00,,,,,,,东经121,31.2,信号弱,",                               // 13 not a number
		"G-4,2026-11-20 08:00,,,,,,,,31.2,信号弱,",                                    // 14 latitude alone
		"C-1,2026-11-20 08:00,,C1,,,,,,,,",                                         // 15 no category
		"C-2,2026-11-20 08:00,,C1,,,,,,,投诉,",                                       // 16 unknown category
		"I-1,2026-11-20 08:00,,,,,张三,某地,,,网速慢,",                                    // 17 no identity
		"Q-1,2026-11-20 08:00,,C1,,,,,,,网速慢,\"text\" tail",                         // 18 bad quote
		"OK-2,2026年11月20日 08:00,,,13800138000,,,,,,其他,\"多行\n文字, 逗号\"",              // 19–20
		"T-1,2026-11-20 08:00,,C1,,,,,,,网速慢,\"" + strings.Repeat("长", 6000) + "\"", // 21 too long
	}
	file := writeFile(t, "bad.csv", []byte(chineseHeader+strings.Join(rows, "\n")+"\n"))
	rep, err := Import(context.Background(), s, file, Options{Mapping: mapping(t)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		file + ":3: column 5 (联系电话): short row: 4 columns, the header has 12",
		file + ":4: column 13: long row: 13 columns, the header has 12",
		file + ":5: column 1 (工单编号): empty complaint id",
		file + ":6: column 2 (受理时间): empty received time",
		file + ":7: column 2 (受理时间): impossible date \"2026-02-30 08:00\" (day out of range)",
		file + ":8: column 2 (受理时间): impossible date \"2026-11-20 25:00\" (hour out of range)",
		file + ":9: column 2 (受理时间): date \"20.11.2026 08:00\" matches none of the date formats (YYYY-MM-DD HH:mm:ss, YYYY-MM-DD HH:mm, YYYY/MM/DD HH:mm:ss, YYYY/MM/DD HH:mm, YYYY年MM月DD日 HH:mm:ss, YYYY年MM月DD日 HH:mm)",
		file + ":10: column 3 (结单时间): closed before it was received",
		file + ":11: column 10 (纬度): latitude 95.5 is out of range (-90 to 90)",
		file + ":12: column 9 (经度): longitude 181 is out of range (-180 to 180)",
		file + ":13: column 9 (经度): longitude \"东经121\" is not a number",
		file + ":14: column 9 (经度): latitude given without longitude",
		file + ":15: column 11 (投诉类别): empty category",
		file + ":16: column 11 (投诉类别): category \"投诉\" is not in the mapping",
		file + ":17: column 4 (客户编号): no way to identify the customer or place: customer id, phone, circuit id and coordinates are all empty",
		file + ":18: malformed CSV at byte 47 of the line: extraneous or missing \" in quoted-field",
		file + ":21: column 12 (投诉内容): longer than 16384 bytes",
	}
	var got []string
	for _, b := range rep.Bad {
		got = append(got, b.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bad rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Rows != len(rows) || rep.Created != 2 {
		t.Errorf("rows %d created %d, want %d rows and the 2 good ones", rep.Rows, rep.Created, len(rows))
	}
	if _, err := s.Get(context.Background(), "OK-2"); err != nil {
		t.Errorf("OK-2 after the bad rows: %v", err)
	}
}

// Without a time_zone in the mapping, naive times are in the controller's
// complaints.time_zone (Options.Location); times with an offset keep it.
func TestImportNaiveTimesInConfiguredZone(t *testing.T) {
	s, _ := newStore(t)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	text := "id,received_at,customer_id,category\nZ-1,2026-11-20 09:00,C1,slow\nZ-2,2026-11-20T09:00:00+08:00,C1,slow\n"
	rep, err := ImportData(context.Background(), s, "z.csv", []byte(text), Options{Location: tokyo})
	if err != nil || rep.Created != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	for id, want := range map[string]string{"Z-1": "2026-11-20T00:00:00Z", "Z-2": "2026-11-20T01:00:00Z"} {
		c, _ := s.Get(context.Background(), id)
		if got := c.ReceivedAt.UTC().Format(time.RFC3339); got != want {
			t.Errorf("%s received %s, want %s", id, got, want)
		}
	}
}
