package model

import (
	"os"
	"strconv"

	"github.com/clipperhouse/displaywidth"
	"github.com/clipperhouse/uax29/v2/graphemes"
)

// cellWidth measures text in terminal cells the way the screen does
// (lipgloss and x/ansi measure a grapheme cluster with displaywidth, East
// Asian ambiguous characters narrow unless RUNEWIDTH_EASTASIAN says so), so
// what Sanitize cuts to a width fits that width on screen; model stays free
// of the UI's modules.
var cellWidth = displaywidth.Options{EastAsianWidth: eastAsian()}

func eastAsian() bool {
	ea, err := strconv.ParseBool(os.Getenv("RUNEWIDTH_EASTASIAN"))
	return err == nil && ea
}

// firstCluster is the first grapheme cluster of s and its width in cells.
func firstCluster(s string) (string, int) {
	c := graphemes.FromString(s).First()
	return c, cellWidth.String(c)
}

// textWidth is the width in cells of s, which holds no escape sequences.
func textWidth(s string) int {
	w := 0
	for it := graphemes.FromString(s); it.Next(); {
		w += cellWidth.String(it.Value())
	}
	return w
}
