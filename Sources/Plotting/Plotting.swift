// The Plotting layer: see DESIGN.md.
