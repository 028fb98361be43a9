// The Nets layer: see DESIGN.md.
