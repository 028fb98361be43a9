// The Script layer: see DESIGN.md.
