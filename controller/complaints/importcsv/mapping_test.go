package importcsv

import (
	"context"
	"strings"
	"testing"
)

func TestMappingErrors(t *testing.T) {
	ok := "columns: {id: 编号, received_at: 时间, category: 类别, customer_id: 客户}\n"
	for _, tc := range []struct{ text, want string }{
		{"columns: {id: a, received_at: b, category: c, customer_id: d, colour: e}\n", "colour"},
		{"columns: {id: a, received_at: b}\n", "m.yaml:1: columns: category: is required"},
		{"columns: {id: a, received_at: b, category: c}\n", "m.yaml:1: columns: no column identifies the customer or place: map customer_id, phone, circuit_id or lat and lon"},
		{"columns: {id: a, received_at: a, category: c, phone: p}\n", `m.yaml:1: columns.received_at: column "a" is already id`},
		{"columns: {id: a, received_at: b, category: c, lat: x}\n", "m.yaml:1: columns: lat and lon: give both or neither"},
		{ok + "categories: {slowish: [慢]}\n", "m.yaml:2: categories.slowish: not a category (line_interruption, slow, no_service, weak_signal, other)"},
		{ok + "categories: {slow: [慢], other: [慢]}\n", `is already`},
		{ok + "date_formats: [YYYY-MM-DD]\n", `m.yaml:2: date_formats: "YYYY-MM-DD" has no HH`},
		{ok + "date_formats: [DD.MM.YYYY HH:mm Uhr]\n", `m.yaml:2: date_formats: "DD.MM.YYYY HH:mm Uhr": "U" is not one of YYYY MM DD HH mm ss`},
		{ok + "time_zone: Beijing\n", `m.yaml:2: time_zone: "Beijing" is not an IANA time zone (e.g. Asia/Shanghai)`},
	} {
		_, err := ParseMapping("m.yaml", []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.text, err, tc.want)
		}
	}
	if _, err := ParseMapping("m.yaml", []byte(ok)); err != nil {
		t.Error(err)
	}
}

// A file whose header lacks a required mapped column is refused whole,
// naming the column.
func TestImportHeaderMissingColumn(t *testing.T) {
	s, _ := newStore(t)
	_, err := ImportData(context.Background(), s, "x.csv", []byte("工单编号,客户编号,投诉类别\nA,C1,其他\n"), Options{Mapping: mapping(t)})
	if err == nil || err.Error() != `x.csv:1: the header has no column "受理时间" (received_at)` {
		t.Errorf("got %v", err)
	}
}

func FuzzParseMapping(f *testing.F) {
	f.Add([]byte("columns: {id: a, received_at: b, category: c, phone: p}\ncategories: {slow: [慢]}\ndate_formats: [YYYY/MM/DD HH:mm]\n"))
	f.Add([]byte("columns: [1, 2]\n"))
	f.Add([]byte("date_formats: [\"YYYYMMDDHHmmss\"]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMapping("f.yaml", data)
		if err == nil && (m.Columns.ID == "" || m.Columns.ReceivedAt == "" || m.Columns.Category == "") {
			t.Fatalf("accepted a mapping without a required column: %+v", m.Columns)
		}
	})
}

// The importer never panics, and what it stores passed Intake.Check;
// every row is either stored (or unchanged) or reported.
func FuzzImport(f *testing.F) {
	f.Add([]byte(chineseHeader + "A,2026-11-20 08:00,,C1,,,,,,,网速慢,\"x,\ny\"\n"))
	f.Add([]byte(chineseHeader + "A,2026年2月30日 08:00,,,,,,,121,91,信号差,\n"))
	f.Add([]byte("\xef\xbb\xbf" + chineseHeader + "\"unterminated\n"))
	f.Add([]byte("\xb9\xa4\xb5\xa5\xb1\xe0\xba\xc5,x\n1,2\n"))
	m, err := ParseMapping("m.yaml", []byte(mappingText))
	if err != nil {
		f.Fatal(err)
	}
	s, _ := newStore(f) // one database per worker: migrating one per input is most of the time
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ImportData(context.Background(), s, "f.csv", data, Options{Mapping: m})
		if err != nil {
			return
		}
		if got := rep.Created + rep.Updated + rep.Unchanged + len(rep.Bad); got != rep.Rows {
			t.Fatalf("%d rows read, %d accounted for: %+v", rep.Rows, got, rep)
		}
	})
}

// mappingText is testdata/mapping.yaml, for the fuzzers (no file reads
// per input).
const mappingText = `columns: {id: 工单编号, received_at: 受理时间, closed_at: 结单时间, customer_id: 客户编号, phone: 联系电话,
  circuit_id: 电路编号, customer_name: 客户名称, address: 地址, lon: 经度, lat: 纬度, category: 投诉类别, text: 投诉内容}
categories: {line_interruption: [断网], slow: [网速慢], weak_signal: [信号差], other: [其他]}
time_zone: Asia/Shanghai
`
