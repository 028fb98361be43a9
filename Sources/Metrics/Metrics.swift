// The Metrics layer: see DESIGN.md.
