package demo

import "testing"

func TestMixedLoadsAndWrites(t *testing.T) {
	run := runScenario(t, "mixed", nil)
	loaded := run.after[1].Sub("db0", "keys")
	if loaded != 2353 { // 2,000 strings, 200 hashes, 50 lists, 50 sets, 50 zsets, 3 big keys (Fast)
		t.Fatalf("after loading db0 has %d keys", loaded)
	}
	if run.after[1].Sub("db0", "expires") == 0 {
		t.Error("no key has a TTL: half the sessions should")
	}
	if got := run.after[2].Sub("db0", "keys"); got <= loaded {
		t.Errorf("the light load wrote no new keys: %d then %d", loaded, got)
	}
}
