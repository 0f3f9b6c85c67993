package model

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// jsonKeys lists the top-level keys of a JSON object in order.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// The report's "bigkeys" section is the scan's state around the one
// aggregate schema, BigKeys, in the order redis-memtop.report/1 has always
// written it, without the config.
func TestBigKeysReportSchema(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{TopN: 5}, nil)
	a.Add(&KeyInfo{Key: "a:1", Type: "hash", Bytes: 50, Elements: 3, TTL: -1})
	first := a.Snapshot()
	b := NewBigKeysAgg(BigKeysConfig{TopN: 5}, first)
	b.Add(&KeyInfo{Key: "a:1", Type: "hash", Bytes: 100, Elements: 3, TTL: -1})
	full := ScanState{
		Progress: ScanProgress{Phase: ScanScanning, Notes: []string{"note"}, Err: "e"},
		Result:   b.Snapshot(), KeySizes: &KeySizes{},
		Watch: &KeyGrowth{At: time.Unix(1, 0).UTC(), Keys: []KeyTrend{{Key: "a:1", Type: "hash", Bytes: 100, Elements: 3, FirstBytes: 50, FirstElements: 3, Readings: 2, Span: time.Minute, BytesPerMin: 50, Rising: 1}}},
	}
	full.Result.UnknownBytes = 1
	cases := []struct {
		name string
		st   ScanState
		want []string
	}{
		{"empty", ScanState{}, []string{
			"complete", "state", "scanned", "dbsize", "elapsed_seconds", "keys_per_second", "samples", "dbs", "governor",
			"keys", "bytes", "no_ttl_keys", "no_ttl_bytes", "top", "top_elements", "prefixes", "types", "encodings", "ttl_buckets", "size_histogram",
		}},
		{"every part", full, []string{
			"complete", "state", "scanned", "dbsize", "elapsed_seconds", "keys_per_second", "samples", "dbs", "governor",
			"keys", "bytes", "no_ttl_keys", "no_ttl_bytes", "unknown_bytes_keys", "top", "top_elements", "prefixes", "types", "encodings", "ttl_buckets", "size_histogram", "growth",
			"keysizes", "key_growth", "notes", "err",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			js, err := json.Marshal(tc.st.Report())
			if err != nil {
				t.Fatal(err)
			}
			if got := jsonKeys(t, js); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("keys\n got  %v\n want %v", got, tc.want)
			}
			// And it reads back into the same section.
			var back BigKeysReport
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatal(err)
			}
			if again, _ := json.Marshal(back); !bytes.Equal(again, js) {
				t.Errorf("round trip\n got  %s\n want %s", again, js)
			}
		})
	}
}

// A recording stores BigKeys itself (with its config); recordings made
// before the schemas were merged named two lists differently and still
// replay.
func TestScanUpdateRecordingRoundTripAndLegacyNames(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{TopN: 3}, nil)
	a.Add(&KeyInfo{Key: "k\xff", Type: "string", Bytes: 600, Elements: -1, TTL: 30})
	u := ScanUpdate{Progress: ScanProgress{Phase: ScanDone, Pass: 2}, Result: a.Snapshot(), Prev: a.Snapshot()}
	js, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var back ScanUpdate
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, u) {
		t.Errorf("round trip\n got  %+v\n want %+v", back, u)
	}

	legacy := []byte(`{"progress":{"state":"done","pass":1},"result":{"config":{"top_n":3,"delimiters":":","depth":3,"max_nodes":1000},` +
		`"keys":1,"bytes":600,"unknown_bytes_keys":0,"top_bytes":[{"key":"k","db":0,"type":"string","encoding":null,"bytes":600,"elements":null,"ttl_seconds":30}],` +
		`"sizes":[{"min":512,"keys":1,"bytes":600}]}}`)
	var old ScanUpdate
	if err := json.Unmarshal(legacy, &old); err != nil {
		t.Fatal(err)
	}
	r := old.Result
	if r == nil || r.Config.TopN != 3 || len(r.TopBytes) != 1 || r.TopBytes[0].Key != "k" || r.TopBytes[0].Elements != -1 ||
		len(r.Sizes) != 1 || r.Sizes[0].Min != 512 || old.Prev != nil {
		t.Errorf("legacy recording read as %+v", old)
	}
	if err := json.Unmarshal([]byte(`{"result":{"top":7}}`), &old); err == nil {
		t.Error("a malformed update must fail")
	}
}
