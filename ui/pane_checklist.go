package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// FocusPaneMsg asks the root to move the focus to a pane. The checklist sends
// it when the user presses g on a check, to jump to the pane that shows the
// check's evidence. The root ignores it when that pane is not on screen.
type FocusPaneMsg struct {
	Pane PaneID
}

// checklistView is what the checklist pane shows.
type checklistView int

const (
	viewList   checklistView = iota // the verdict and one line per check
	viewDetail                      // the selected check: why, evidence, commands
	viewDoctor                      // MEMORY DOCTOR's own text
)

// ChecklistKeyMap are the checklist pane's keys.
type ChecklistKeyMap struct {
	ListKeyMap
	Back, Jump, Doctor key.Binding
}

// DefaultChecklistKeyMap returns the checklist's keys: ↑/↓ (k/j) select or
// scroll, enter opens the selected check, g jumps to the pane with its
// evidence, d shows MEMORY DOCTOR's text, esc goes back.
func DefaultChecklistKeyMap() ChecklistKeyMap {
	return ChecklistKeyMap{
		ListKeyMap: DefaultListKeyMap().named("previous check / scroll", "next check / scroll", "first", "last", "why, evidence, commands"),
		Back:       key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back to the list")),
		Jump:       key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "go to the pane with the evidence")),
		Doctor:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "MEMORY DOCTOR's text")),
	}
}

// checklistPane is pane 7: the verdict on top, the checks worst first; enter
// opens one, g jumps to its evidence, d shows MEMORY DOCTOR.
type checklistPane struct {
	keys ChecklistKeyMap
	view checklistView
	// sel is the selected check's id (so the selection follows the check
	// when the order changes); selIdx is where it was, for when it vanishes.
	sel    string
	selIdx int
	scroll int // first line shown in the detail and doctor views
	page   int // lines of the last render's scrolling area, for pgup/pgdown
}

// NewChecklistPane returns pane 7, for Options.ExtraPanes.
func NewChecklistPane() Pane {
	return &checklistPane{keys: DefaultChecklistKeyMap(), page: 10}
}

func (*checklistPane) ID() PaneID     { return PaneChecklist }
func (*checklistPane) Title() string  { return "Checklist" }
func (*checklistPane) MinHeight() int { return 6 }
func (p *checklistPane) KeyBindings() []key.Binding {
	k := p.keys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Open, k.Back, k.Jump, k.Doctor}
}

// PreferredHeight asks for the verdict, every check and the footer.
func (*checklistPane) PreferredHeight(d *Data, _ int) int {
	return len(diagnosisOf(d).Checks) + 6
}

// diagnosisOf returns the data's diagnosis, or evaluates one from it when
// the root has not (tests, a Data built by hand). Both are pure.
func diagnosisOf(d *Data) *model.Diagnosis {
	if d.Checklist != nil {
		return d.Checklist
	}
	dg := model.Diagnose(checklistInputs(d))
	return &dg
}

// checklistInputs are the rules' inputs taken from the data on screen.
func checklistInputs(d *Data) model.Inputs {
	return model.Inputs{
		Now:           d.Now,
		Hist:          d.Hist,
		Extras:        d.Extras,
		Scan:          scanFactsOf(d),
		EvidenceSaved: d.EvidenceSaved,
		CommandTarget: d.Commands,
	}
}

// scanFactsOf is what the big-key scan tells the rules; nil before the
// scan's first update (the rules then say "no scan yet").
func scanFactsOf(d *Data) *model.ScanFacts { return model.ScanFactsFrom(d.Scan) }

// statusLevel maps a check status to the theme's level.
func statusLevel(s model.Status) themes.Level {
	switch s {
	case model.StatusOK:
		return themes.LevelOK
	case model.StatusWatch:
		return themes.LevelWatch
	case model.StatusWarn:
		return themes.LevelWarn
	case model.StatusCrit:
		return themes.LevelCrit
	default:
		return themes.LevelUnknown
	}
}

// verdictLevel colours the verdict: stable is ok, a cause is watch (the
// checks carry the severity), no verdict is unknown.
func verdictLevel(k model.VerdictKind) themes.Level {
	switch k {
	case model.VerdictStable:
		return themes.LevelOK
	case model.VerdictUnknown:
		return themes.LevelUnknown
	case model.VerdictWritesRefused:
		return themes.LevelCrit // writes are failing: the one verdict that is itself an outage
	default:
		return themes.LevelWatch
	}
}

