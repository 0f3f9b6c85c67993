// Package model is the pure domain of redis-memtop: samples, history, rates,
// diagnosis rules and the report and recording formats. It imports neither
// Bubble Tea nor go-redis, and it never reads the clock: times come in as
// arguments.
//
// It is one package, so that its importers never move, and its files are
// named for the part they belong to:
//
//   - sample.go, history.go, extras.go, opt.go, update.go: what a poll reads
//     and how it is kept (Sample, History, Extras, the Opt of a figure that
//     may be absent, the Update a source sends).
//   - backfill.go: history from before the first poll (read from
//     Prometheus): the Backfill update, History.Seed putting it in front of
//     the live samples (marked Sample.Backfilled), and the split of a span
//     into stored and live history the verdict words.
//   - rules.go: the checklist's vocabulary (Status and its worst-first Rank,
//     Check, PaneRef) and the one engine every checklist runs on: a rule[In]
//     is an id, a topic, a pane and an eval func over its input; runRules
//     evaluates a table of them and sortWorstFirst gives the one order.
//   - rules_server.go: the single-server table (serverRules), in the order
//     of DESIGN.md, and Evaluate; rules_cluster.go (clusterRules,
//     EvaluateCluster) and rules_fleet.go (fleetRules, EvaluateFleet) are
//     the same shape over a cluster view and a fleet.
//   - rules_<topic>.go: the rules themselves — rules_limits.go (maxmemory,
//     policy, headroom, evictions, logical DBs), rules_fragmentation.go
//     (fragmentation, RSS vs used, active defrag, peak), rules_fork.go
//     (fork, unsaved data), rules_keys.go (big keys, TTL, encodings),
//     rules_buffers.go (client and replication buffers, scripts),
//     rules_host.go (swap and host), rules_evidence.go (the evidence
//     reminder, last after the findings — Checklist.Findings / Reminder —
//     and Diagnosis.WithEvidenceSaved for a report being written). Parts of
//     those checks live beside them: rules_policy.go (volatile-* judged by
//     the bytes with a TTL, noeviction's reading, allkeys-random),
//     rules_projection.go (RSS at the limit against the machine),
//     rules_restartfix.go (restart or fail over versus defrag, defrag held
//     back under pressure), rules_restart.go (a restart as an OOM kill's
//     trace, in the peak check), rules_hostmem.go (MemAvailable, swap,
//     swappiness).
//   - rules_backlog.go, rules_growth.go, rules_encodings_all.go,
//     rules_onreads.go, rules_ttlshare.go: parts of existing checks that
//     weigh what the guides teach beyond them (issue 14): the replication
//     backlog (replication-buffers), keys and streams that keep growing
//     (big-keys), encodings among all keys and per-key overhead
//     (encodings), O(N) reads in commandstats (client-buffers), the share
//     of keys with a TTL falling (ttl-discipline). commandstats.go holds
//     the O(N) reads a sample keeps.
//   - rates.go, fork_cost.go: the figures every face shows alike — the
//     rate "now" (History.Recent, over ThresholdRecentRateSpan) and the
//     latest fork graded on its stall and the memory at the fork
//     (History.LatestForkCost, in ms per GB) — for the panes, the checks
//     and the report.
//   - command_target.go, command_writes.go: how the rules' commands reach
//     the right server. The rules write "redis-cli ARGS"; CommandTarget
//     (host, port or socket, db, TLS, user — never a password; Inputs,
//     ReportInput, ClusterInputs carry it) gives every command the
//     connection's flags in one place, and gateWrites keeps a command that
//     changes the server only where its check found something and the
//     server can run it.
//   - rules_thresholds.go: every threshold, named, valued and sourced —
//     the server rules', the verdict's and the cluster rules'.
//   - rules_context.go, rules_trend.go, rules_scan.go, rules_scanfrom.go,
//     rules_format.go: what the rules read (the context, the trend over the
//     window, the scan facts) and how they word figures in a title.
//   - verdict.go, checklist.go: the verdict (the dominant cause) and the
//     Diagnosis that pairs it with the checklist; verdict_phase.go the
//     present phase it judges (the changes of regime: a fork, a restart or
//     reload, a mass delete, evictions or OOM starting, a new maxmemory),
//     the states of the present (evicting, writes refused, loading) and
//     the Earlier line.
//   - bigkeys*.go: the big-key aggregation. BigKeys is the one schema of
//     the aggregate: the pane draws it, a recording stores it, and the
//     report writes it inline in BigKeysReport (bigkeys_report.go, with the
//     "## Big keys" Markdown). bigkeys_top.go, bigkeys_prefix.go,
//     bigkeys_merge.go, bigkeys_keysizes.go hold its parts; bigkeys_watch.go
//     the re-measures of the top keys between passes (KeyWatch, KeyGrowth:
//     growth per minute and its flag; verdict_keygrowth.go weighs it);
//     bigkeys_json.go the binary-safe key names; bigkeys_state.go the scan's
//     progress; bigkeys_estimate.go the estimates of a partial pass.
//   - report.go, report_markdown.go, cluster_report.go, actionlog.go: the
//     incident report (redis-memtop.report/1) and its sections, the actions
//     taken among them; markdown.go holds the one
//     set of Markdown cell / code / number / bytes / TTL helpers every
//     section writes through.
//   - recording.go, replay.go: the recording format (redis-memtop.recording/1)
//     and its replay.
//   - format.go, sanitize.go: how figures and server strings are drawn
//     (Bytes, Duration, Count…; Sanitize for anything a server sent).
package model
