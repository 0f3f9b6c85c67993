package cli

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// TestReportMarkdownIsNotHTMLEscaped: the Markdown report `report` writes
// reads right raw: a big key's "> 1 % of used_memory" is written as it is,
// not as "&gt; 1 %", and no HTML entity appears anywhere in it.
func TestReportMarkdownIsNotHTMLEscaped(t *testing.T) {
	srv := redistest.StartServer(t)
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	fields := make([]any, 0, 2000)
	for i := range 1000 {
		fields = append(fields, "f"+strconv.Itoa(i), strings.Repeat("v", 200))
	}
	if err := w.HSet(ctx, "profile:big", fields...).Err(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "profile:big") || !strings.Contains(out, "> 1 % of used_memory") {
		t.Errorf("the report does not say the big hash is > 1 %% of used_memory:\n%s", out)
	}
	for _, entity := range []string{"&gt;", "&lt;", "&amp;"} {
		if strings.Contains(out, entity) {
			t.Errorf("the raw Markdown holds %s:\n%s", entity, out)
		}
	}
}
