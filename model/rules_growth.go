package model

import (
	"fmt"
	"slices"
	"strings"
)

// Keys and streams that keep growing (issue 14, gap 5), judged from what
// the scan measures: a key's bytes now and at the previous full pass, and a
// stream's entries.

// keyGrowth says how a key grew between the previous pass and this one when
// that is worth a flag: by ≥ 1 MiB and 10 % (a big key growing), by ≥ 100 KB
// and 10 % (a smaller one rising), or doubled past 10 KB (a queue filling).
func keyGrowth(k ScanKey) (string, bool) {
	b, ok1 := k.Bytes.Get()
	pb, ok2 := k.PrevBytes.Get()
	if !ok1 || !ok2 || b <= pb {
		return "", false
	}
	d := b - pb
	switch {
	case d >= ThresholdKeyGrowthBytes && d >= ThresholdKeyGrowthShare*pb,
		d >= ThresholdKeyGrowthSmallBytes && d >= ThresholdKeyGrowthShare*pb:
	case pb > 0 && b >= ThresholdKeyGrowthRatio*pb && b >= ThresholdKeyGrowthRatioMinBytes:
	default:
		return "", false
	}
	w := "grew " + signedBytes(d) + " since the last scan (" + Bytes(pb) + " → " + Bytes(b)
	if pb > 0 {
		w += fmt.Sprintf(", %.1f×", b/pb)
	}
	return w + ")", true
}

// longStream flags a stream with more entries than a log kept under MAXLEN
// would hold.
func longStream(k ScanKey) (string, bool) {
	el, ok := k.Elements.Get()
	if !ok || el <= ThresholdBigStreamEntries {
		return "", false
	}
	return fmt.Sprintf("stream of %s entries (> %s): trim it", exactCount(el), exactCount(ThresholdBigStreamEntries)), true
}

// growthAdvice adds the advice and commands of a growing key or a long
// stream to the big-keys check, once per kind.
func growthAdvice(ch *Check, k ScanKey) {
	if _, ok := longStream(k); ok && k.Type == typeStream {
		add(ch, fmt.Sprintf("redis-cli -n %d XINFO STREAM %s", k.DB, shellQuote(k.Key)))
		add(ch, fmt.Sprintf("redis-cli -n %d XINFO GROUPS %s", k.DB, shellQuote(k.Key)))
		const a = " A stream keeps every entry until it is trimmed: cap it as it is written (XADD key MAXLEN ~ 10000 * …) or trim it (XTRIM key MAXLEN ~ 10000, or MINID for an age) once its consumer groups have read past what goes."
		if !strings.Contains(ch.Advice, a) {
			ch.Advice += a
		}
	}
	if _, _, ok := watchGrowth(k); ok {
		if c := lengthCommandOf(k.Type); c != "" {
			add(ch, fmt.Sprintf("redis-cli -n %d %s %s", k.DB, c, shellQuote(k.Key)))
		}
		const a = " A key growing minute after minute between passes (the re-measures of the top keys) is filling now: find its writer, check that its consumers keep up, and bound it before it fills the memory."
		if !strings.Contains(ch.Advice, a) {
			ch.Advice += a
		}
	}
	if _, ok := keyGrowth(k); ok {
		add(ch, fmt.Sprintf("redis-cli -n %d MEMORY USAGE %s SAMPLES 5", k.DB, shellQuote(k.Key)))
		const a = " A key that keeps growing between passes is a queue nobody drains or a collection nobody trims: check that its consumers keep up (LLEN / XLEN / XPENDING), bound it (LTRIM, XADD MAXLEN, ZREMRANGEBYRANK) or give it a TTL."
		if !strings.Contains(ch.Advice, a) {
			ch.Advice += a
		}
	}
}

func add(ch *Check, cmd string) {
	if !slices.Contains(ch.Commands, cmd) {
		ch.Commands = append(ch.Commands, cmd)
	}
}

// watchGrowth says how a key grows between passes, from the re-measures of
// the top keys (issue 17), when that is flagged: watch, or warn when it
// gains ThresholdKeyGrowthBytes a minute or more.
func watchGrowth(k ScanKey) (string, Status, bool) {
	t := k.Watch
	if t == nil || t.Flag == "" {
		return "", StatusOK, false
	}
	st := StatusWatch
	if t.BytesPerMin >= ThresholdKeyGrowthBytes {
		st = StatusWarn
	}
	w := "growing"
	if r := t.RateText(); r != "" {
		w += " " + strings.TrimPrefix(r, "↑ ")
	}
	return w + ": " + t.Flag, st, true
}

// lengthCommandOf is the O(1) length command of a type, "" for none.
func lengthCommandOf(typ string) string {
	switch typ {
	case typeList:
		return "LLEN"
	case typeHash:
		return "HLEN"
	case typeSet:
		return "SCARD"
	case typeZset:
		return "ZCARD"
	case typeStream:
		return "XLEN"
	case typeString:
		return "STRLEN"
	}
	return ""
}
