package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// NewExporter makes `x` write the incident report, Markdown and JSON, into
// the current directory. The report is built from what the UI shows; the
// full INFO is read when the file is written (off the UI goroutine).
func NewExporter(c *redisx.Client, target string) *ui.Exporter {
	return exporterOn(func() (*redisx.Client, string) { return c, target })
}

// exporterOn is NewExporter for the master master() names when `x` is pressed
// (after a Sentinel failover, the new one) and the target that names it.
func exporterOn(master func() (*redisx.Client, string)) *ui.Exporter {
	return &ui.Exporter{
		Build: func(d *ui.Data) model.Report {
			c, target := master()
			return model.BuildReport(model.ReportInput{
				Now:       d.Now,
				Target:    model.ReportTarget{Addr: target, DB: c.Options().DB, Mode: c.Mode()},
				Hist:      d.Hist,
				Extras:    d.Extras,
				Diagnosis: d.Checklist.WithEvidenceSaved(),
				Scan:      d.Scan,
				// The master's own (after a failover, the new one's).
				CommandTarget: c.Options().CommandTarget(),
			})
		},
		Write: func(rep model.Report) (string, error) {
			c, target := master()
			ctx, cancel := context.WithTimeout(context.Background(), 2*c.Options().CommandTimeout)
			defer cancel()
			switch info, err := c.ReadInfoAll(ctx); {
			case err != nil:
				rep.Notes = append(rep.Notes, "the full INFO could not be read: "+redisx.Describe(err, c.Options().Password))
			case target != rep.Target.Addr:
				// A failover between building and writing: say whose INFO it is.
				rep.Info = info.ReportSections()
				rep.Notes = append(rep.Notes, "the master changed while the report was written: the full INFO is from "+target)
			default:
				rep.Info = info.ReportSections()
			}
			return WriteReportFiles(".", rep)
		},
	}
}

// WriteReportFiles writes redis-memtop-report-<time>.md and .json in dir
// and returns the Markdown file's path.
func WriteReportFiles(dir string, rep model.Report) (string, error) {
	base := filepath.Join(dir, "redis-memtop-report-"+rep.GeneratedAt.UTC().Format("20060102-150405"))
	if rep.GeneratedAt.IsZero() {
		base = filepath.Join(dir, "redis-memtop-report-"+time.Now().UTC().Format("20060102-150405"))
	}
	for _, f := range []struct{ ext, format string }{{".md", "markdown"}, {".json", FormatJSON}} {
		file, err := os.OpenFile(base+f.ext, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return "", fmt.Errorf("export: %w", err)
		}
		if err := WriteReport(file, rep, f.format); err != nil {
			_ = file.Close()
			return "", err
		}
		if err := file.Close(); err != nil {
			return "", fmt.Errorf("export: %w", err)
		}
	}
	return base + ".md (and .json)", nil
}

// FormatJSON is the --format value for machines; anything else is Markdown.
const FormatJSON = "json"

// EmitReport writes the report to the file named by output, or to stdout.
func EmitReport(stdout io.Writer, output string, rep model.Report, format string) error {
	if output == "" {
		return WriteReport(stdout, rep, format)
	}
	f, err := os.Create(output)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := WriteReport(f, rep, format); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// WriteReport writes the report as JSON (format FormatJSON) or Markdown.
func WriteReport(out io.Writer, rep model.Report, format string) error {
	if format == FormatJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		return nil
	}
	return rep.WriteMarkdown(out) //nolint:wrapcheck // already says "report:"
}
