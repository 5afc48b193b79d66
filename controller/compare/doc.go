// Package compare compares networks side by side: the same tests, run by
// one agent over our uplink and competitors' at the same moments (the
// agent's networks), stored per grid cell by controller/cellsamples.
//
// Per cell, test and period each network gets its sample count, median
// and spread (quartiles); for rates (ping_loss_pct, dns_ok, http_ok) the
// mean is the statistic compared, for timings and throughput the median.
// The difference ours − theirs gets a percentile bootstrap confidence
// interval: both networks' samples are resampled with replacement
// (Resamples times, from a generator seeded by the config's seed, the cell,
// the test and the competitor, so one question always gets one answer) and
// the statistic's difference is taken each time; the interval is the
// middle Confidence share of those differences. The verdict, from our
// side: behind when the whole interval lies on the worse side of zero and
// the difference is at least the test's margin, ahead likewise on the
// better side, level otherwise, insufficient with fewer than MinSamples
// samples on either side.
package compare
