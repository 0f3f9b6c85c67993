package ui

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// Run runs the UI in one tea.Program until the user quits or ctx is done.
// Cancelling ctx, and ctrl+c, are normal exits (nil error).
func Run(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) error {
	all := append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)
	p := tea.NewProgram(New(opts), all...)
	_, err := p.Run()
	switch {
	case err == nil, errors.Is(err, tea.ErrProgramKilled), errors.Is(err, tea.ErrInterrupted):
		return nil
	default:
		return fmt.Errorf("ui: %w", err)
	}
}
