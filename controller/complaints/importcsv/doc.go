// Package importcsv takes call-centre complaint exports as they come:
// UTF-8 with or without a BOM, or GBK / GB18030 (detected, or forced),
// Chinese column headers and category names mapped by a mapping file,
// several date formats in one file, naive times in a configured zone,
// quoted fields with commas and newlines. Good rows are stored
// (idempotent on the complaint id); every bad row is reported with its
// file, line, column and reason.
//
// Files: mapping.go (the mapping file), encoding.go (detection and
// decoding), dates.go (date formats), row.go (one row → a complaint or a
// RowError), importer.go (the file loop, batches, the summary),
// command.go (`vantage-controller complaints import`, progress).
package importcsv
