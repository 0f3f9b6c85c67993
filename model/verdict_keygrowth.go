package model

import "fmt"

// withKeyGrowth weighs the re-measures of the top keys (issue 17): a key
// flagged as growing is evidence of data growth. The verdict names it; a
// verdict of "stable" — memory moved less than the trend's noise floor —
// becomes data growth at low confidence, since one queue filling at a few
// hundred KB a minute hides under the floor for a long while before it
// shows in used_memory. States of the present (evicting, writes refused,
// loading) and other causes keep their kind.
func withKeyGrowth(c *ruleCtx, v VerdictResult) VerdictResult {
	if c.scan == nil || len(c.scan.Growing) == 0 {
		return v
	}
	g := c.scan.Growing
	lead := g[0]
	for i, k := range g {
		if i == 3 {
			v.Evidence = append(v.Evidence, fmt.Sprintf("… and %d more growing key(s) in the big-keys pane", len(g)-3))
			break
		}
		v.Evidence = append(v.Evidence, "growing key: "+k.Line())
	}
	name := fmt.Sprintf("db%d %s", lead.DB, serverLabel(lead.Key))
	rate := lead.RateText()
	if rate == "" {
		rate = "growing"
	}
	switch v.Kind {
	case VerdictStable:
		v.Kind = VerdictDataGrowth
		v.Confidence = ConfidenceLow
		v.Summary = fmt.Sprintf("Looks like data growth in %d key(s): %s grows %s (%s), while used memory still moved less than the trend counts. Low confidence: the growth is the re-measures of the top keys, not yet used_memory.",
			len(g), name, trimArrow(rate), lead.Flag)
	case VerdictDataGrowth:
		v.Summary += fmt.Sprintf(" Growing now: %s, %s.", name, trimArrow(rate))
	default:
	}
	return v
}

func trimArrow(s string) string {
	const arrow = "↑ "
	if len(s) >= len(arrow) && s[:len(arrow)] == arrow {
		return s[len(arrow):]
	}
	return s
}
