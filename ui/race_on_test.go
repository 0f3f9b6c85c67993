//go:build race

package ui

// raceEnabled thins the layout sweep under -race, which is ~10× slower.
const raceEnabled = true
