package model

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Key names are bytes, not text. JSON strings must be UTF-8, and
// encoding/json would silently turn each invalid byte into U+FFFD, so two
// different keys could look the same in a report. A name that is valid UTF-8
// is written as it is in "key"; any other name is written readably in "key"
// (invalid bytes spelt \xNN) and exactly in "key_base64", which readers
// prefer when present.

func jsonKey(k string) (text, b64 string) {
	if utf8.ValidString(k) {
		return k, ""
	}
	return string(appendValidUTF8(nil, k)), base64.StdEncoding.EncodeToString([]byte(k))
}

func keyFromJSON(text, b64 string) (string, error) {
	if b64 == "" {
		return text, nil
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("key_base64: %w", err)
	}
	return string(raw), nil
}

// appendValidUTF8 spells invalid UTF-8 bytes as \xNN, keeping the rest.
func appendValidUTF8(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			dst = append(dst, '\\', 'x', hexDigits[s[i]>>4], hexDigits[s[i]&0xf])
			i++
			continue
		}
		dst = append(dst, s[i:i+size]...)
		i += size
	}
	return dst
}

// optInt is a count that may be unknown (-1), written as null.
func optInt(v int64) Opt {
	if v < 0 {
		return None()
	}
	return Some(float64(v))
}

func intFromOpt(o Opt) int64 {
	if v, ok := o.Get(); ok {
		return int64(v)
	}
	return -1
}

type keyInfoJSON struct {
	Key        string `json:"key"`
	KeyBase64  string `json:"key_base64,omitempty"`
	DB         int    `json:"db"`
	Type       string `json:"type"`
	Encoding   Text   `json:"encoding"`
	Bytes      Opt    `json:"bytes"`
	Elements   Opt    `json:"elements"`
	TTLSeconds int64  `json:"ttl_seconds"`    // -1: no expiry
	Node       string `json:"node,omitempty"` // the cluster node; absent for a single server
}

// MarshalJSON writes the report's shape: {"key","db","type","encoding",
// "bytes","elements","ttl_seconds"}, unknown figures as null, ttl_seconds -1
// for no expiry, "key_base64" for names that are not UTF-8, and "node" for a
// key of a cluster (the node it was measured on).
func (k KeyInfo) MarshalJSON() ([]byte, error) {
	text, b64 := jsonKey(k.Key)
	return json.Marshal(keyInfoJSON{ //nolint:wrapcheck // plain values always marshal
		Key: text, KeyBase64: b64, DB: k.DB, Type: k.Type, Encoding: Text(k.Encoding),
		Bytes: optInt(k.Bytes), Elements: optInt(k.Elements), TTLSeconds: k.TTL, Node: k.Node,
	})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (k *KeyInfo) UnmarshalJSON(b []byte) error {
	var j keyInfoJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err //nolint:wrapcheck // the json package adds the field context
	}
	key, err := keyFromJSON(j.Key, j.KeyBase64)
	if err != nil {
		return err
	}
	*k = KeyInfo{
		Key: key, DB: j.DB, Type: j.Type, Encoding: string(j.Encoding),
		Bytes: intFromOpt(j.Bytes), Elements: intFromOpt(j.Elements), TTL: j.TTLSeconds, Node: j.Node,
	}
	return nil
}

type growthJSON struct {
	Key       string `json:"key"`
	KeyBase64 string `json:"key_base64,omitempty"`
	DB        int    `json:"db"`
	Type      string `json:"type"`
	Before    int64  `json:"bytes_before"`
	After     int64  `json:"bytes_after"`
	Delta     int64  `json:"delta"`
}

// MarshalJSON writes the key binary-safely, like KeyInfo.
func (g Growth) MarshalJSON() ([]byte, error) {
	text, b64 := jsonKey(g.Key)
	return json.Marshal(growthJSON{ //nolint:wrapcheck // plain values always marshal
		Key: text, KeyBase64: b64, DB: g.DB, Type: g.Type, Before: g.Before, After: g.After, Delta: g.Delta,
	})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (g *Growth) UnmarshalJSON(b []byte) error {
	var j growthJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err //nolint:wrapcheck // the json package adds the field context
	}
	key, err := keyFromJSON(j.Key, j.KeyBase64)
	if err != nil {
		return err
	}
	*g = Growth{Key: key, DB: j.DB, Type: j.Type, Before: j.Before, After: j.After, Delta: j.Delta}
	return nil
}
