// The Distillation layer: see DESIGN.md.
