package spool

import (
	"errors"
	"os"
	"time"
)

// background syncs on FsyncInterval's period, and flushes the drop log,
// until Close.
func (s *Spool) background() {
	defer close(s.done)
	t := time.NewTicker(s.opt.FsyncInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if s.opt.Fsync == FsyncInterval {
				s.sync()
			}
			s.mu.Lock()
			s.flushDropLog(s.opt.Clock.Now())
			s.mu.Unlock()
		}
	}
}

// sync forces what was written since the last sync to disk. The fsyncs run
// without the lock, so a slow disk delays durability, not the batcher.
func (s *Spool) sync() {
	s.mu.Lock()
	var files []*os.File
	if s.dataDirty {
		files = append(files, s.segs[len(s.segs)-1].f)
	}
	if s.cursorDirty {
		files = append(files, s.cf)
	}
	dir := s.dirDirty
	s.dataDirty, s.cursorDirty, s.dirDirty = false, false, false
	s.mu.Unlock()
	var err error
	for _, f := range files {
		// A segment closed meanwhile was synced by whoever closed it.
		if e := f.Sync(); e != nil && !errors.Is(e, os.ErrClosed) {
			err = errors.Join(err, e)
		}
	}
	if dir {
		err = errors.Join(err, syncDir(s.opt.Dir))
	}
	if err != nil {
		s.opt.Logger.Error("spool fsync failed; a power cut could lose recent results", "err", err)
	}
}
