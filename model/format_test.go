package model_test

import (
	"math"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestBytes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   float64
		want string
	}{
		{0, "0B"},
		{1, "1B"},
		{512, "512B"},
		{1023, "1023B"},
		{1024, "1.00K"},
		{1536, "1.50K"},
		{1468006, "1.40M"}, // Redis's used_memory_human for this value
		{1024*1024 - 1, "1.00M"},
		{3 * 1 << 30, "3.00G"},
		{5.5 * (1 << 40), "5.50T"},
		{2048 * (1 << 40), "2048.00T"},
		{-12800, "-12.50K"},
		{-1, "-1B"},
		{math.NaN(), model.NotANumber},
		{math.Inf(1), model.NotANumber},
	}
	for _, tc := range cases {
		if got := model.Bytes(tc.in); got != tc.want {
			t.Errorf("Bytes(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOptFormatters(t *testing.T) {
	t.Parallel()
	none := model.None()
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"bytes absent", model.OptBytes(none), "—"},
		{"bytes zero is a value", model.OptBytes(model.Some(0)), "0B"},
		{"bytes", model.OptBytes(model.Some(1468006)), "1.40M"},
		{"percent absent", model.OptPercent(none), "—"},
		{"percent", model.OptPercent(model.Some(85.26)), "85.3%"},
		{"ratio absent", model.OptRatio(none), "—"},
		{"ratio", model.OptRatio(model.Some(1.4349)), "1.43"},
		{"rate absent", model.OptRate(none), "—"},
		{"rate zero", model.OptRate(model.Some(0)), "0/s"},
		{"count absent", model.OptCount(none), "—"},
		{"count", model.OptCount(model.Some(1234567)), "1.2M"},
		{"seconds absent", model.Seconds(none), "—"},
		{"seconds", model.Seconds(model.Some(3725)), "1h02m"},
		{"seconds float error", model.Seconds(model.Some(20 * (1 - 0.8) / 0.8)), "5.0s"},
		{"seconds huge", model.Seconds(model.Some(1e300)), "106751d23h"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{350 * time.Microsecond, "350µs"},
		{2300 * time.Microsecond, "2.3ms"},
		{10 * time.Millisecond, "10ms"},
		{850 * time.Millisecond, "850ms"},
		{1500 * time.Millisecond, "1.5s"},
		{9999 * time.Millisecond, "9.9s"},
		{12 * time.Second, "12s"},
		{3*time.Minute + 4*time.Second, "3m04s"},
		{2*time.Hour + 5*time.Minute + 59*time.Second, "2h05m"},
		{76 * time.Hour, "3d04h"},
		{-12 * time.Second, "-12s"},
		{math.MinInt64, "-106751d23h"},
	}
	for _, tc := range cases {
		if got := model.Duration(tc.in); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPercentRateCount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"percent", model.Percent(75), "75.0%"},
		{"percent small", model.Percent(0.04), "0.0%"},
		{"percent over", model.Percent(120.55), "120.5%"},
		{"percent nan", model.Percent(math.NaN()), model.NotANumber},
		{"rate fraction", model.Rate(0.25), "0.25/s"},
		{"rate int", model.Rate(12), "12/s"},
		{"rate k", model.Rate(1234), "1.2k/s"},
		{"rate M", model.Rate(3.45e6), "3.5M/s"},
		{"rate inf", model.Rate(math.Inf(-1)), model.NotANumber},
		{"count 999.999 rounds up", model.Count(999.999), "1.0k"},
		{"count 999950", model.Count(999950), "1.0M"},
		{"count negative", model.Count(-2500), "-2.5k"},
		{"count fraction", model.Count(0.5), "0.5"},
		{"ratio nan", model.Ratio(math.NaN()), model.NotANumber},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
