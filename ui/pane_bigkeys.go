package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// ScanController is what the scan keys drive: redisx.ScanWorker satisfies
// it. Its methods must not block (they set a flag and wake the worker).
type ScanController interface {
	TogglePause() bool // returns true when the scan is now paused
	Restart()
}

// ScanActions are the global scan keys for Options.Actions: s pauses and
// resumes the scan, R abandons the pass and starts a new one (the last
// complete pass is kept to show which keys grow). main wires them to the
// worker:
//
//	ui.Options{ExtraPanes: []ui.Pane{ui.NewBigKeysPane(), …}, Actions: ui.ScanActions(worker)}
func ScanActions(c ScanController) []Action {
	return []Action{
		{
			Group: "Scan",
			Key:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "pause / resume the big-key scan")),
			Do: func() string {
				if c.TogglePause() {
					return "scan paused (s resumes)"
				}
				return "scan resumed"
			},
		},
		{
			Group: "Scan",
			Key:   key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "restart the scan (a new pass)")),
			Do: func() string {
				c.Restart()
				return "scan restarted"
			},
		},
	}
}

// Column titles and names that appear in several places.
const (
	colKey      = "key"
	colDB       = "db"
	colType     = "type"
	colEncoding = "encoding"
	colBytes    = "bytes"
	colElements = "elements"
	colTTL      = "TTL"
	colKeys     = "keys"
	colShare    = "share"
	colNode     = "node" // a cluster's keys: the node each lives on
)

// bkView is what the big-keys pane shows.
type bkView int

const (
	bkKeys     bkView = iota // the table of the biggest keys
	bkPrefixes               // memory by key prefix
	bkTypes                  // by type and encoding (+ INFO KEYSIZES)
	bkTTL                    // by TTL bucket (+ the size histogram)
	bkGrowth                 // keys that grew since the previous pass
	bkViews                  // count
)

func (v bkView) String() string {
	switch v {
	case bkPrefixes:
		return "prefixes"
	case bkTypes:
		return "types"
	case bkTTL:
		return colTTL
	case bkGrowth:
		return "growth"
	default:
		return colKeys
	}
}

// bkSort is the key table's sort column.
type bkSort int

const (
	sortBytes bkSort = iota
	sortElements
	sortTTL
	sortKey
	sortType
	sortDB
	sortNode // only offered when the keys have nodes (a cluster)
	sortCols
)

func (s bkSort) String() string {
	switch s {
	case sortElements:
		return colElements
	case sortTTL:
		return colTTL
	case sortKey:
		return colKey
	case sortType:
		return colType
	case sortDB:
		return colDB
	case sortNode:
		return colNode
	default:
		return colBytes
	}
}

// BigKeysKeyMap are the big-keys pane's keys.
type BigKeysKeyMap struct {
	ListKeyMap
	Back, Filter, Sort, View key.Binding
}

// DefaultBigKeysKeyMap returns the pane's keys: ↑/↓ (k/j) select, enter
// opens a key's details, / filters by name (esc clears), o cycles the sort
// column, v cycles the views (keys, prefixes, types, TTL, growth).
func DefaultBigKeysKeyMap() BigKeysKeyMap {
	return BigKeysKeyMap{
		ListKeyMap: DefaultListKeyMap().named("", "", "", "", "key details"),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear the filter")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter by name")),
		Sort:       key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort by the next column")),
		View:       key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "next view: keys, prefixes, types, TTL, growth")),
	}
}

// bigKeysPane is pane 6: the biggest keys found by the background scan,
// sortable and filterable, with views by prefix, type and TTL, and a
// progress bar. It renders from d.Scan; the scan's pause / restart keys are
// global actions (ScanActions).
type bigKeysPane struct {
	keys      BigKeysKeyMap
	view      bkView
	sort      bkSort
	filter    string
	filtering bool // typing a filter: every key comes here
	detail    bool // the selected key's details are open
	// sel is the selected row in the current view; selKey follows a key
	// across re-sorts and fresh snapshots.
	sel     int
	selKey  string
	selDB   int
	selNode string
	page    int // rows of the last render, for pgup / pgdown
	est     estimateMemo
}

