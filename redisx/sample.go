package redisx

import (
	"reflect"
	"strings"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// SampleFromInfo turns one parsed INFO reply into a model.Sample taken at t
// with the given round-trip latency. The Memory, Persistence and Stats fields
// are filled by their JSON tags, which are the INFO field names; a field the
// server did not print stays absent (never 0). Server is filled from the
// product detection, redis_mode / server_mode and the Server and Replication
// sections; Stats.ErrorstatOOM from Errorstats; Keyspace from the dbN lines;
// Sections lists the lower-case section names present.
func SampleFromInfo(info Info, t time.Time, latency time.Duration) model.Sample {
	idx := make(map[string]string, 256)
	for _, sec := range info.Sections {
		for _, f := range sec.Fields {
			if _, dup := idx[f.Key]; !dup {
				idx[f.Key] = f.Value
			}
		}
	}
	s := model.Sample{Time: t, Latency: latency}
	fillByTag(&s.Memory, idx)
	fillByTag(&s.Persistence, idx)
	fillByTag(&s.Stats, idx)
	s.Stats.ErrorstatOOM = info.OOMErrors()

	product, version := DetectProduct(info)
	srv := &s.Server
	srv.Product = product
	srv.Version = model.Text(version)
	srv.RedisVersion = text(idx, "redis_version")
	srv.Mode = model.Text(ServerMode(info))
	srv.Role = text(idx, "role")
	srv.RunID = text(idx, "run_id")
	srv.Uptime = num(idx, "uptime_in_seconds")
	srv.ProcessID = num(idx, "process_id")
	srv.TCPPort = num(idx, "tcp_port")
	srv.Executable = text(idx, "executable")
	srv.OS = text(idx, "os")
	srv.ConfigFile = text(idx, "config_file")
	srv.Hz = num(idx, "hz")
	srv.Cluster = num(idx, "cluster_enabled")

	s.Keyspace = info.Keyspace()
	s.Commands = info.ONReads()
	s.Sections = info.SectionNames()
	return s
}

func num(idx map[string]string, key string) model.Opt {
	v, ok := idx[key]
	if !ok {
		return model.None()
	}
	return ParseNumber(v)
}

func text(idx map[string]string, key string) model.Text {
	return model.Text(strings.TrimSpace(idx[key]))
}

var (
	optType  = reflect.TypeFor[model.Opt]()
	textType = reflect.TypeFor[model.Text]()
)

// fillByTag sets every model.Opt and model.Text field of the struct dst points
// to from the INFO value named by the field's JSON tag. Fields added to the
// model later are filled without touching this file.
func fillByTag(dst any, idx map[string]string) {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		raw, ok := idx[name]
		if !ok {
			continue
		}
		switch f.Type {
		case optType:
			v.Field(i).Set(reflect.ValueOf(ParseNumber(raw)))
		case textType:
			v.Field(i).SetString(strings.TrimSpace(raw))
		}
	}
}
