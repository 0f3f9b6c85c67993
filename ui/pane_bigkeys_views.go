package ui

import (
	"math"
	"net"
	"slices"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// scanStateText is the progress line on one line (the collapsed summary):
// state, scanned / DBSIZE, keys/s, ETA, why it is slowed; "done at
// HH:MM:SS" once the pass is over. scanStateLines lets the facts go on a
// second line rather than lose one.
func scanStateText(s *model.ScanState, st *themes.Styles, w int, bar bool) string {
	return cut(strings.Join(scanStateLines(s, st, w, bar), " "), w)
}

func scanStateLines(s *model.ScanState, st *themes.Styles, w int, bar bool) []string {
	if s == nil || s.Progress.Phase == "" || s.Progress.Phase == model.ScanIdle {
		return []string{st.Muted.Render(cut("no scan yet (it runs with --scan; s pauses it)", w))}
	}
	return scanLine(scanLineFactsOf(&s.Progress), st, w, bar)
}

// keyRows are the keys of the table: the top lists by bytes and by elements
// merged, filtered and sorted.
func (p *bigKeysPane) keyRows(d *Data) []model.KeyInfo {
	bk := d.Scan.Best()
	if bk == nil {
		return nil
	}
	type id struct {
		db   int
		key  string
		node string // a key moving between two nodes of a cluster is on both
	}
	seen := make(map[id]bool, len(bk.TopBytes)+len(bk.TopElements))
	rows := make([]model.KeyInfo, 0, len(bk.TopBytes)+len(bk.TopElements))
	for _, list := range [][]model.KeyInfo{bk.TopBytes, bk.TopElements} {
		for _, k := range list {
			if seen[id{k.DB, k.Key, k.Node}] {
				continue
			}
			seen[id{k.DB, k.Key, k.Node}] = true
			if !p.matches(k.Key) {
				continue
			}
			rows = append(rows, k)
		}
	}
	slices.SortStableFunc(rows, func(a, b model.KeyInfo) int {
		c := 0
		switch p.sort {
		case sortElements:
			c = cmpDown(a.Elements, b.Elements)
		case sortTTL:
			c = cmpDown(ttlOrder(a.TTL), ttlOrder(b.TTL))
		case sortKey:
			c = strings.Compare(a.Key, b.Key)
		case sortType:
			c = strings.Compare(a.Type, b.Type)
		case sortDB:
			c = a.DB - b.DB
		case sortNode:
			c = strings.Compare(a.Node, b.Node)
		case sortBytes, sortCols:
		}
		if c == 0 {
			c = cmpDown(a.Bytes, b.Bytes)
		}
		if c == 0 {
			c = strings.Compare(a.Key, b.Key)
		}
		return c
	})
	return rows
}

// ttlOrder sorts "no expiry" above every TTL (it never goes away).
func ttlOrder(ttl int64) int64 {
	if ttl < 0 {
		return math.MaxInt64
	}
	return ttl
}

func cmpDown(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

func (p *bigKeysPane) prefixRows(d *Data) []model.PrefixStat {
	bk := d.Scan.Best()
	if bk == nil {
		return nil
	}
	return filterRows(p, model.PrefixRows(bk.Prefixes), func(r model.PrefixStat) string { return r.Prefix })
}

func (p *bigKeysPane) growthRows(d *Data) []model.Growth {
	bk := d.Scan.Best()
	if bk == nil {
		return nil
	}
	return filterRows(p, bk.Growth, func(r model.Growth) string { return r.Key })
}

// matches reports whether a key or prefix passes the / filter: a
// case-insensitive substring of the name as it is drawn (escaped).
func (p *bigKeysPane) matches(name string) bool {
	return p.filter == "" || strings.Contains(strings.ToLower(model.Sanitize(name, 0)), strings.ToLower(p.filter))
}

// filterRows keeps the rows whose name passes the filter.
func filterRows[T any](p *bigKeysPane, rows []T, name func(T) string) []T {
	if p.filter == "" {
		return rows
	}
	var out []T
	for _, r := range rows {
		if p.matches(name(r)) {
			out = append(out, r)
		}
	}
	return out
}

// wrapper is a style as the escape codes around a text.
type wrapper struct{ pre, post string }

// wrapperOf takes a style's codes from the rendering of one letter. Styles
// here are colours and attributes only (no padding, border or width), so
// the codes around "x" are the codes around any one-line text.
func wrapperOf(style lipgloss.Style) wrapper {
	r := style.Render("x")
	i := strings.Index(r, "x")
	if i < 0 {
		return wrapper{}
	}
	return wrapper{pre: r[:i], post: r[i+1:]}
}

func (w wrapper) wrap(s string) string {
	if s == "" {
		return ""
	}
	return w.pre + s + w.post
}

// fitJoin joins lines that should already fit in w cells, cutting only the
// ones that do not (measuring is cheap, cutting is not).
func fitJoin(lines []string, w int) string {
	for i, l := range lines {
		if cellWidth(l) > w {
			lines[i] = cut(l, w)
		}
	}
	return strings.Join(lines, "\n")
}

// keyColumns lays the key table out in w cells: the key takes what the
// other columns leave, and the least useful columns go first when narrow.
func keyColumns(w int) []column { return keyColumnsWithNode(w, 0) }

// keyColumnsWithNode is keyColumns with a node column nodeW cells wide
// after the key (0: none, a single server). A cluster's keys are all in db
// 0, so there the db column goes first.
func keyColumnsWithNode(w, nodeW int) []column { return keyColumnsWith(w, nodeW, false) }

// keyColumnsWith is keyColumnsWithNode with, when growth is set, the
// growth-per-minute column of the re-measures (keyGrowthCell) after TTL; it
// goes after the encoding, the db and the TTL when the pane is narrow.
func keyColumnsWith(w, nodeW int, growth bool) []column {
	// Every column is wide enough for its title and the sort mark ▼.
	all := []column{
		{colKey, 0, false},
		{colDB, 3, true},
		{colType, 6, false},
		{colEncoding, 10, false},
		{colBytes, 8, true},
		{colElements, 9, true},
		{colTTL, 7, true},
	}
	dropOrder := []string{colEncoding, colDB, colTTL, colElements, colType}
	if nodeW > 0 {
		all = slices.Insert(all, 1, column{colNode, nodeW, false})
		dropOrder = []string{colDB, colEncoding, colTTL, colElements, colType, colNode}
	}
	if growth {
		all = append(all, column{colGrowth, growthColW, true})
		dropOrder = slices.Insert(dropOrder, slices.Index(dropOrder, colTTL)+1, colGrowth)
	}
	show := map[string]bool{}
	for _, c := range all {
		show[c.title] = true
	}
	width := func() int {
		n := 2 + 14 // pointer + a minimal key column
		for _, c := range all[1:] {
			if show[c.title] {
				n += 1 + c.w
			}
		}
		return n
	}
	for _, d := range dropOrder {
		if width() <= w {
			break
		}
		show[d] = false
	}
	keyW := w - 2
	var cols []column
	for _, c := range all[1:] {
		if show[c.title] {
			keyW -= 1 + c.w
		}
	}
	for _, c := range all {
		if !show[c.title] {
			continue
		}
		if c.title == colKey {
			c.w = max(keyW, 1)
		}
		cols = append(cols, c)
	}
	return cols
}

// viewLines draws the current view in w×h.
func (p *bigKeysPane) viewLines(d *Data, st *themes.Styles, w, h int) []string {
	bk := d.Scan.Best()
	// Until the scan has sized a key, INFO KEYSIZES (Redis 8.0+) is what
	// there is to show: the server's own histograms, read at once.
	if (bk == nil || bk.Keys == 0) && d.Scan != nil && d.Scan.KeySizes != nil {
		return keySizesLines(d.Scan.KeySizes, st, w, h)
	}
	if bk == nil {
		return []string{st.Muted.Render("no keys sized yet")}
	}
	p.page = max(h-1, 1)
	switch p.view {
	case bkPrefixes:
		return p.prefixLines(d, bk, st, w, h)
	case bkTypes:
		return typeLines(d, bk, st, w, h)
	case bkTTL:
		return ttlLines(bk, st, w, h)
	case bkGrowth:
		return p.growthLines(d, st, w, h)
	default:
		return p.keyLines(d, st, w, h)
	}
}

func (p *bigKeysPane) keyLines(d *Data, st *themes.Styles, w, h int) []string {
	rows := p.keyRows(d)
	if len(rows) == 0 {
		if p.filter != "" {
			return []string{st.Muted.Render("no key matches the filter")}
		}
		return []string{st.Muted.Render("no keys sized yet")}
	}
	// Keep the selection on the same key across re-sorts and snapshots.
	if p.selKey != "" {
		for i, k := range rows {
			if k.Key == p.selKey && k.DB == p.selDB && k.Node == p.selNode {
				p.sel = i
				break
			}
		}
	}
	p.sel = min(max(p.sel, 0), len(rows)-1)
	labels := nodeLabels(d.Scan.Best())
	cols := keyColumnsWith(w, nodeColumnWidth(labels, w), hasGrowth(d.Scan.Watch))
	cells := make([][]string, len(rows))
	sortCol := -1
	for i, c := range cols {
		if c.title == p.sort.String() {
			sortCol = i
		}
	}
	for r, k := range rows {
		row := make([]string, len(cols))
		// A re-measured key shows its latest size: the pass's is older.
		if t, ok := d.Scan.Watch.Find(k.DB, k.Key); ok && k.Node == "" {
			if t.Bytes >= 0 {
				k.Bytes = t.Bytes
			}
			if t.Elements >= 0 && k.Elements >= 0 {
				// A string's STRLEN is no element count: only a key with
				// a length (Elements ≥ 0 in the pass) takes the reading.
				k.Elements = t.Elements
			}
		}
		for i, c := range cols {
			switch c.title {
			case colKey:
				row[i] = model.Sanitize(k.Key, c.w)
			case colNode:
				row[i] = cutLeft(labels[k.Node], c.w)
			case colDB:
				row[i] = strconv.Itoa(k.DB)
			case colType:
				row[i] = model.Sanitize(k.Type, c.w)
			case colEncoding:
				row[i] = model.Sanitize(k.Encoding, c.w)
			case colBytes:
				row[i] = bytesOrDash(k.Bytes)
			case colElements:
				row[i] = countOrDash(k.Elements)
			case colTTL:
				row[i] = model.TTLText(k.TTL)
			case colGrowth:
				row[i] = keyGrowthCell(d.Scan.Watch, k.DB, k.Key)
			}
		}
		cells[r] = row
	}
	return tableLines(st, cols, cells, p.sel, h, sortCol)
}

func bytesOrDash(b int64) string {
	if b < 0 {
		return model.Dash
	}
	return model.Bytes(float64(b))
}

func countOrDash(n int64) string {
	if n < 0 {
		return model.Dash
	}
	return model.Count(float64(n))
}

// sumBytes is a byte total, or — when MEMORY USAGE was unavailable for every
// key (a 0B there would look like a measurement).
func sumBytes(bk *model.BigKeys, v int64) string {
	if bk.Keys > 0 && bk.UnknownBytes >= bk.Keys {
		return model.Dash
	}
	return model.Bytes(float64(v))
}

func share(part, whole int64) string {
	if whole <= 0 {
		return model.Dash
	}
	return strconv.FormatFloat(100*float64(part)/float64(whole), 'f', 1, 64) + "%"
}

func (p *bigKeysPane) prefixLines(d *Data, bk *model.BigKeys, st *themes.Styles, w, h int) []string {
	rows := p.prefixRows(d)
	if len(rows) == 0 {
		return []string{st.Muted.Render("no prefix matches the filter")}
	}
	p.sel = min(max(p.sel, 0), len(rows)-1)
	cols := []column{{"prefix", 0, false}, {colKeys, 7, true}, {colBytes, 8, true}, {colShare, 6, true}, {"no-TTL keys", 11, true}, {"no-TTL bytes", 12, true}}
	for w < 2+14+7*5 && len(cols) > 3 {
		cols = cols[:len(cols)-1]
	}
	used := 2
	for _, c := range cols[1:] {
		used += 1 + c.w
	}
	cols[0].w = max(w-used, 1)
	cells := make([][]string, len(rows))
	for r, pr := range rows {
		name := strings.Repeat("  ", max(pr.Depth-1, 0)) + model.Sanitize(pr.Prefix, 0)
		all := []string{
			name, model.Count(float64(pr.Keys)), sumBytes(bk, pr.Bytes), share(pr.Bytes, bk.Bytes),
			model.Count(float64(pr.NoTTLKeys)), sumBytes(bk, pr.NoTTLBytes),
		}
		cells[r] = all[:len(cols)]
	}
	return tableLines(st, cols, cells, p.sel, h, 2)
}

func typeLines(d *Data, bk *model.BigKeys, st *themes.Styles, w, h int) []string {
	cols := []column{{"type / encoding", 0, false}, {colKeys, 8, true}, {colBytes, 8, true}, {colShare, 6, true}, {colElements, 9, true}}
	for w < 2+14+9*4 && len(cols) > 3 {
		cols = cols[:len(cols)-1]
	}
	used := 2
	for _, c := range cols[1:] {
		used += 1 + c.w
	}
	cols[0].w = max(w-used, 1)
	var cells [][]string
	for _, t := range bk.Types {
		elems := model.Count(float64(t.Elements))
		if t.Elements == 0 && t.Type == "string" {
			elems = model.Dash // MEMORY USAGE is a string's size; it has no elements
		}
		row := []string{model.Sanitize(t.Type, 0), model.Count(float64(t.Keys)), sumBytes(bk, t.Bytes), share(t.Bytes, bk.Bytes), elems}
		cells = append(cells, row[:len(cols)])
		for _, e := range bk.Encodings {
			if e.Type != t.Type {
				continue
			}
			enc := e.Encoding
			if enc == "" {
				enc = "(unknown)"
			}
			row := []string{"  " + model.Sanitize(enc, 0), model.Count(float64(e.Keys)), sumBytes(bk, e.Bytes), share(e.Bytes, bk.Bytes), ""}
			cells = append(cells, row[:len(cols)])
		}
	}
	out := tableLines(st, cols, cells, -1, h, 2)
	if d.Scan.KeySizes != nil && len(out) < h-2 {
		out = append(out, "")
		out = append(out, keySizesLines(d.Scan.KeySizes, st, w, h-len(out))...)
	}
	return out
}

// keySizesLines shows INFO KEYSIZES (Redis 8.0+): one line a histogram.
func keySizesLines(ks *model.KeySizes, st *themes.Styles, w, h int) []string {
	out := []string{st.Label.Render("INFO KEYSIZES (power-of-two buckets: size≥ keys)")}
	for _, hist := range ks.Hists {
		if len(out) >= h {
			break
		}
		var b strings.Builder
		b.WriteString("db" + strconv.Itoa(hist.DB) + " " + model.Sanitize(hist.Kind, 20) + " " + model.Count(float64(hist.Total())) + ":")
		// *_sizes histograms count bytes (strings); the others items.
		size := func(v int64) string { return model.Count(float64(v)) }
		if strings.HasSuffix(hist.Kind, "_sizes") {
			size = func(v int64) string { return model.Bytes(float64(v)) }
		}
		for _, bucket := range hist.Buckets {
			b.WriteString(" " + size(bucket.Min) + ":" + model.Count(float64(bucket.Count)))
		}
		out = append(out, st.Text.Render(cut(b.String(), w)))
	}
	return out
}

func ttlLines(bk *model.BigKeys, st *themes.Styles, w, h int) []string {
	cols := []column{{colTTL, 10, false}, {colKeys, 8, true}, {colBytes, 8, true}, {colShare, 6, true}, {"", 0, false}}
	used := 2
	for _, c := range cols[:4] {
		used += c.w + 1
	}
	barW := max(w-used, 0)
	cols[4].w = barW
	cells := make([][]string, 0, len(bk.TTL))
	for _, b := range bk.TTL {
		bar := ""
		if barW >= 4 && bk.Bytes > 0 {
			n := int(math.Round(float64(b.Bytes) / float64(bk.Bytes) * float64(barW)))
			bar = strings.Repeat("█", n)
		}
		cells = append(cells, []string{b.Label, model.Count(float64(b.Keys)), sumBytes(bk, b.Bytes), share(b.Bytes, bk.Bytes), bar})
	}
	out := tableLines(st, cols, cells, -1, h, -1)
	if len(out)+3 > h || len(bk.Sizes) == 0 {
		return out
	}
	out = append(out, "", st.Label.Render("key sizes (log2): size≥ keys bytes"))
	line := ""
	for _, s := range bk.Sizes {
		cell := model.Bytes(float64(s.Min)) + ":" + model.Count(float64(s.Keys))
		if ansi.StringWidth(line)+len(cell)+2 > w {
			out = append(out, st.Text.Render(line))
			line = ""
			if len(out) >= h {
				return out
			}
		}
		if line != "" {
			line += "  "
		}
		line += cell
	}
	if line != "" {
		out = append(out, st.Text.Render(line))
	}
	return out
}

func (p *bigKeysPane) growthLines(d *Data, st *themes.Styles, w, h int) []string {
	rows := p.growthRows(d)
	if len(rows) == 0 && d.Scan.Watch != nil && len(d.Scan.Watch.Keys) > 0 {
		// Before a second pass, the re-measures of the top keys are the
		// growth there is to show.
		out := []string{st.Label.Render("re-measured between passes (growth per minute):")}
		for _, t := range d.Scan.Watch.Keys {
			if len(out) >= h {
				break
			}
			style := st.Text
			if t.Flag != "" {
				style = st.Accent
			}
			out = append(out, style.Render(cut(t.Line(), w)))
		}
		return out
	}
	if len(rows) == 0 {
		if d.Scan.Prev == nil {
			return []string{st.Muted.Render("growth needs two passes: R starts the next one")}
		}
		return []string{st.Muted.Render("none of the previous pass's top keys seen again yet")}
	}
	p.sel = min(max(p.sel, 0), len(rows)-1)
	cols := []column{{colKey, 0, false}, {colDB, 2, true}, {"before", 8, true}, {"after", 8, true}, {"change", 9, true}}
	cols[0].w = max(w-2-(3+9+9+10), 1)
	cells := make([][]string, len(rows))
	for r, g := range rows {
		ch := model.Bytes(float64(g.Delta))
		if g.Delta > 0 {
			ch = "+" + ch
		}
		cells[r] = []string{model.Sanitize(g.Key, cols[0].w), strconv.Itoa(g.DB), model.Bytes(float64(g.Before)), model.Bytes(float64(g.After)), ch}
	}
	return tableLines(st, cols, cells, p.sel, h, 4)
}

// detailLines is one key in full: every figure, its share, its prefix,
// its growth, what stands out, and the commands to look closer.
func (p *bigKeysPane) detailLines(d *Data, st *themes.Styles, w int) []string {
	bk := d.Scan.Best()
	var k model.KeyInfo
	found := false
	switch p.view {
	case bkGrowth:
		rows := p.growthRows(d)
		if p.sel < len(rows) {
			g := rows[p.sel]
			k, found = lookupKey(bk, g.DB, g.Key)
			if !found {
				k = model.KeyInfo{Key: g.Key, DB: g.DB, Type: g.Type, Bytes: g.After, Elements: -1, TTL: -1}
				found = true
			}
		}
	default:
		rows := p.keyRows(d)
		if p.sel < len(rows) {
			k, found = rows[p.sel], true
		}
	}
	if !found || bk == nil {
		p.detail = false
		return []string{st.Muted.Render("no key selected")}
	}
	out := []string{st.Label.Render("key")}
	out = append(out, wrapStyled(st.Value, model.Sanitize(k.Key, 0), w)...)
	if k.Node != "" {
		out = append(out, kv(st, colNode, st.Text.Render(model.Sanitize(k.Node, max(w-15, 10)))))
	}
	out = append(out,
		kv(st, "database", st.Text.Render(strconv.Itoa(k.DB))),
		kv(st, "type", st.Text.Render(model.Sanitize(k.Type, 0))+st.Muted.Render(" · encoding ")+st.Text.Render(model.Sanitize(orDash(k.Encoding), 0))),
		kv(st, "memory", st.Value.Render(bytesOrDash(k.Bytes))+st.Muted.Render(exact(k.Bytes)+" · "+share(max(k.Bytes, 0), bk.Bytes)+" of the keys scanned")),
		kv(st, "elements", st.Text.Render(countOrDash(k.Elements))),
		kv(st, "TTL", st.Text.Render(model.TTLText(k.TTL))),
	)
	for _, g := range bk.Growth {
		if g.DB == k.DB && g.Key == k.Key {
			ch := model.Bytes(float64(g.Delta))
			if g.Delta > 0 {
				ch = "+" + ch
			}
			out = append(out, kv(st, "since last pass", st.Watch.Render(ch)+st.Muted.Render(" ("+model.Bytes(float64(g.Before))+" → "+model.Bytes(float64(g.After))+")")))
		}
	}
	if notes := keyNotes(k, bk); len(notes) > 0 {
		out = append(out, "")
		for _, n := range notes {
			out = append(out, hangingWrap(st, "• ", n, w)...)
		}
	}
	samples := 5
	if d.Scan != nil && d.Scan.Progress.Samples > 0 {
		samples = d.Scan.Progress.Samples
	}
	name := model.Sanitize(k.Key, max(w-40, 10))
	cli := "redis-cli -n " + strconv.Itoa(k.DB)
	if k.Node != "" {
		cli = "redis-cli -c" + hostPortArgs(k.Node) // -c: a replica's MOVED leads to the master
	}
	// The connection's flags (TLS, user; its address when no node is named).
	aim := func(c string) string { return "$ " + d.Commands.Command(c) }
	out = append(out, "", st.Label.Render("look closer (read-only)"),
		st.Muted.Render(cut(aim(cli+" MEMORY USAGE '"+name+"' SAMPLES "+strconv.Itoa(samples)), w)),
		st.Muted.Render(cut(aim(cli+" OBJECT ENCODING '"+name+"'"), w)))
	return out
}

// hasNodes reports whether a snapshot's keys name their nodes (a cluster).
func hasNodes(bk *model.BigKeys) bool {
	if bk == nil {
		return false
	}
	has := func(k model.KeyInfo) bool { return k.Node != "" }
	return slices.ContainsFunc(bk.TopBytes, has) || slices.ContainsFunc(bk.TopElements, has)
}

// nodeLabels names the nodes of a snapshot's keys for the node column,
// escaped and as short as they can be while they stay distinct: ":port"
// when every node has the same host (one machine, loopback), IPv4
// addresses without the octets they all share ("…41:6379" for
// 10.20.30.41:6379 beside 10.20.30.42:6379), host names without the domain
// they all share ("redis-3:6379" for redis-3.prod.example.com:6379), else
// the whole address. The details show the whole address. Nil for a single
// server.
func nodeLabels(bk *model.BigKeys) map[string]string {
	if !hasNodes(bk) {
		return nil
	}
	type hp struct{ host, port string }
	addrs := map[string]hp{}
	for _, list := range [][]model.KeyInfo{bk.TopBytes, bk.TopElements} {
		for _, k := range list {
			if _, ok := addrs[k.Node]; ok || k.Node == "" {
				continue
			}
			h, p, err := net.SplitHostPort(k.Node)
			if err != nil {
				h, p = k.Node, ""
			}
			addrs[k.Node] = hp{h, p}
		}
	}
	sameHost, names, ipv4 := true, true, true
	var first string
	var suffix []string // the dotted domain every host shares, reversed
	var octets []string // the leading octets every IPv4 host shares
	for _, a := range addrs {
		if first == "" {
			first = a.host
		}
		sameHost = sameHost && a.host == first && a.port != ""
		ip := net.ParseIP(a.host)
		if ip != nil || !strings.Contains(a.host, ".") {
			names = false
		}
		if ip == nil || ip.To4() == nil || a.port == "" {
			ipv4 = false
			continue
		}
		parts := strings.Split(a.host, ".")[:3]
		if octets == nil {
			octets = parts
			continue
		}
		n := 0
		for n < len(octets) && octets[n] == parts[n] {
			n++
		}
		octets = octets[:n]
	}
	if names {
		for _, a := range addrs {
			parts := strings.Split(a.host, ".")
			slices.Reverse(parts[1:]) // the first label is the host's own
			rev := parts[1:]
			if suffix == nil {
				suffix = slices.Clone(rev)
				continue
			}
			n := 0
			for n < len(suffix) && n < len(rev) && suffix[n] == rev[n] {
				n++
			}
			suffix = suffix[:n]
		}
	}
	out := make(map[string]string, len(addrs))
	for addr, a := range addrs {
		label := addr
		switch {
		case sameHost && len(addrs) > 1:
			label = ":" + a.port
		case ipv4 && len(octets) > 0 && len(addrs) > 1:
			label = "…" + strings.Join(strings.Split(a.host, ".")[len(octets):], ".") + ":" + a.port
		case names && len(suffix) > 0:
			parts := strings.Split(a.host, ".")
			label = strings.Join(parts[:len(parts)-len(suffix)], ".")
			if a.port != "" {
				label += ":" + a.port
			}
		}
		out[addr] = model.Sanitize(label, 0)
	}
	return out
}

// nodeColumnWidth fits the node column to its labels, at most a quarter of
// the table (0 without nodes).
func nodeColumnWidth(labels map[string]string, w int) int {
	if len(labels) == 0 {
		return 0
	}
	n := len(colNode)
	for _, l := range labels {
		n = max(n, cellWidth(l))
	}
	return min(n, max(w/4, 8))
}

// cutLeft keeps the end of an escaped label (the port tells nodes apart)
// when it is wider than w.
func cutLeft(s string, w int) string {
	if sw := cellWidth(s); sw > w && w > 1 {
		return "…" + ansi.TruncateLeft(s, sw-w+1, "")
	}
	return s
}

// hostPortArgs are redis-cli's -h and -p for an address, escaped.
func hostPortArgs(addr string) string {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return " -h " + model.Sanitize(addr, 60)
	}
	return " -h " + model.Sanitize(h, 60) + " -p " + model.Sanitize(p, 10)
}

func lookupKey(bk *model.BigKeys, db int, name string) (model.KeyInfo, bool) {
	if bk == nil {
		return model.KeyInfo{}, false
	}
	for _, list := range [][]model.KeyInfo{bk.TopBytes, bk.TopElements} {
		for _, k := range list {
			if k.DB == db && k.Key == name {
				return k, true
			}
		}
	}
	return model.KeyInfo{}, false
}

func orDash(s string) string {
	if s == "" {
		return model.Dash
	}
	return s
}

func exact(b int64) string {
	if b < 1024 {
		return ""
	}
	return " (" + strconv.FormatInt(b, 10) + " bytes)"
}

// keyNotes are the thresholds of DESIGN.md's big-keys check, for one key.
func keyNotes(k model.KeyInfo, bk *model.BigKeys) []string {
	var out []string
	switch {
	case k.Bytes >= 10<<20:
		out = append(out, "over 10 MB: deleting it blocks the server (use UNLINK), and it is slow to migrate or replicate")
	case k.Type == "string" && k.Bytes >= 100<<10:
		out = append(out, "a string over 100 KB: every GET moves all of it")
	}
	switch {
	case k.Type == "list" && k.Elements > 1000:
		out = append(out, "a list of more than 1,000 elements: LRANGE over it is O(n)")
	case k.Type == "hash" && k.Elements > 5000:
		out = append(out, "a hash of more than 5,000 fields: HGETALL returns them all at once")
	}
	if k.TTL < 0 && k.Bytes > 0 && bk.Bytes > 0 && float64(k.Bytes) > 0.01*float64(bk.Bytes) {
		out = append(out, "no TTL, and over 1 % of the memory scanned: it stays until someone deletes it")
	}
	return out
}

// retryText says when a failed scan tries again, or that it gave up.
func retryText(p *model.ScanProgress) string {
	if p.RetryAt.IsZero() {
		return "stopped"
	}
	return "retry at " + p.RetryAt.Format("15:04:05")
}

// The re-measures of the top keys between passes (issue 17): a column of
// growth per minute in the key table, "↑ +60.0k el/min" when the growth is
// flagged (the checklist's big-keys check names it too).
const (
	colGrowth  = "growth/min"
	growthColW = 15
)

// hasGrowth reports whether any re-measured key moved: only then does the
// key table give the column room.
func hasGrowth(g *model.KeyGrowth) bool {
	if g == nil {
		return false
	}
	for _, k := range g.Keys {
		if k.RateText() != "" {
			return true
		}
	}
	return false
}

// keyGrowthCell is one key's growth per minute, "" when it was not
// re-measured or did not grow.
func keyGrowthCell(g *model.KeyGrowth, db int, key string) string {
	t, ok := g.Find(db, key)
	if !ok {
		return ""
	}
	return t.RateText()
}
