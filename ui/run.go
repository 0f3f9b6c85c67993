package ui

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// idleFPS caps the renderer's frame rate (see Run).
const idleFPS = 20

// Run runs the UI in one tea.Program until the user quits or ctx is done.
// Cancelling ctx, and ctrl+c, are normal exits (nil error).
func Run(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) error {
	return runProgram(ctx, New(opts), progOpts)
}

// runProgram is the one place a tea.Program is made, for either root.
func runProgram(ctx context.Context, root tea.Model, progOpts []tea.ProgramOption) error {
	// 20 frames a second at most, not Bubble Tea's default 60: the renderer
	// wakes on every frame tick even when nothing changed, which cost about
	// half of the idle monitor's CPU (make bench, row 4a: 1.1–1.2 % of a core
	// at 60, 0.63–0.68 % at 20). A key still shows within 50 ms.
	all := append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(idleFPS)}, progOpts...)
	p := tea.NewProgram(root, all...)
	_, err := p.Run()
	switch {
	case err == nil, errors.Is(err, tea.ErrProgramKilled), errors.Is(err, tea.ErrInterrupted):
		return nil
	default:
		return fmt.Errorf("ui: %w", err)
	}
}
