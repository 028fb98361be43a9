// The Datasets layer: see DESIGN.md.