// paneOf maps a check's evidence pane to the screen's pane.
func paneOf(r model.PaneRef) (PaneID, bool) {
	switch r {
	case model.PaneMemory:
		return PaneMemory, true
	case model.PaneFragmentation:
		return PaneFrag, true
	case model.PaneLimits:
		return PaneLimits, true
	case model.PanePersistence:
		return PanePersist, true
	case model.PaneBigKeys:
		return PaneBigKeys, true
	case model.PaneNone:
	}
	return 0, false
}

// selected returns the index of the selected check in cl (keeping it in
// range when the list changed).
func (p *checklistPane) selected(cl model.Checklist) int {
	if len(cl) == 0 {
		return 0
	}
	for i, c := range cl {
		if c.ID == p.sel {
			return i
		}
	}
	return min(max(p.selIdx, 0), len(cl)-1)
}

func (p *checklistPane) selectIdx(cl model.Checklist, i int) {
	if len(cl) == 0 {
		return
	}
	i = min(max(i, 0), len(cl)-1)
	p.sel, p.selIdx = cl[i].ID, i
}

// HandleKey moves the selection, opens and closes the detail and doctor
// views, and turns g into a FocusPaneMsg.
func (p *checklistPane) HandleKey(msg tea.KeyPressMsg, d *Data) (bool, tea.Cmd) {
	cl := diagnosisOf(d).Checks.Findings()
	i := p.selected(cl)
	k := p.keys
	switch {
	case key.Matches(msg, k.Up):
		p.move(cl, i, -1)
	case key.Matches(msg, k.Down):
		p.move(cl, i, 1)
	case key.Matches(msg, k.PageUp):
		p.move(cl, i, -max(p.page-1, 1))
	case key.Matches(msg, k.PageDown):
		p.move(cl, i, max(p.page-1, 1))
	case key.Matches(msg, k.Top):
		p.move(cl, i, -1<<20)
	case key.Matches(msg, k.Bottom):
		p.move(cl, i, 1<<20)
	case key.Matches(msg, k.Open):
		if p.view == viewDetail {
			p.view = viewList
		} else if len(cl) > 0 {
			p.selectIdx(cl, i)
			p.view, p.scroll = viewDetail, 0
		}
	case key.Matches(msg, k.Back):
		if p.view == viewList {
			return false, nil
		}
		p.view = viewList
	case key.Matches(msg, k.Doctor):
		if p.view == viewDoctor {
			p.view = viewList
		} else {
			p.view, p.scroll = viewDoctor, 0
		}
	case key.Matches(msg, k.Jump):
		if len(cl) == 0 {
			return true, nil
		}
		target, ok := paneOf(cl[i].Pane)
		if !ok {
			return true, nil
		}
		return true, func() tea.Msg { return FocusPaneMsg{Pane: target} }
	default:
		return false, nil
	}
	return true, nil
}

// move steps the selection in the list, or scrolls the detail and doctor
// views.
func (p *checklistPane) move(cl model.Checklist, i, delta int) {
	if p.view == viewList {
		p.selectIdx(cl, i+delta)
		return
	}
	p.scroll = max(p.scroll+delta, 0) // Render clamps the far end
}

// HandleMouse scrolls with the wheel.
func (p *checklistPane) HandleMouse(msg tea.MouseMsg, d *Data) (bool, tea.Cmd) {
	wheel, ok := msg.(tea.MouseWheelMsg)
	if !ok {
		return false, nil
	}
	cl := diagnosisOf(d).Checks.Findings()
	switch wheel.Mouse().Button {
	case tea.MouseWheelUp:
		p.move(cl, p.selected(cl), -1)
	case tea.MouseWheelDown:
		p.move(cl, p.selected(cl), 1)
	default:
		return false, nil
	}
	return true, nil
}

func (p *checklistPane) Render(d *Data, st *themes.Styles, w, h int, focused bool) string {
	iw, ih := InnerSize(st, w, h)
	return Frame(st, p.Title(), p.body(d, st, iw, ih), w, h, focused)
}

