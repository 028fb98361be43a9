// The Bindings layer: see DESIGN.md.
