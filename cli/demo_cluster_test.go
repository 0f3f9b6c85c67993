package cli

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// TestDemoClusterDrivesTheOverview runs `demo cluster`'s wiring headlessly:
// the cluster runner (Fast, each stage held 3 s) and the real cluster
// overview on it, polled every 100 ms. At each stage the caption is on
// screen and the cluster check the stage is about turns: memory balance
// warns while one shard runs hot; the half-done reshard is flagged (watch)
// and, held — p pauses the workload, which stops the stage's clock —
// called stuck (warn); after the kill the promoted master without a replica
// warns. n skips a hold; r after the end gives a fresh, healthy cluster.
func TestDemoClusterDrivesTheOverview(t *testing.T) {
	redistest.RequireServer(t)
	captions := make(chan model.Update, 16)
	cfg := app.Config{Interval: 100 * time.Millisecond, History: time.Minute, Theme: "dark"}
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	runner, err := demo.NewClusterRunner(ctx, demo.ClusterRunnerOptions{
		Binary: os.Getenv("REDIS_SERVER"), Updates: captions, Fast: true, Hold: 3 * time.Second, Interval: cfg.Interval,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(runner.Close)
	run, first, closeMon, err := app.DemoClusterOverview(ctx, runner, captions, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeMon)
	if len(run.Actions) != 3 || run.Target != "demo cluster "+runner.SeedAddr() {
		t.Fatalf("actions %d, target %q", len(run.Actions), run.Target)
	}
	rig := startMultiRig(t, run, first, 120, 40)

	runCtx, stopRun := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.Run(runCtx) }()
	t.Cleanup(func() {
		stopRun()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})

	status := func(id string) model.Status {
		for _, c := range rig.m.Checks() {
			if c.ID == id {
				return c.Status
			}
		}
		return model.StatusUnknown
	}
	// atStage waits until the caption is at stage and cond holds, failing
	// when the scenario moves past the stage or its workload stops.
	atStage := func(stage int, what string, cond func() bool) {
		t.Helper()
		rig.until(what, 60*time.Second, func() bool {
			c := rig.m.Caption()
			if c == nil {
				return false
			}
			if c.Stage > stage || strings.Contains(c.Text, "the workload stopped") {
				t.Fatalf("waiting for %s at stage %d, the caption is %q; checks:\n%s", what, stage, c.Text, checksText(rig.m.Checks()))
			}
			return c.Stage == stage && c.Of == 4 && cond()
		})
	}

	atStage(1, "the even load's figures", func() bool {
		return strings.Contains(rig.m.Caption().Text, "spread over the slots") && status(model.CheckClusterMemoryBalance) == model.StatusOK
	})
	if f := rig.frame(); !strings.Contains(f, "▶ Stage 1/4:") {
		t.Errorf("the caption is not on screen:\n%s", f)
	}
	rig.key("n")
	if rig.m.Status() != "next stage…" {
		t.Errorf("n: status %q", rig.m.Status())
	}

	atStage(2, "memory balance to warn", func() bool { return status(model.CheckClusterMemoryBalance) == model.StatusWarn })
	if f := rig.frame(); !strings.Contains(f, "▶ Stage 2/4:") {
		t.Errorf("the stage 2 caption is not on screen:\n%s", f)
	}

	atStage(3, "the migration flagged", func() bool { return status(model.CheckClusterMigration) == model.StatusWatch })
	rig.key("p")
	if !strings.Contains(rig.m.Status(), "paused") {
		t.Errorf("p: status %q", rig.m.Status())
	}
	atStage(3, "the migration called stuck", func() bool { return status(model.CheckClusterMigration) == model.StatusWarn })
	if s := runner.Status(); !s.Paused || s.Stage != 3 {
		t.Errorf("runner status while paused: %+v", s)
	}
	rig.key("p")
	if !strings.Contains(rig.m.Status(), "resumed") {
		t.Errorf("p again: status %q", rig.m.Status())
	}

	atStage(4, "the replicas check to warn", func() bool { return status(model.CheckClusterReplicas) == model.StatusWarn })
	if status(model.CheckClusterMigration) != model.StatusOK {
		t.Errorf("after the clean-up the migration check is %v", status(model.CheckClusterMigration))
	}
	if f := rig.frame(); !strings.Contains(f, "▶ Stage 4/4:") {
		t.Errorf("the stage 4 caption is not on screen:\n%s", f)
	}

	rig.until("the scenario finished", 60*time.Second, func() bool {
		c := rig.m.Caption()
		return c != nil && strings.Contains(c.Text, "Scenario cluster finished")
	})
	rig.key("r")
	rig.until("a fresh, healthy cluster at stage 1", 60*time.Second, func() bool {
		c, v := rig.m.Caption(), rig.m.ClusterView()
		if c == nil || c.Stage != 1 || v == nil {
			return false
		}
		tot := v.Totals()
		return tot.Masters == 3 && tot.Replicas == 3 && tot.Unreachable == 0 && tot.SlotsServed == model.ClusterSlots &&
			status(model.CheckClusterReplicas) == model.StatusOK && status(model.CheckClusterUnreachable) == model.StatusOK
	})
}

func checksText(cl model.Checklist) string {
	var b strings.Builder
	for _, c := range cl {
		b.WriteString(c.ID + ": " + string(c.Status) + " " + c.Title + "\n")
	}
	return b.String()
}

// TestDemoClusterListAndUsage: demo --list names the cluster scenario, and
// --record, which the overview cannot do, is a usage error before any
// server starts.
func TestDemoClusterListAndUsage(t *testing.T) {
	code, out, _ := runCLI(t, "demo", "--list")
	if code != 0 || !strings.Contains(out, demo.ClusterScenario+" ") || !strings.Contains(out, demo.ClusterSummary) {
		t.Errorf("demo --list: exit %d\n%s", code, out)
	}
	code, _, errOut := runCLI(t, "demo", "--record", t.TempDir()+"/x.jsonl", "Cluster")
	if code != ExitUsage || !strings.Contains(errOut, "--record") {
		t.Errorf("demo --record cluster: exit %d, stderr %q", code, errOut)
	}
}