// Summary is the collapsed line: the verdict and the count per status.
func (p *checklistPane) Summary(d *Data, st *themes.Styles, w int) string {
	dg := diagnosisOf(d)
	line := st.Title.Render("Checklist") + "  " + st.ForLevel(verdictLevel(dg.Verdict.Kind)).Render(dg.Verdict.Kind.Label())
	if t, stale := d.StaleAsOf(); stale {
		line += " " + st.Badge.Render("⏸ "+pausedText(t))
	}
	for _, s := range []model.Status{model.StatusCrit, model.StatusWarn, model.StatusWatch, model.StatusUnknown} {
		if n := dg.Checks.Findings().Count(s); n > 0 {
			line += st.Muted.Render(" · ") + st.ForLevel(statusLevel(s)).Render(strconv.Itoa(n)+" "+string(s))
		}
	}
	return cut(line, w)
}

func (p *checklistPane) body(d *Data, st *themes.Styles, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	dg := diagnosisOf(d)
	switch p.view {
	case viewDetail:
		cl := dg.Checks.Findings()
		if len(cl) > 0 {
			return p.scrolled(st, p.detailLines(cl[p.selected(cl)], st, w), "esc back · g go to pane · ↑↓ scroll", w, h)
		}
		p.view = viewList
	case viewDoctor:
		return p.scrolled(st, doctorLines(d, st, w), "esc back · ↑↓ scroll", w, h)
	default:
	}
	if t, stale := d.StaleAsOf(); stale && h >= 2 {
		// The verdict judges the last data, not the server now: say so
		// above it.
		return cut(st.Badge.Render("⏸ "+pausedText(t)), w) + "\n" + p.listBody(dg, st, w, h-1)
	}
	return p.listBody(dg, st, w, h)
}

// minCheckRows is the fewest lines of checks the list keeps under the
// verdict when the pane has them.
const minCheckRows = 3

// listHint is the list view's key hint.
const listHint = "↑↓ select · enter why · g go to pane · d MEMORY DOCTOR"

// footer is the muted key hint line.
func (p *checklistPane) footer(st *themes.Styles, w int, hint string) string {
	return st.Muted.Render(cut(hint, w))
}

// verdictLines are the headline, the summary and, when the verdict judges a
// phase that began inside the window, what came before it — each wrapped
// whole, at most most lines (only then is the last one cut with "…", and
// what came before goes first).
func verdictLines(v model.VerdictResult, st *themes.Styles, w, most int) []string {
	head := []span{{st.Label, "Verdict: "}, {st.ForLevel(verdictLevel(v.Kind)), v.Kind.Label()}}
	if v.Kind != model.VerdictUnknown {
		head = append(head, span{st.Muted, " (" + string(v.Confidence) + " confidence)"})
	}
	lines := wrapSpans(head, w)
	if most > len(lines) {
		lines = append(lines, wrapStyled(st.Text, model.Sanitize(v.Summary, 0), w)...)
	}
	if v.Earlier != "" && most > len(lines) {
		lines = append(lines, wrapSpans([]span{{st.Label, "Earlier: "}, {st.Muted, model.Sanitize(v.Earlier, 0)}}, w)...)
	}
	if most > 0 && len(lines) > most {
		lines = lines[:most]
		lines[most-1] = cut(lines[most-1]+"…", w)
	}
	return lines
}

// statusCell is the mark and the word of a status, padded: "✗ crit   ".
func statusCell(s model.Status, st *themes.Styles) string {
	word := string(s)
	return st.ForLevel(statusLevel(s)).Render(s.Mark()+" "+word) + strings.Repeat(" ", 8-len(word))
}

