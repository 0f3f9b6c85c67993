package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// FakeKey is one key of a FakeServer's keyspace (db 0).
type FakeKey struct {
	Name, Type, Enc string
	Bytes, Length   int64
	TTL             int64 // seconds; -1: none
}

// FakeScript is what a FakeServer answers.
type FakeScript struct {
	// Sections by lower-case name: "# Name\r\nk:v\r\n…" as the server prints it.
	Sections map[string]string
	Order    []string // every section, in INFO all order
	Plain    []string // the sections a plain INFO prints
	// Multi: INFO takes several sections at once (7.0+, Dragonfly); else
	// more than one argument is a syntax error (KeyDB, 6.2).
	Multi bool
	// Everything: INFO everything is known (6.0+); else it is an unknown
	// section, answered with an empty string (Dragonfly, 5.0).
	Everything bool
	// Unknown commands ("CONFIG", "OBJECT", "MEMORY DOCTOR", "CLIENT NO-TOUCH").
	Unknown map[string]bool
	// NoSamples: MEMORY USAGE has no SAMPLES argument (Dragonfly).
	NoSamples  bool
	Config     map[string]string
	ClientList string
	Doctor     string
	Keys       []FakeKey
}

// FakeServer is a small scripted RESP2 server on loopback, to impersonate
// products this machine cannot run (Dragonfly, KeyDB, ElastiCache,
// lookalikes with a broken INFO grammar): one goroutine a connection, the
// commands redis-memtop sends answered from the script, everything else
// "unknown command" as a real server says it. It answers HELLO with an
// error, so clients fall back to RESP2 the way they do with Redis 5.
type FakeServer struct {
	Addr   string // 127.0.0.1:PORT
	ln     net.Listener
	script FakeScript
	wg     sync.WaitGroup

	mu    sync.Mutex
	seen  [][]string
	conns map[net.Conn]bool
}

// StartFake starts a FakeServer answering from s; it stops when the test
// ends.
func StartFake(tb testing.TB, s FakeScript) *FakeServer {
	tb.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(tb.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f := &FakeServer{Addr: ln.Addr().String(), ln: ln, script: s, conns: map[net.Conn]bool{}}
	f.wg.Add(1)
	go f.accept()
	tb.Cleanup(f.close)
	return f
}

func (f *FakeServer) close() {
	_ = f.ln.Close()
	f.mu.Lock()
	for c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *FakeServer) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns[c] = true
		f.mu.Unlock()
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer func() { _ = c.Close() }()
			f.serve(c)
		}()
	}
}

// Commands returns every command received, as sent.
func (f *FakeServer) Commands() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]string(nil), f.seen...)
}

