// Package coverage judges hotspot sites and grid cells by their radio
// metrics (RSRP, SINR, RSSI from the routers' SNMP scalars) and achieved
// download throughput, from the samples controller/cellsamples stores.
//
// Every evaluation (Evaluate, driven by Run on an injected clock) looks at
// the window before now: per site, each quantity with enough samples
// scores its median's place between the quantity's weak and good values
// (0 at weak, 100 at good); the site's score is their mean, a cell's the
// mean of its sites'. A cell below the weak score for weak_after opens a
// weak-coverage event (started when it went below); it closes at the first
// evaluation at or above. Cell state, events and the `coverage` points of
// every site and cell are committed in one transaction, the points through
// the shipper's queue. Evaluate is a pure function of the stored samples,
// the stored state and now: tests drive it with a fixed clock.
package coverage