func (p *checklistPane) listBody(dg *model.Diagnosis, st *themes.Styles, w, h int) string {
	cl := dg.Checks.Findings()
	// The verdict takes the lines it needs, leaving at least minCheckRows
	// checks, the reminder and the key hint.
	vmost := max(h-3-minCheckRows, 1)
	lines := verdictLines(dg.Verdict, st, w, vmost)
	// The evidence reminder has a line of its own under the verdict: it is
	// about this session, not a finding, so it is not ranked among them.
	if ev, ok := dg.Checks.Reminder(); ok && h-len(lines) >= 3 {
		rem := reminderLines(ev, st, w)
		if h-len(lines)-len(rem) < 2+minCheckRows {
			rem = []string{reminderLine(ev, st, w)}
		}
		lines = append(lines, rem...)
	}
	footer := ""
	if h-len(lines) >= 4 {
		footer = p.footer(st, w, listHint)
	}
	rows := h - len(lines)
	if footer != "" {
		rows--
	}
	p.page = max(rows, 1)
	if rows <= 0 {
		return joinLines(lines, w)
	}
	sel := p.selected(cl)
	p.selectIdx(cl, sel)
	lines = append(lines, checkRows(cl, sel, st, w, rows)...)
	for len(lines) < h-1 && footer != "" {
		lines = append(lines, "")
	}
	if footer != "" {
		if len(cl) > rows {
			footer = p.footer(st, w, strconv.Itoa(sel+1)+"/"+strconv.Itoa(len(cl))+" · "+listHint)
		}
		lines = append(lines, footer)
	}
	return joinLines(lines, w)
}

// checkRows are the list's lines: a check a row, its title wrapped under
// itself when every check fits so (else the selected one only, the others
// cut), scrolled so the selected check shows whole.
func checkRows(cl model.Checklist, sel int, st *themes.Styles, w, rows int) []string {
	entry := func(i int, wrap bool) []string {
		c := cl[i]
		pointer, style := "  ", st.Text
		if i == sel {
			pointer, style = st.Accent.Render("▸ "), st.Value
		}
		lead := pointer + statusCell(c.Status, st)
		title := model.Sanitize(c.Title, 0)
		gutter := cellWidth(lead)
		if !wrap || w <= gutter+8 {
			return []string{cut(lead+style.Render(title), w)}
		}
		out := wrapStyled(style, title, w-gutter)
		out[0] = lead + out[0]
		for j := 1; j < len(out); j++ {
			out[j] = strings.Repeat(" ", gutter) + out[j]
		}
		return out
	}
	all := make([][]string, len(cl))
	total := 0
	for i := range cl {
		all[i] = entry(i, true)
		total += len(all[i])
	}
	if total > rows {
		for i := range cl {
			if i != sel {
				all[i] = entry(i, false)
			}
		}
	}
	// The first check shown: the top, unless the selected one would not
	// show whole; then the one that puts it at the bottom.
	first, used := 0, 0
	for i := 0; i <= sel; i++ {
		used += len(all[i])
	}
	for first < sel && used > rows {
		used -= len(all[first])
		first++
	}
	var out []string
	for i := first; i < len(cl) && len(out) < rows; i++ {
		out = append(out, all[i]...)
	}
	return out[:min(len(out), rows)]
}

// reminderLines is the evidence reminder: "⚑ No evidence saved yet: press
// x …", in the watch colour until a report is saved, wrapped under itself;
// reminderLine is it on one line, cut.
func reminderLines(ev model.Check, st *themes.Styles, w int) []string {
	style, mark := reminderStyle(ev, st)
	return hangingWrapStyled(style, mark, model.Sanitize(ev.Title, 0), w)
}

func reminderLine(ev model.Check, st *themes.Styles, w int) string {
	style, mark := reminderStyle(ev, st)
	return cut(style.Render(mark+model.Sanitize(ev.Title, 0)), w)
}

func reminderStyle(ev model.Check, st *themes.Styles) (lipgloss.Style, string) {
	if ev.Status == model.StatusOK {
		return st.ForLevel(statusLevel(ev.Status)), ev.Status.Mark() + " "
	}
	return st.ForLevel(statusLevel(ev.Status)), "⚑ "
}