func (f *FakeServer) serve(c net.Conn) {
	rd := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	for {
		args, err := readCommand(rd)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.seen = append(f.seen, args)
		f.mu.Unlock()
		if quit := f.reply(w, args); quit {
			_ = w.Flush()
			return
		}
		if rd.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

// readCommand reads one RESP array of bulk strings.
func readCommand(rd *bufio.Reader) ([]string, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("fake: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if !strings.HasPrefix(line, "*") {
		return strings.Fields(line), nil // inline command
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil || n < 0 || n > 1<<20 {
		return nil, errors.New("fake: bad array header")
	}
	args := make([]string, 0, n)
	for range n {
		hdr, err := rd.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("fake: %w", err)
		}
		size, err := strconv.Atoi(strings.TrimRight(hdr, "\r\n")[1:])
		if err != nil || size < 0 {
			return nil, errors.New("fake: bad bulk header")
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return nil, fmt.Errorf("fake: %w", err)
		}
		args = append(args, string(buf[:size]))
	}
	return args, nil
}

func writeBulk(w *bufio.Writer, s string) { fmt.Fprintf(w, "$%d\r\n%s\r\n", len(s), s) }

func writeArray(w *bufio.Writer, items []string) {
	fmt.Fprintf(w, "*%d\r\n", len(items))
	for _, it := range items {
		writeBulk(w, it)
	}
}

func writeErr(w *bufio.Writer, msg string) { fmt.Fprintf(w, "-%s\r\n", msg) }

func writeInt(w *bufio.Writer, n int64) { fmt.Fprintf(w, ":%d\r\n", n) }

func unknownCommand(w *bufio.Writer, args []string) {
	rest := make([]string, 0, len(args))
	for _, a := range args[1:] {
		rest = append(rest, "'"+a+"'")
	}
	writeErr(w, fmt.Sprintf("ERR unknown command '%s', with args beginning with: %s", args[0], strings.Join(rest, " ")))
}

func (f *FakeServer) key(name string) (FakeKey, bool) {
	for _, k := range f.script.Keys {
		if k.Name == name {
			return k, true
		}
	}
	return FakeKey{}, false
}

// reply answers one command; true when the connection should close.
func (f *FakeServer) reply(w *bufio.Writer, args []string) bool {
	s := &f.script
	if len(args) == 0 {
		writeErr(w, "ERR empty command")
		return false
	}
	name := strings.ToUpper(args[0])
	sub := ""
	if len(args) > 1 {
		sub = strings.ToUpper(args[1])
	}
	if s.Unknown[name] || s.Unknown[name+" "+sub] {
		unknownCommand(w, args)
		return false
	}
	switch name {
	case "HELLO":
		unknownCommand(w, args)
	case "AUTH", "SELECT", "READONLY":
		_, _ = w.WriteString("+OK\r\n")
	case "QUIT":
		_, _ = w.WriteString("+OK\r\n")
		return true
	case "PING":
		if len(args) > 1 {
			writeBulk(w, args[1])
		} else {
			_, _ = w.WriteString("+PONG\r\n")
		}
	case "INFO":
		f.info(w, args[1:])
	case "CLIENT":
		switch sub {
		case "SETNAME", "NO-TOUCH":
			_, _ = w.WriteString("+OK\r\n")
		case "LIST":
			writeBulk(w, s.ClientList)
		default:
			unknownCommand(w, args)
		}
	case "CONFIG":
		if sub != "GET" || len(args) != 3 {
			unknownCommand(w, args)
			return false
		}
		var out []string
		for k, v := range s.Config {
			if ok, _ := path.Match(strings.ToLower(args[2]), k); ok {
				out = append(out, k, v)
			}
		}
		writeArray(w, out)
	case "MEMORY":
		f.memory(w, args, sub)
	case "DBSIZE":
		writeInt(w, int64(len(s.Keys)))
	case "SCAN":
		f.scan(w, args)
	case "OBJECT":
		if sub != "ENCODING" || len(args) != 3 {
			unknownCommand(w, args)
			return false
		}
		if k, ok := f.key(args[2]); ok {
			writeBulk(w, k.Enc)
		} else {
			_, _ = w.WriteString("$-1\r\n")
		}
	case "TTL", "PTTL":
		k, ok := f.key(args[1])
		switch {
		case !ok:
			writeInt(w, -2)
		case k.TTL < 0 || name == "TTL":
			writeInt(w, k.TTL)
		default:
			writeInt(w, k.TTL*1000)
		}
	case "TYPE":
		if k, ok := f.key(args[1]); ok {
			_, _ = w.WriteString("+" + k.Type + "\r\n")
		} else {
			_, _ = w.WriteString("+none\r\n")
		}
	case "LLEN", "HLEN", "SCARD", "ZCARD", "XLEN":
		k, _ := f.key(args[1])
		writeInt(w, k.Length)
	default:
		unknownCommand(w, args)
	}
	return false
}

func (f *FakeServer) info(w *bufio.Writer, sections []string) {
	s := &f.script
	if len(sections) > 1 && !s.Multi {
		writeErr(w, "ERR syntax error")
		return
	}
	var names []string
	switch {
	case len(sections) == 0, len(sections) == 1 && strings.EqualFold(sections[0], "default"):
		names = s.Plain
	case len(sections) == 1 && strings.EqualFold(sections[0], "all"):
		names = s.Order
	case len(sections) == 1 && strings.EqualFold(sections[0], "everything"):
		if s.Everything {
			names = s.Order
		}
	default:
		for _, sec := range sections {
			names = append(names, strings.ToLower(sec))
		}
	}
	var parts []string
	for _, n := range names {
		if text, ok := s.Sections[n]; ok {
			parts = append(parts, text)
		}
	}
	writeBulk(w, strings.Join(parts, "\r\n"))
}

func (f *FakeServer) memory(w *bufio.Writer, args []string, sub string) {
	s := &f.script
	switch sub {
	case "USAGE":
		if len(args) < 3 {
			writeErr(w, "ERR wrong number of arguments for 'memory|usage' command")
			return
		}
		if len(args) > 3 && s.NoSamples {
			writeErr(w, "ERR syntax error")
			return
		}
		if k, ok := f.key(args[2]); ok {
			writeInt(w, k.Bytes)
		} else {
			_, _ = w.WriteString("$-1\r\n")
		}
	case "DOCTOR":
		writeBulk(w, s.Doctor)
	default:
		writeErr(w, "ERR Unknown subcommand or wrong number of arguments for '"+args[1]+"'")
	}
}

func (f *FakeServer) scan(w *bufio.Writer, args []string) {
	s := &f.script
	cursor, _ := strconv.Atoi(args[1])
	count := 10
	for i := 2; i+1 < len(args); i += 2 {
		if strings.EqualFold(args[i], "count") {
			count, _ = strconv.Atoi(args[i+1])
		}
	}
	end := min(cursor+max(count, 1), len(s.Keys))
	next := end
	if end >= len(s.Keys) {
		next = 0
	}
	fmt.Fprintf(w, "*2\r\n")
	writeBulk(w, strconv.Itoa(next))
	names := make([]string, 0, end-cursor)
	for _, k := range s.Keys[min(cursor, end):end] {
		names = append(names, k.Name)
	}
	writeArray(w, names)
}

// SectionsOf splits an INFO capture into sections by lower-case name, in
// order (each with its header, CRLF line ends).
func SectionsOf(text string) (map[string]string, []string) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	m := map[string]string{}
	var order []string
	for _, block := range strings.Split(text, "\n\n") {
		block = strings.Trim(block, "\n")
		if !strings.HasPrefix(block, "# ") {
			continue
		}
		head, _, _ := strings.Cut(block, "\n")
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(head, "# ")))
		if i := strings.IndexAny(name, "( "); i >= 0 {
			name = name[:i]
		}
		m[name] = strings.ReplaceAll(block, "\n", "\r\n") + "\r\n"
		order = append(order, name)
	}
	return m, order
}

// FakeKeys is a small keyspace for a FakeScript: one big list (12 MB,
// 250,000 items), 120 small hashes with a TTL and 120 small strings.
func FakeKeys() []FakeKey {
	keys := make([]FakeKey, 0, 241)
	keys = append(keys, FakeKey{Name: "feed:big", Type: "list", Enc: "quicklist", Bytes: 12 << 20, Length: 250000, TTL: -1})
	for i := range 120 {
		keys = append(keys, FakeKey{Name: "user:" + strconv.Itoa(i), Type: "hash", Enc: "listpack", Bytes: 200, Length: 4, TTL: 3600})
		keys = append(keys, FakeKey{Name: "s:" + strconv.Itoa(i), Type: "string", Enc: "embstr", Bytes: 56, TTL: -1})
	}
	return keys
}