// NewBigKeysPane returns pane 6, for Options.ExtraPanes.
func NewBigKeysPane() Pane {
	return &bigKeysPane{keys: DefaultBigKeysKeyMap(), page: 10, selDB: -1}
}

func (*bigKeysPane) ID() PaneID     { return PaneBigKeys }
func (*bigKeysPane) Title() string  { return "Big keys" }
func (*bigKeysPane) MinHeight() int { return 6 }

// PreferredHeight asks for a screenful of keys in the wide layout.
func (*bigKeysPane) PreferredHeight(*Data, int) int { return 16 }

// CapturesInput is true while a filter is typed.
func (p *bigKeysPane) CapturesInput() bool { return p.filtering }

func (p *bigKeysPane) KeyBindings() []key.Binding {
	k := p.keys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Open, k.Back, k.Filter, k.Sort, k.View}
}

// HandleKey moves the selection, opens details, cycles the sort and the
// view, and edits the filter.
func (p *bigKeysPane) HandleKey(msg tea.KeyPressMsg, d *Data) (bool, tea.Cmd) {
	if p.filtering {
		p.editFilter(msg)
		return true, nil
	}
	k := p.keys
	switch {
	case key.Matches(msg, k.Up):
		p.move(d, -1)
	case key.Matches(msg, k.Down):
		p.move(d, 1)
	case key.Matches(msg, k.PageUp):
		p.move(d, -max(p.page-1, 1))
	case key.Matches(msg, k.PageDown):
		p.move(d, max(p.page-1, 1))
	case key.Matches(msg, k.Top):
		p.move(d, -1<<20)
	case key.Matches(msg, k.Bottom):
		p.move(d, 1<<20)
	case key.Matches(msg, k.Open):
		if p.view == bkKeys || p.view == bkGrowth {
			p.detail = !p.detail && p.rowCount(d) > 0
		}
	case key.Matches(msg, k.Back):
		switch {
		case p.detail:
			p.detail = false
		case p.filter != "":
			p.filter = ""
			p.sel = 0
		default:
			return false, nil
		}
	case key.Matches(msg, k.Filter):
		p.filtering, p.detail = true, false
	case key.Matches(msg, k.Sort):
		p.sort = (p.sort + 1) % sortCols
		if p.sort == sortNode && !hasNodes(d.Scan.Best()) {
			p.sort = (p.sort + 1) % sortCols
		}
		p.view, p.detail = bkKeys, false
	case key.Matches(msg, k.View):
		p.view = (p.view + 1) % bkViews
		p.sel, p.detail = 0, false
	default:
		return false, nil
	}
	return true, nil
}

// editFilter handles a key while the filter is typed: text is appended,
// backspace deletes, enter keeps the filter, esc clears it.
func (p *bigKeysPane) editFilter(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "enter":
		p.filtering = false
	case "esc":
		p.filtering, p.filter = false, ""
	case "backspace":
		if r := []rune(p.filter); len(r) > 0 {
			p.filter = string(r[:len(r)-1])
		}
	case "space":
		p.filter += " "
	default:
		if msg.Text != "" && len(p.filter) < 200 {
			p.filter += msg.Text
		}
	}
	p.sel, p.selKey = 0, ""
}

// HandleMouse scrolls the selection with the wheel.
func (p *bigKeysPane) HandleMouse(msg tea.MouseMsg, d *Data) (bool, tea.Cmd) {
	wheel, ok := msg.(tea.MouseWheelMsg)
	if !ok {
		return false, nil
	}
	switch wheel.Mouse().Button {
	case tea.MouseWheelUp:
		p.move(d, -1)
	case tea.MouseWheelDown:
		p.move(d, 1)
	default:
		return false, nil
	}
	return true, nil
}