// detailLines is the opened check: status and title, the why, the evidence,
// the commands, and where to look.
func (p *checklistPane) detailLines(c model.Check, st *themes.Styles, w int) []string {
	var out []string
	head := statusCell(c.Status, st) + st.Muted.Render(c.ID)
	if pane, ok := paneOf(c.Pane); ok {
		head += st.Muted.Render(" · evidence in the " + pane.String() + " pane (g)")
	}
	out = append(out, cut(head, w))
	out = append(out, wrapStyled(st.Value, model.Sanitize(c.Title, 0), w)...)
	if c.Reason != "" {
		out = append(out, "")
		out = append(out, wrapStyled(st.Unknown, "Unknown because "+model.Sanitize(c.Reason, 0)+".", w)...)
	}
	if c.Advice != "" {
		out = append(out, "", st.Label.Render("Why it matters, what to do"))
		out = append(out, wrapStyled(st.Text, model.Sanitize(c.Advice, 0), w)...)
	}
	if len(c.Evidence) > 0 {
		out = append(out, "", st.Label.Render("Evidence"))
		for _, e := range c.Evidence {
			out = append(out, hangingWrap(st, "• ", model.Sanitize(e, 0), w)...)
		}
	}
	if len(c.Commands) > 0 {
		out = append(out, "", st.Label.Render("Commands"))
		for _, cmd := range c.Commands {
			prompt := "$ "
			if strings.HasPrefix(cmd, "#") {
				prompt = "  "
			}
			out = append(out, hangingWrap(st, prompt, model.Sanitize(cmd, 0), w)...)
		}
	}
	return out
}

// hangingWrapStyled wraps text after a prefix, indenting continuation
// lines, all in one style.
func hangingWrapStyled(style lipgloss.Style, prefix, text string, w int) []string {
	pw := ansi.StringWidth(prefix)
	if w <= pw+4 {
		return []string{cut(style.Render(prefix+text), w)}
	}
	lines := wrapStyled(style, text, w-pw)
	for i := range lines {
		lead := strings.Repeat(" ", pw)
		if i == 0 {
			lead = style.Render(prefix)
		}
		lines[i] = lead + lines[i]
	}
	return lines
}

// hangingWrap wraps text after a prefix, indenting continuation lines.
func hangingWrap(st *themes.Styles, prefix, text string, w int) []string {
	pw := ansi.StringWidth(prefix)
	if w <= pw {
		return []string{cut(prefix+text, w)}
	}
	lines := wrapStyled(st.Text, text, w-pw)
	for i := range lines {
		if i == 0 {
			lines[i] = st.Muted.Render(prefix) + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", pw) + lines[i]
		}
	}
	return lines
}

// doctorLines is MEMORY DOCTOR's text, escaped and wrapped, or why there is
// none.
func doctorLines(d *Data, st *themes.Styles, w int) []string {
	head := st.Label.Render("MEMORY DOCTOR")
	var doc *model.Doctor
	if d.Extras != nil {
		doc = d.Extras.Doctor
	}
	switch {
	case d.Extras == nil:
		return []string{head, st.Unknown.Render("not read yet")}
	case doc == nil:
		why := "not read"
		for _, u := range d.Extras.Unavailable {
			if strings.EqualFold(u.Command, "MEMORY DOCTOR") {
				why = u.Reason
			}
		}
		return append([]string{head}, wrapStyled(st.Unknown, "unavailable: "+model.Sanitize(why, 0), w)...)
	case doc.Err != "":
		return append([]string{head}, wrapStyled(st.Unknown, "unavailable: "+model.Sanitize(doc.Err, 0), w)...)
	case strings.TrimSpace(doc.Text) == "":
		return []string{head, st.Muted.Render("(empty reply)")}
	}
	out := []string{head, ""}
	for _, l := range strings.Split(model.SanitizeMultiline(doc.Text, 0), "\n") {
		if l == "" {
			out = append(out, "")
			continue
		}
		out = append(out, wrapStyled(st.Text, l, w)...)
	}
	return out
}

// scrolled shows lines from p.scroll, with the key hint (and the position
// when the text is longer than the pane) on the last line when there is
// room, and clamps the scroll to the content.
func (p *checklistPane) scrolled(st *themes.Styles, lines []string, hint string, w, h int) string {
	rows := h
	if h >= 4 {
		rows--
	} else {
		hint = ""
	}
	p.page = max(rows, 1)
	p.scroll = min(p.scroll, max(len(lines)-rows, 0))
	end := min(p.scroll+rows, len(lines))
	out := append([]string(nil), lines[p.scroll:end]...)
	for len(out) < rows {
		out = append(out, "")
	}
	if hint != "" {
		if len(lines) > rows {
			hint = strconv.Itoa(p.scroll+1) + "–" + strconv.Itoa(end) + "/" + strconv.Itoa(len(lines)) + " · " + hint
		}
		out = append(out, p.footer(st, w, hint))
	}
	return joinLines(out, w)
}
