package places

// Points each kind of evidence adds to a cell's rank, and their caps, so
// no single kind can bury the others: a cell with an open weak-coverage
// event starts at 40 (+ up to 20 by how far below the weak score it is);
// below the weak score but not yet for weak_after, 20; each weak-coverage
// event that ended in the complaint window 5 (at most 15); each complaint
// 2 (at most 40), each about weak signal 1 more (at most 20); each repeat
// complaint 5 (at most 30); each test on which our network is behind 10
// (at most 30).
const (
	weakOpen          = 40.0
	weakDepthMax      = 20.0
	weakBelow         = 20.0
	pastEvent         = 5.0
	pastEventMax      = 15.0
	perComplaint      = 2.0
	complaintMax      = 40.0
	perWeakSignal     = 1.0
	weakSignalMax     = 20.0
	perRepeat         = 5.0
	repeatMax         = 30.0
	perBehindTest     = 10.0
	behindMax         = 30.0
	defaultPlaceLimit = 50
	maxPlaceLimit     = 1000
)