// move steps the selection within the current view's rows.
func (p *bigKeysPane) move(d *Data, delta int) {
	n := p.rowCount(d)
	if n == 0 {
		p.sel = 0
		return
	}
	p.sel = min(max(p.sel+delta, 0), n-1)
	if p.view == bkKeys {
		rows := p.keyRows(d)
		p.selKey, p.selDB, p.selNode = rows[p.sel].Key, rows[p.sel].DB, rows[p.sel].Node
	}
}

func (p *bigKeysPane) rowCount(d *Data) int {
	switch p.view {
	case bkKeys:
		return len(p.keyRows(d))
	case bkPrefixes:
		return len(p.prefixRows(d))
	case bkGrowth:
		return len(p.growthRows(d))
	default:
		return 0
	}
}

func (p *bigKeysPane) Render(d *Data, st *themes.Styles, w, h int, focused bool) string {
	iw, ih := InnerSize(st, w, h)
	return Frame(st, p.Title(), p.body(d, st, iw, ih), w, h, focused)
}

// Summary is the collapsed line: the scan's state and the biggest key.
func (p *bigKeysPane) Summary(d *Data, st *themes.Styles, w int) string {
	line := st.Title.Render("Big keys") + "  " + scanStateText(d.Scan, st, max(w-10, 10), false)
	if bk := d.Scan.Best(); bk != nil && len(bk.TopBytes) > 0 {
		k := bk.TopBytes[0]
		// The biggest key only when it fits whole: the scan's facts come first.
		if top := line + st.Muted.Render(" · top ") + st.Text.Render(model.Sanitize(k.Key, 30)) + " " + st.Value.Render(model.Bytes(float64(k.Bytes))); cellWidth(top) <= w {
			line = top
		}
	}
	return cut(line, w)
}

func (p *bigKeysPane) body(d *Data, st *themes.Styles, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := scanStateLines(d.Scan, st, w, true)
	if h >= 7 {
		lines = append(lines, estimateLines(p.est.get(d.Scan, model.EstimateCap(d.Hist.LastOK())), st, w, (h-6)/2)...)
	}
	if h >= 8 && d.Scan != nil {
		if notes := d.Scan.Progress.Notes; len(notes) > 0 {
			lines = append(lines, st.Warn.Render(cut(model.Sanitize("limited: "+strings.Join(notes, "; "), 0), w)))
		}
	}
	footer := ""
	switch {
	case p.filtering:
		footer = st.Accent.Render("/") + st.Text.Render(model.Sanitize(p.filter, max(w-3, 1))) + st.Accent.Render("█")
	case h-len(lines) >= 4:
		footer = st.Muted.Render(cut(p.hint(), w))
	}
	rows := h - len(lines)
	if footer != "" {
		rows--
	}
	if rows > 0 {
		var content []string
		if p.detail {
			content = p.detailLines(d, st, w)
		} else {
			content = p.viewLines(d, st, w, rows)
		}
		if len(content) > rows {
			content = content[:rows]
		}
		lines = append(lines, content...)
	}
	for len(lines) < h-1 && footer != "" {
		lines = append(lines, "")
	}
	if footer != "" && len(lines) < h {
		lines = append(lines, footer)
	}
	return fitJoin(lines, w)
}

// hint is the footer: the keys that matter in this view.
func (p *bigKeysPane) hint() string {
	var b strings.Builder
	if p.detail {
		return "esc back · s pause scan"
	}
	b.WriteString("v view: " + p.view.String())
	if p.view == bkKeys {
		b.WriteString(" · o sort: " + p.sort.String() + " · enter details")
	}
	if p.filter != "" {
		b.WriteString(" · filter \"" + model.Sanitize(p.filter, 20) + "\" (esc clears)")
	} else {
		b.WriteString(" · / filter")
	}
	b.WriteString(" · s pause")
	return b.String()
}
