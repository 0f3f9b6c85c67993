package model

import "encoding/json"

// legacyBigKeys are the two lists a recording named differently before the
// pane, the recording and the report shared one big-keys schema (BigKeys).
type legacyBigKeys struct {
	TopBytes []KeyInfo    `json:"top_bytes"`
	Sizes    []SizeBucket `json:"sizes"`
}

func (l *legacyBigKeys) fill(b *BigKeys) {
	if l == nil || b == nil {
		return
	}
	if b.TopBytes == nil {
		b.TopBytes = l.TopBytes
	}
	if b.Sizes == nil {
		b.Sizes = l.Sizes
	}
}

// UnmarshalJSON reads an update, from recordings of any version: those made
// before the schemas were merged name the top list "top_bytes" and the size
// histogram "sizes", and replay them just the same.
func (u *ScanUpdate) UnmarshalJSON(b []byte) error {
	type plain ScanUpdate // without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err //nolint:wrapcheck // the json package adds the field context
	}
	var legacy struct {
		Result *legacyBigKeys `json:"result"`
		Prev   *legacyBigKeys `json:"prev"`
	}
	if err := json.Unmarshal(b, &legacy); err != nil {
		return err //nolint:wrapcheck // the json package adds the field context
	}
	legacy.Result.fill(p.Result)
	legacy.Prev.fill(p.Prev)
	*u = ScanUpdate(p)
	return nil
}
