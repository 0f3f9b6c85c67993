package redisx

import (
	"context"
	"fmt"

	"github.com/redis-memtop/redis-memtop/model"
)

// ReadInfoAll reads every INFO section the server has, for the evidence
// report: "INFO everything" where the server knows it (6.0+), else "INFO all"
// (older servers answer an unknown section with an empty string).
func (c *Client) ReadInfoAll(ctx context.Context) (Info, error) {
	for _, section := range []string{"everything", "all"} {
		cctx, cancel := c.withTimeout(ctx)
		txt, err := c.rdb.Info(cctx, section).Result()
		cancel()
		if err != nil {
			return Info{}, fmt.Errorf("redisx: INFO %s: %w", section, err)
		}
		if info := ParseInfo(txt); len(info.Sections) > 0 {
			return info, nil
		}
	}
	return Info{}, fmt.Errorf("redisx: INFO all: the server returned nothing")
}

// ReportSections turns parsed INFO into the report's raw INFO sections.
func (i Info) ReportSections() []model.InfoSection {
	out := make([]model.InfoSection, 0, len(i.Sections))
	for _, s := range i.Sections {
		sec := model.InfoSection{Name: s.Name, Fields: make([][2]string, 0, len(s.Fields))}
		for _, f := range s.Fields {
			sec.Fields = append(sec.Fields, [2]string{f.Key, f.Value})
		}
		out = append(out, sec)
	}
	return out
}
