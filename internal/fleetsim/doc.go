// Package fleetsim is the fleet simulator with ground truth (issue 16):
// it plans what N simulated lines do (flaps and outages from a Poisson
// process calibrated to the field's ~510,000 flaps a month over 50,000
// lines, grouped failures behind a shared card, agents going silent and
// replaying late, agents with skewed clocks), writes the inventory the
// controller needs and the ground truth, publishes the agents' results
// onto NATS with the real agents' batching and encoding (agent/publish,
// probes/result), and checks the controller's events and incidents
// against the ground truth (Check).
//
// Everything random comes from one seeded RNG and time from an injected
// clock, so a seed and a config give the same plan every time.
package fleetsim
