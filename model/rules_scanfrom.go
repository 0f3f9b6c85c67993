package model

// ScanFactsFrom summarises the big-key scan's state for the rules: the best
// snapshot (the running pass, or the last complete one while the new pass has
// seen nothing), its top keys by bytes and by elements, the depth-1 prefixes
// and the no-expiry totals. It returns nil when no scan has started, so the
// rules say "no scan yet".
func ScanFactsFrom(st *ScanState) *ScanFacts {
	if st == nil {
		return nil
	}
	bk := st.Best()
	if bk == nil {
		if st.Progress.Phase == ScanIdle || st.Progress.Phase == "" {
			return nil
		}
		return &ScanFacts{Total: dbSizeOf(st)} // started, nothing sized yet
	}
	f := &ScanFacts{
		Time:       st.Progress.DoneAt,
		Scanned:    int(bk.Keys),
		Total:      dbSizeOf(st),
		Complete:   bk == st.Prev || st.Progress.Complete(),
		NoTTLKeys:  int(bk.NoTTLKeys),
		NoTTLBytes: float64(bk.NoTTLBytes),
		TTLKeys:    int(bk.Keys - bk.NoTTLKeys),
		TTLBytes:   float64(bk.Bytes - bk.NoTTLBytes),
	}
	if !f.Complete && st.Progress.Phase == ScanDone && st.Progress.SampleFraction > 0 {
		f.Sample = st.Progress.SampleFraction
	}
	type id struct {
		db  int
		key string
	}
	before := make(map[id]int64, len(bk.Growth))
	for _, g := range bk.Growth {
		before[id{g.DB, g.Key}] = g.Before
	}
	seen := make(map[id]bool, len(bk.TopBytes)+len(bk.TopElements))
	for _, list := range [][]KeyInfo{bk.TopBytes, bk.TopElements} {
		for i := range list {
			k := &list[i]
			kid := id{k.DB, k.Key}
			if seen[kid] {
				continue
			}
			seen[kid] = true
			sk := ScanKey{Key: k.Key, DB: k.DB, Type: k.Type, Encoding: k.Encoding, TTL: Some(float64(k.TTL))}
			if k.Bytes >= 0 {
				sk.Bytes = Some(float64(k.Bytes))
			}
			if k.Elements >= 0 {
				sk.Elements = Some(float64(k.Elements))
			}
			if b, ok := before[kid]; ok && b >= 0 {
				sk.PrevBytes = Some(float64(b))
			}
			if tr, ok := st.Watch.Find(k.DB, k.Key); ok {
				sk.Watch = &tr
			}
			f.Keys = append(f.Keys, sk)
		}
	}
	f.Growing = st.Watch.Flagged()
	// A key flagged by the re-measures stays a finding while the next pass
	// has not reached it yet: it comes from the last pass's top keys.
	for i := range f.Growing {
		tr := f.Growing[i]
		if seen[id{tr.DB, tr.Key}] {
			continue
		}
		f.Keys = append(f.Keys, ScanKey{
			Key: tr.Key, DB: tr.DB, Type: tr.Type, Bytes: optInt(tr.Bytes), Elements: optInt(tr.Elements), Watch: &tr,
		})
	}
	f.Encodings = bk.Encodings
	for _, p := range bk.Prefixes {
		if p.Depth != 1 {
			continue
		}
		f.Prefixes = append(f.Prefixes, ScanPrefix{
			Prefix: p.Prefix, Keys: int(p.Keys), Bytes: float64(p.Bytes),
			NoTTLKeys: int(p.NoTTLKeys), NoTTLBytes: float64(p.NoTTLBytes),
		})
	}
	return f
}

func dbSizeOf(st *ScanState) Opt {
	if st.Progress.DBSize > 0 {
		return Some(float64(st.Progress.DBSize))
	}
	return None()
}
