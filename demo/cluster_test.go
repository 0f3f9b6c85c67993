package demo

import "testing"

func TestParseNodes(t *testing.T) {
	text := "a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 [42->-b2] [7000-<-c3]\n" +
		"b2 127.0.0.1:7002@17002,host.example master,fail - 0 0 2 disconnected 5461\n" +
		"d4 127.0.0.1:7004@17004 slave a1 0 0 1 connected\n"
	lines, err := parseNodes(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	a, b, d := lines[0], lines[1], lines[2]
	if !a.myself() || !a.master() || a.addr != "127.0.0.1:7001" || !a.serves(0) || !a.serves(5460) || a.serves(5461) {
		t.Errorf("first line: %+v", a)
	}
	if a.migrating[42] != "b2" || a.importing[7000] != "c3" || !a.serves(42) || a.serves(7000) {
		t.Errorf("migrating %v, importing %v", a.migrating, a.importing)
	}
	if !b.failing() || b.link != "disconnected" || b.addr != "127.0.0.1:7002" || !b.serves(5461) || b.serves(5462) {
		t.Errorf("second line: %+v", b)
	}
	if d.master() || d.masterID != "a1" || len(d.slots) != 0 {
		t.Errorf("replica line: %+v", d)
	}
	if _, err := parseNodes("a1 127.0.0.1:7001@17001 master"); err == nil {
		t.Error("a short line was accepted")
	}
}
