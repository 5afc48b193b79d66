// Package publish moves results from probes to JetStream: it batches them into
// messages, gives each message an id that makes a retransmission a duplicate
// the controller's ingest skips, holds messages while NATS is unreachable, and deletes a
// message only after JetStream acknowledged it.
//
// Two queues hold the messages: MemQueue here, which loses what it holds
// when the agent stops or crashes, and agent/spool, a disk log that keeps
// them across restarts and kill -9.
package publish

import "sync"

// Message is an encoded batch waiting for JetStream's acknowledgement.
type Message struct {
	// ID is the message id (MsgIDHeader), "<agent>-<epoch>-<seq>": the
	// same bytes resent carry the same id, so the controller writes them
	// once.
	ID string
	// Data is the encoded result.Batch.
	Data []byte
	// Results is how many results Data holds, for counting.
	Results int
}

// Queue holds messages oldest first until they are acknowledged.
type Queue interface {
	// Push appends m. It never waits for NATS: to stay within its bound a
	// queue drops the oldest messages (never the head, which may be in
	// flight) and reports them through its own drop callback, so the
	// batcher, and the probes behind it, never block on an outage.
	Push(m Message)
	// Peek returns the oldest message without removing it.
	Peek() (Message, bool)
	// Pop removes the oldest message (after its acknowledgement).
	Pop()
	// Results is how many results are waiting.
	Results() int
	// Wait returns a channel closed when something may be waiting.
	Wait() <-chan struct{}
}

// MemQueue is a Queue in memory, bounded by a number of results. When full it
// drops the oldest messages: a fresh result is worth more to an operator than
// one from an hour ago that never made it. It is the queue when no spool
// directory is configured, and everything it holds is lost when the agent
// stops, restarts or crashes.
type MemQueue struct {
	mu      sync.Mutex
	max     int
	dropped func(results int)
	msgs    []Message
	results int
	signal  chan struct{}
}

// NewMemQueue returns a queue holding at most maxResults results. dropped
// (may be nil) is told how many results each Push dropped; it is called
// without the queue's lock held.
func NewMemQueue(maxResults int, dropped func(results int)) *MemQueue {
	return &MemQueue{max: maxResults, dropped: dropped, signal: make(chan struct{})}
}

// Push implements Queue.
func (q *MemQueue) Push(m Message) {
	if n := q.push(m); n > 0 && q.dropped != nil {
		q.dropped(n)
	}
}

func (q *MemQueue) push(m Message) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.msgs = append(q.msgs, m)
	q.results += m.Results
	dropped := 0
	// Never drop the message just pushed, nor the head that may be in flight
	// (index 0): drop from index 1 on.
	for q.results > q.max && len(q.msgs) > 2 {
		dropped += q.msgs[1].Results
		q.results -= q.msgs[1].Results
		q.msgs = append(q.msgs[:1], q.msgs[2:]...)
	}
	close(q.signal)
	q.signal = make(chan struct{})
	return dropped
}

// Peek implements Queue.
func (q *MemQueue) Peek() (Message, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.msgs) == 0 {
		return Message{}, false
	}
	return q.msgs[0], true
}

// Pop implements Queue.
func (q *MemQueue) Pop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.msgs) == 0 {
		return
	}
	q.results -= q.msgs[0].Results
	q.msgs[0] = Message{}
	q.msgs = q.msgs[1:]
}

// Results implements Queue.
func (q *MemQueue) Results() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.results
}

// Wait implements Queue.
func (q *MemQueue) Wait() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.msgs) > 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	return q.signal
}
